import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct StampTests {
    @Test func aStampAnswersWithTheSeedsFieldsAndWritesOneLedgerRow() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let response = try await app.stamp(counter)
            #expect(response.status == .ok)
            let body = try response.json
            #expect(body["card_id"]?.uuid == counter.cardID)
            #expect(body["stamp_count"]?.int == 1)
            #expect(body["stamps_target"]?.int == 3)
            #expect(body["reward_earned"]?.bool == false)
            #expect(body["stamps_today"]?.int == 1)
            #expect(body["max_daily_stamps"]?.int == 5)
            #expect(body["next_stamp_available_at"]?.string == clock.now.addingTimeInterval(900).formatted(.iso8601))
            let rows = try await app.ledgerRows(of: counter)
            #expect(rows.count == 1)
            #expect(rows.first?.id == body["transaction_id"]?.uuid)
            #expect(rows.first?.type == .stampEarned)
            #expect(rows.first?.staffPinID == counter.pin.id)
            #expect(rows.first?.userID == counter.cashier.id)
            #expect(rows.first?.storeID == counter.store.id)
        }
    }

    @Test func aStampInsideTheCooldownIsRefusedWithTheNextTime() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            _ = try await app.stamp(counter)
            clock.advance(by: 600)
            let refused = try await app.stamp(counter)
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "cooldown_active")
            #expect(try refused.json["error"]?["details"]?["next_stamp_available_at"]?.string == clock.now.addingTimeInterval(300).formatted(.iso8601))
            #expect(try await app.reloadCard(counter).stampCount == 1)
            #expect(try await app.ledgerRows(of: counter).count == 1)
            clock.advance(by: 300)
            #expect(try await app.stamp(counter).status == .ok)
        }
    }

    @Test func theDailyLimitStopsStampsUntilTheStoresMidnight() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(
                in: app,
                rules: ProgramRules(loyaltyType: .stamps, stampsTarget: 10, stampsRewardDescription: "x", cooldownMinutes: 0, maxDailyStamps: 2))
            #expect(try await app.stamp(counter).status == .ok)
            #expect(try await app.stamp(counter).status == .ok)
            let refused = try await app.stamp(counter)
            #expect(refused.errorCode == "daily_limit_reached")
            let details = try refused.json["error"]?["details"]
            #expect(details?["max_daily_stamps"]?.int == 2)
            let resetsAt = try #require(details?["resets_at"]?.string.flatMap { try? Date($0, strategy: .iso8601) })
            #expect(resetsAt > clock.now)
            clock.advance(by: resetsAt.timeIntervalSince(clock.now))
            #expect(try await app.stamp(counter).status == .ok)
        }
    }

    @Test func redeemingTakesTheTargetAndTellsTheRewardsLeft() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            for _ in 0..<4 {
                #expect(try await app.stamp(counter).status == .ok)
                clock.advance(by: 900)
            }
            let redeemed = try await app.counterRequest(
                counter, .POST, "/stamp/redeem", json: ["card_number": .string(counter.card.cardNumber), "staff_pin": "4826"])
            #expect(redeemed.status == .ok)
            #expect(try redeemed.json["stamp_count"]?.int == 1)
            #expect(try redeemed.json["rewards_available"]?.int == 0)
            #expect(try redeemed.json["reward_description"]?.string == "Free coffee")
            let again = try await app.counterRequest(counter, .POST, "/stamp/redeem", json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826"])
            #expect(again.errorCode == "insufficient_stamps")
            #expect(try again.json["error"]?["details"]?["balance"]?.int == 1)
            #expect(try again.json["error"]?["details"]?["needed"]?.int == 3)
        }
    }

    @Test func aStampIsVoidedOnceAndNeverBelowZero() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let stamp = try await app.stamp(counter)
            let transactionID = try #require(try stamp.json["transaction_id"]?.string)
            let void = ["transaction_id": JSONValue.string(transactionID), "reason": "wrong card", "staff_pin": "4826"]
            let voided = try await app.counterRequest(counter, .POST, "/stamp/void", json: void)
            #expect(voided.status == .ok)
            #expect(try voided.json["stamp_count"]?.int == 0)
            #expect(try voided.json["voided_transaction_id"]?.string == transactionID)
            let twice = try await app.counterRequest(counter, .POST, "/stamp/void", json: void)
            #expect(twice.errorCode == "already_voided")
            let rows = try await app.ledgerRows(of: counter)
            #expect(rows.map(\.type) == [.stampEarned, .stampVoided])
            #expect(rows.last?.voidsTransactionID?.uuidString == transactionID)
            // The voided stamp no longer counts toward today's limit; the card shows zero.
            #expect(try await app.reloadCard(counter).stampsToday == 0)

            // A stamp already redeemed cannot be voided: the balance would go below zero.
            clock.advance(by: 900)
            var ids: [String] = []
            for _ in 0..<3 {
                ids.append(try #require(try await app.stamp(counter).json["transaction_id"]?.string))
                clock.advance(by: 900)
            }
            _ = try await app.counterRequest(counter, .POST, "/stamp/redeem", json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826"])
            let belowZero = try await app.counterRequest(
                counter, .POST, "/stamp/void", json: ["transaction_id": .string(ids[0]), "reason": "late", "staff_pin": "4826"])
            #expect(belowZero.errorCode == "insufficient_stamps")
            // A points row is not voided through the stamp endpoint.
            #expect(try await app.reloadCard(counter).stampCount == 0)
        }
    }

    @Test func theProgramsPinRuleIsEnforced() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let missing = try await app.counterRequest(counter, .POST, "/stamp", json: ["card_id": .string(counter.cardID.uuidString)])
            #expect(missing.status == .unprocessableEntity)
            #expect(try missing.json["error"]?["details"]?["fields"]?["staff_pin"] != nil)
            #expect(try await app.ledgerRows(of: counter).isEmpty)

            counter.program.requireStaffPin = false
            try await counter.program.save(on: app.db)
            let withoutPin = try await app.counterRequest(counter, .POST, "/stamp", json: ["card_id": .string(counter.cardID.uuidString)])
            #expect(withoutPin.status == .ok)
            #expect(try await app.ledgerRows(of: counter).first?.staffPinID == nil)
        }
    }

    @Test func cardsAreNamedByIdNumberOrQRCode() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let formatted = try #require(CardNumber(counter.card.cardNumber)?.formatted)
            for reference in [["card_number": JSONValue.string(formatted)], ["qr_code": .string(counter.card.qrToken)]] {
                var json = reference
                json["staff_pin"] = "4826"
                #expect(try await app.counterRequest(counter, .POST, "/stamp", json: json).status == .ok)
                clock.advance(by: 900)
            }
            let wrongDigit = String(counter.card.cardNumber.dropLast()) + String((Int(String(counter.card.cardNumber.last!))! + 1) % 10)
            let typo = try await app.counterRequest(counter, .POST, "/stamp", json: ["card_number": .string(wrongDigit), "staff_pin": "4826"])
            #expect(typo.status == .unprocessableEntity)
            #expect(try typo.json["error"]?["details"]?["fields"]?["card_number"] != nil)
            let none = try await app.counterRequest(counter, .POST, "/stamp", json: ["staff_pin": "4826"])
            #expect(try none.json["error"]?["details"]?["fields"]?["card"] != nil)
        }
    }

    @Test func anotherMerchantsCardIsNotFound() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            let response = try await app.counterRequest(
                counter, .POST, "/stamp", json: ["card_id": .string(other.cardID.uuidString), "staff_pin": "4826"])
            #expect(response.status == .notFound)
            #expect(try await app.ledgerRows(of: other).isEmpty)
        }
    }

    @Test func aDeletedProgramRefusesOperations() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            counter.program.isActive = false
            try await counter.program.save(on: app.db)
            #expect(try await app.stamp(counter).errorCode == "program_inactive")
        }
    }
}
