import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// Who may void which row (docs/decisions/0014-void-permissions.md), through the API.
@Suite struct VoidPermissionTests {
    static func void(
        _ app: Application, _ counter: Counter, _ transactionID: String, family: String = "stamp", token: String? = nil,
        pin: String = Counter.pinCode
    ) async throws -> TestingHTTPResponse {
        try await app.counterRequest(
            counter, .POST, "/\(family)/void", json: ["transaction_id": .string(transactionID), "reason": "mistake", "staff_pin": .string(pin)],
            token: token)
    }

    static func adjustment(_ app: Application, _ counter: Counter) async throws -> String {
        let response = try await app.counterRequest(
            counter, .POST, "/cards/\(counter.cardID)/points/adjust", json: ["points_delta": 50, "reason": "goodwill"], token: counter.ownerToken)
        return try #require(try response.json["transaction_id"]?.string)
    }

    static func manager(_ app: Application, _ counter: Counter) async throws -> String {
        try await app.token(for: try await app.makeUser(.storeManager, merchant: counter.merchant, store: counter.store))
    }

    static func expectRefused(_ response: TestingHTTPResponse, reason: String) throws {
        #expect(response.status == .forbidden)
        #expect(response.errorCode == "forbidden")
        #expect(try response.json["error"]?["details"]?["reason"]?.string == reason)
    }

    @Test func onlyOwnersVoidAnOwnersAdjustment() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let adjusted = try await Self.adjustment(app, counter)
            try Self.expectRefused(try await Self.void(app, counter, adjusted, family: "points"), reason: "owner_adjustment")
            let manager = try await Self.manager(app, counter)
            try Self.expectRefused(try await Self.void(app, counter, adjusted, family: "points", token: manager), reason: "owner_adjustment")
            #expect(try await app.reloadCard(counter).pointsBalance == 50)

            #expect(try await Self.void(app, counter, adjusted, family: "points", token: counter.ownerToken).status == .ok)
            #expect(try await app.reloadCard(counter).pointsBalance == 0)
        }
    }

    @Test func storeRolesVoidOnlyTheirOwnStoresRows() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            // A stamp given in another store of the merchant, on the same card.
            let otherStore = try await app.makeStore(of: counter.merchant)
            _ = try await app.makePin("5173", in: otherStore, name: "Marc")
            let otherCashier = try await app.token(for: try await app.makeUser(.storeStaff, merchant: counter.merchant, store: otherStore))
            let stamped = try await app.counterRequest(
                counter, .POST, "/stamp", json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "5173"], token: otherCashier)
            let transactionID = try #require(try stamped.json["transaction_id"]?.string)

            try Self.expectRefused(try await Self.void(app, counter, transactionID), reason: "other_store")
            try Self.expectRefused(try await Self.void(app, counter, transactionID, token: try await Self.manager(app, counter)), reason: "other_store")
            // The owner, acting in this store, may.
            #expect(try await Self.void(app, counter, transactionID, token: counter.ownerToken).status == .ok)
        }
    }

    @Test func cashiersVoidOnlyWithinTheWindowAndManagersBeyondIt() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let today = try #require(try await app.stamp(counter).json["transaction_id"]?.string)
            #expect(try await Self.void(app, counter, today).status == .ok)  // the same business day

            clock.advance(by: 1_000)  // past the cooldown, still the same day
            let yesterday = try #require(try await app.stamp(counter).json["transaction_id"]?.string)
            clock.advance(by: 86_400)
            let refused = try await Self.void(app, counter, yesterday)
            try Self.expectRefused(refused, reason: "outside_void_window")
            #expect(try refused.json["error"]?["details"]?["store_void_window_days"]?.int == 0)
            #expect(try await Self.void(app, counter, yesterday, token: try await Self.manager(app, counter)).status == .ok)
        }
    }

    @Test func theMerchantsSettingWidensTheCashiersWindow() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let changed = try await app.send(
                .PATCH, "/api/v1/admin/loyalty/merchants/\(counter.merchant.id!)/settings", token: admin, json: ["store_void_window_days": 1])
            #expect(try changed.json["store_void_window_days"]?.int == 1)

            let first = try #require(try await app.stamp(counter).json["transaction_id"]?.string)
            clock.advance(by: 86_400)
            let second = try #require(try await app.stamp(counter).json["transaction_id"]?.string)
            #expect(try await Self.void(app, counter, first).status == .ok)  // yesterday: inside a one-day window
            clock.advance(by: 2 * 86_400)
            try Self.expectRefused(try await Self.void(app, counter, second), reason: "outside_void_window")
        }
    }

    @Test(arguments: [-1, 367])
    func theWindowSettingIsBounded(_ days: Int) async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let response = try await app.send(
                .PATCH, "/api/v1/admin/loyalty/merchants/\(counter.merchant.id!)/settings", token: admin,
                json: ["store_void_window_days": .int(days)])
            #expect(response.status == .unprocessableEntity)
            #expect(try response.json["error"]?["details"]?["fields"]?["store_void_window_days"] != nil)
        }
    }
}
