import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct SettingsTests {
    func patchSettings(_ app: Application, _ counter: Counter, _ json: [String: JSONValue]) async throws -> TestingHTTPResponse {
        let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
        return try await app.send(.PATCH, "/api/v1/admin/loyalty/merchants/\(counter.merchant.id!)/settings", token: admin, json: json)
    }

    @Test func theAdminChangesSettingsAndTheOwnerOnlyReadsThem() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let defaults = try await app.send(.GET, "/api/v1/merchants/loyalty/settings", token: counter.ownerToken)
            #expect(try defaults.json["staff_pin_policy"]?.string == "optional")
            #expect(try defaults.json["allow_store_voids"]?.bool == true)

            let changed = try await patchSettings(app, counter, ["allow_store_voids": false, "staff_pin_policy": "required"])
            #expect(changed.status == .ok)
            let read = try await app.send(.GET, "/api/v1/merchants/loyalty/settings", token: counter.ownerToken)
            #expect(try read.json["allow_store_voids"]?.bool == false)
            #expect(try read.json["staff_pin_policy"]?.string == "required")

            let ownerTries = try await app.send(
                .PATCH, "/api/v1/admin/loyalty/merchants/\(counter.merchant.id!)/settings", token: counter.ownerToken, json: ["allow_store_voids": true])
            #expect(ownerTries.status == .forbidden)
            #expect(try await patchSettings(app, counter, ["staff_pin_policy": "sometimes"]).status == .unprocessableEntity)
        }
    }

    @Test func voidsObeyTheSetting() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let stamp = try #require(try await app.stamp(counter).json["transaction_id"]?.string)
            _ = try await patchSettings(app, counter, ["allow_store_voids": false])
            let refused = try await app.counterRequest(
                counter, .POST, "/stamp/void", json: ["transaction_id": .string(stamp), "reason": "x", "staff_pin": "4826"])
            #expect(refused.status == .forbidden)
            #expect(try await app.reloadCard(counter).stampCount == 1)
        }
    }

    @Test func thePinPolicyOverridesTheProgram() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            counter.program.requireStaffPin = false
            try await counter.program.save(on: app.db)
            _ = try await patchSettings(app, counter, ["staff_pin_policy": "required"])
            let noPin = try await app.counterRequest(counter, .POST, "/stamp", json: ["card_id": .string(counter.cardID.uuidString)])
            #expect(try noPin.json["error"]?["details"]?["fields"]?["staff_pin"] != nil)

            _ = try await patchSettings(app, counter, ["staff_pin_policy": "disabled"])
            // Disabled: no PIN is checked, not even a wrong one.
            #expect(try await app.stamp(counter, pin: "9753").status == .ok)
            clock.advance(by: 900)
            #expect(try await app.ledgerRows(of: counter).first?.staffPinID == nil)
        }
    }

    @Test func crossStoreRedemptionObeysTheSetting() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            for _ in 0..<3 {
                _ = try await app.stamp(counter)
                clock.advance(by: 900)
            }
            let otherStore = try await app.makeStore(of: counter.merchant)
            _ = try await app.makePin("7391", in: otherStore)
            let elsewhere = try await app.token(for: try await app.makeUser(.storeStaff, merchant: counter.merchant, store: otherStore))
            _ = try await patchSettings(app, counter, ["allow_cross_store_redemption": false])
            let redeem = ["card_id": JSONValue.string(counter.cardID.uuidString), "staff_pin": "7391"]
            let refused = try await app.send(.POST, "/api/v1/store/loyalty/stamp/redeem", token: elsewhere, json: redeem)
            #expect(refused.status == .forbidden)
            // Stamping elsewhere stays allowed; redeeming at home works.
            #expect(try await app.send(.POST, "/api/v1/store/loyalty/stamp", token: elsewhere, json: redeem).status == .ok)
            #expect(try await app.counterRequest(counter, .POST, "/stamp/redeem", json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826"]).status == .ok)
        }
    }

    @Test func concurrentFirstWritesAllLand() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            // No settings row yet: every PATCH below is a "first" write, each of another field.
            let changes: [[String: JSONValue]] = [
                ["allow_store_voids": false], ["allow_self_enrollment": false], ["allow_cross_store_redemption": false],
                ["staff_pin_policy": "required"], ["store_void_window_days": 3],
            ]
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<4 {
                    for change in changes {
                        group.addTask {
                            try await app.send(
                                .PATCH, "/api/v1/admin/loyalty/merchants/\(counter.merchant.id!)/settings", token: admin,
                                json: change
                            ).status
                        }
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses)")
            let read = try await app.send(.GET, "/api/v1/merchants/loyalty/settings", token: counter.ownerToken)
            #expect(try read.json["allow_store_voids"]?.bool == false)
            #expect(try read.json["allow_self_enrollment"]?.bool == false)
            #expect(try read.json["allow_cross_store_redemption"]?.bool == false)
            #expect(try read.json["staff_pin_policy"]?.string == "required")
            #expect(try read.json["store_void_window_days"]?.int == 3)
            #expect(try await MerchantSettingsModel.query(on: app.db).count() == 1)
        }
    }
}
