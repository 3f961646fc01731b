import Fluent
import Foundation
import LoyaltyCore
import QRCodes
import Vapor
import VaporTesting

@testable import App

/// The cast of the store pages' tests: a counter (merchant, store, cashier, owner, PIN, card)
/// with a manager, and a customer with every searchable field.
struct StorePagesWorld {
    let counter: Counter
    let manager: UserModel
    let alice: CustomerModel
    let aliceCard: CardModel

    static func make(in app: Application) async throws -> StorePagesWorld {
        let counter = try await Counter.make(in: app)
        let manager = try await app.makeUser(.storeManager, merchant: counter.merchant, store: counter.store)
        let alice = CustomerModel(
            merchantID: try counter.merchant.requireID(), name: "Alice Martin", email: "alice.martin@example.test",
            phone: "+352 621 123 456", birthday: nil, locale: .french)
        try await alice.create(on: app.db)
        let aliceCard = try await app.makeCard(for: alice, program: counter.program, store: counter.store)
        return StorePagesWorld(counter: counter, manager: manager, alice: alice, aliceCard: aliceCard)
    }

    /// The cards of this world's merchant.
    func cardCount(_ app: Application) async throws -> Int {
        try await CardModel.query(on: app.db).filter(\.$merchant.$id == counter.merchant.requireID()).count()
    }
}

extension TestingHTTPResponse {
    /// The value of the hidden field `name` in the page's first form that has it.
    func hiddenField(_ name: String) -> String? {
        let text = self.text
        guard let range = text.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}


/// The dark modules of the QR code the library draws for `text` (the `d` of its `<path>`): a
/// page whose SVG contains it shows a code of exactly that text.
func qrPath(_ text: String, correction: QRCode.Correction = .medium) throws -> String {
    let svg = try QRCode(encoding: text, correction: correction).svg(label: "")
    guard let start = svg.range(of: "<path fill=\"#000000\" d=\"") else { return svg }
    return String(svg[start.upperBound...].prefix { $0 != "\"" })
}
