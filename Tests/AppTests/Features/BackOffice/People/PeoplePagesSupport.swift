import Fluent
import Foundation
import LoyaltyCore
import Vapor
import VaporTesting

@testable import App

/// The cast of the people pages' tests: a merchant with two stores (a counter in the first),
/// and another merchant whose card, account and PIN the owner must never reach.
struct PeoplePagesWorld {
    let counter: Counter
    let store2: StoreModel
    let other: Counter

    static func make(in app: Application) async throws -> PeoplePagesWorld {
        let counter = try await Counter.make(in: app)
        let store2 = try await app.makeStore(of: counter.merchant)
        let other = try await Counter.make(in: app)
        return PeoplePagesWorld(counter: counter, store2: store2, other: other)
    }

    func owner(_ app: Application) async throws -> PageClient {
        try await PageClient.signedIn(app, as: counter.owner)
    }
}

extension TestingHTTPResponse {
    /// The CSV's lines after the header (`\r\n` ends each: one Character in Swift).
    var csvRows: [String] {
        String(buffer: body).split(separator: "\r\n", omittingEmptySubsequences: true).dropFirst().map(String.init)
    }
}
