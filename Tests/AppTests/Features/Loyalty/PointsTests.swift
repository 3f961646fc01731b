import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct PointsTests {
    func earn(_ app: Application, _ counter: Counter, cents: Int, path: String = "/points/earn") async throws -> TestingHTTPResponse {
        try await app.counterRequest(
            counter, .POST, path,
            json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826", "purchase_amount_cents": .int(cents), "order_reference": "ORD-7"])
    }

    @Test func aPurchaseEarnsTheFloorOfCentsTimesRate() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let response = try await earn(app, counter, cents: 2_599)
            #expect(response.status == .ok)
            #expect(try response.json["points_earned"]?.int == 259)
            #expect(try response.json["points_balance"]?.int == 259)
            let alias = try await earn(app, counter, cents: 9, path: "/points")
            #expect(try alias.json["points_earned"]?.int == 0)
            let rows = try await app.ledgerRows(of: counter)
            #expect(rows.map(\.purchaseAmountCents) == [2_599, 9])
            #expect(rows.map(\.orderReference) == ["ORD-7", "ORD-7"])
        }
    }

    @Test func purchaseAmountsAreChecked() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            for cents in [0, -5, 100_000_001] {
                let response = try await earn(app, counter, cents: cents)
                #expect(try response.json["error"]?["details"]?["fields"]?["purchase_amount_cents"] != nil)
            }
            #expect(try await app.ledgerRows(of: counter).isEmpty)
        }
    }

    @Test func aRewardIsRedeemedAgainstTheBalance() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let reward = try #require(try await RewardModel.query(on: app.db).filter(\.$program.$id == counter.program.requireID()).first())
            let redeem = ["card_id": JSONValue.string(counter.cardID.uuidString), "staff_pin": "4826", "reward_id": .string(try reward.requireID().uuidString)]
            let short = try await app.counterRequest(counter, .POST, "/points/redeem", json: redeem)
            #expect(short.errorCode == "insufficient_points")
            #expect(try short.json["error"]?["details"]?["needed"]?.int == 150)

            _ = try await earn(app, counter, cents: 2_000)
            let redeemed = try await app.counterRequest(counter, .POST, "/points/redeem", json: redeem)
            #expect(redeemed.status == .ok)
            #expect(try redeemed.json["points_balance"]?.int == 50)
            #expect(try redeemed.json["reward_name"]?.string == "Croissant")

            reward.isActive = false
            try await reward.save(on: app.db)
            _ = try await earn(app, counter, cents: 2_000)
            #expect(try await app.counterRequest(counter, .POST, "/points/redeem", json: redeem).errorCode == "reward_unavailable")

            let unknown = ["card_id": JSONValue.string(counter.cardID.uuidString), "staff_pin": "4826", "reward_id": .string(UUID().uuidString)]
            #expect(try await app.counterRequest(counter, .POST, "/points/redeem", json: unknown).status == .notFound)
        }
    }

    @Test func earningsAndRedemptionsAreVoidedOnce() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let earned = try #require(try await earn(app, counter, cents: 1_000).json["transaction_id"]?.string)
            let voided = try await app.counterRequest(
                counter, .POST, "/points/void", json: ["transaction_id": .string(earned), "reason": "refund", "staff_pin": "4826"])
            #expect(try voided.json["points_balance"]?.int == 0)
            let again = try await app.counterRequest(
                counter, .POST, "/points/void", json: ["transaction_id": .string(earned), "reason": "refund", "staff_pin": "4826"])
            #expect(again.errorCode == "already_voided")
            let stampID = try #require(try await app.stamp(counter).json["transaction_id"]?.string)
            let wrongFamily = try await app.counterRequest(
                counter, .POST, "/points/void", json: ["transaction_id": .string(stampID), "reason": "x", "staff_pin": "4826"])
            #expect(wrongFamily.status == .unprocessableEntity)
        }
    }

    @Test func onlyOwnersAdjustAndMustSayWhy() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let path = "/cards/\(counter.cardID)/points/adjust"
            let cashier = try await app.counterRequest(counter, .POST, path, json: ["points_delta": 50, "reason": "goodwill"])
            #expect(cashier.errorCode == "forbidden")
            let noReason = try await app.counterRequest(counter, .POST, path, json: ["points_delta": 50], token: counter.ownerToken)
            #expect(try noReason.json["error"]?["details"]?["fields"]?["reason"] != nil)
            let adjusted = try await app.counterRequest(
                counter, .POST, path, json: ["points_delta": 50, "reason": "goodwill"], token: counter.ownerToken)
            #expect(adjusted.status == .ok)
            #expect(try adjusted.json["points_balance"]?.int == 50)
            let below = try await app.counterRequest(
                counter, .POST, path, json: ["points_delta": -51, "reason": "typo"], token: counter.ownerToken)
            #expect(below.errorCode == "insufficient_points")
            let rows = try await app.ledgerRows(of: counter)
            #expect(rows.map(\.type) == [.pointsAdjusted])
            #expect(rows.first?.notes == "goodwill")
            #expect(rows.first?.userID == counter.owner.id)
        }
    }

    @Test func aStampsProgramRefusesPoints() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app, rules: ProgramRules(loyaltyType: .stamps, stampsRewardDescription: "x"))
            #expect(try await earn(app, counter, cents: 1_000).errorCode == "program_type_mismatch")
        }
    }
}
