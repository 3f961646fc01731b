import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct ProgramTests {
    @Test func managersCreateReadChangeAndDeleteTheProgram() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            let manager = try await app.token(for: tenants.a.manager1)
            let cashier = try await app.token(for: tenants.a.cashier1)
            let base = "/api/v1/store/loyalty/program"

            #expect(try await app.send(.GET, base, token: cashier).status == .notFound)
            let created = try await app.send(
                .POST, base, token: manager,
                json: [
                    "loyalty_type": "hybrid", "stamps_target": 8, "stamps_reward_description": "Free cake", "points_per_euro": 5,
                    "card_color": "#4F46E5", "rewards": [["name": "Tea", "points_cost": 80]],
                ])
            #expect(created.status == .created)
            let body = try created.json
            #expect(body["cooldown_minutes"]?.int == 15)  // the platform default
            #expect(body["max_daily_stamps"]?.int == 5)
            #expect(body["require_staff_pin"]?.bool == true)
            #expect(body["rewards"]?[0]?["name"]?.string == "Tea")
            let teaID = try #require(body["rewards"]?[0]?["id"]?.string)

            // The other store of the merchant sees the same program; a cashier reads but does not write.
            let seen = try await app.send(.GET, base, token: try await app.token(for: tenants.a.cashier2))
            #expect(try seen.json["stamps_target"]?.int == 8)
            #expect(try await app.send(.PATCH, base, token: cashier, json: ["stamps_target": 2]).errorCode == "forbidden")
            #expect(try await app.send(.POST, base, token: manager, json: ["loyalty_type": "points"]).status == .conflict)

            let patched = try await app.send(
                .PATCH, base, token: manager,
                json: ["cooldown_minutes": 0, "card_color": .null, "rewards": [["id": .string(teaID), "name": "Green tea", "points_cost": 90], ["name": "Cake", "points_cost": 200]]])
            #expect(patched.status == .ok)
            let patchedBody = try patched.json
            #expect(patchedBody["cooldown_minutes"]?.int == 0)
            #expect(patchedBody["stamps_target"]?.int == 8)  // untouched
            #expect(patchedBody["card_color"]?.isNull == true)
            #expect(patchedBody["rewards"]?.array?.compactMap { $0["name"]?.string } == ["Green tea", "Cake"])

            let dropped = try await app.send(.PATCH, base, token: manager, json: ["rewards": []])
            #expect(try dropped.json["rewards"]?.array?.allSatisfy { $0["active"]?.bool == false } == true)

            #expect(try await app.send(.DELETE, base, token: manager).status == .noContent)
            #expect(try await app.send(.GET, base, token: cashier).status == .notFound)
            #expect(try await app.send(.POST, base, token: manager, json: ["loyalty_type": "points"]).status == .created)
            #expect(try await ProgramModel.query(on: app.db).count() == 1)

            // Merchant B has no program.
            #expect(try await app.send(.GET, base, token: try await app.token(for: tenants.b.cashier1)).status == .notFound)
        }
    }

    @Test func invalidSettingsNameEveryField() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            let response = try await app.send(
                .POST, "/api/v1/store/loyalty/program", token: try await app.token(for: tenants.a.manager1),
                json: [
                    "loyalty_type": "stamps", "stamps_target": 0, "card_color": "purple", "logo_url": "http://insecure.example/logo.png",
                    "cooldown_minutes": -1, "max_daily_stamps": 0, "points_expiration_days": 0, "rewards": [["name": "x", "points_cost": 5]],
                ])
            #expect(response.status == .unprocessableEntity)
            let fields = try #require(try response.json["error"]?["details"]?["fields"])
            for field in ["stamps_target", "stamps_reward_description", "card_color", "logo_url", "cooldown_minutes", "max_daily_stamps", "points_expiration_days", "rewards"] {
                #expect(fields[field] != nil, "\(field)")
            }
            #expect(try await ProgramModel.query(on: app.db).count() == 0)
            let badType = try await app.send(
                .POST, "/api/v1/store/loyalty/program", token: try await app.token(for: tenants.a.manager1), json: ["loyalty_type": "coins"])
            #expect(try badType.json["error"]?["details"]?["fields"]?["loyalty_type"] != nil)
        }
    }
}
