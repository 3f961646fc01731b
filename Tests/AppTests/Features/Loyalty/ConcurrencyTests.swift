import Fluent
import Foundation
import LoyaltyCore
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

/// Parallel requests against one card, on both engines. `raceWindow` pauses every operation
/// between reading the locked card and writing, so a missing lock would show as lost or
/// doubled effects here rather than pass by luck.
@Suite struct ConcurrencyTests {
    static let raceWindow: Duration = .milliseconds(5)

    /// `count` requests at once. A 503 `database_busy` (a lock wait past the timeout, seen when
    /// the machine is loaded) changed nothing by contract, so the request is sent again as a
    /// client would; the assertions then see only the answers that decided something.
    func parallel(_ count: Int, _ request: @escaping @Sendable (Int) async throws -> TestingHTTPResponse) async throws -> [TestingHTTPResponse] {
        try await withThrowingTaskGroup(of: TestingHTTPResponse.self) { group in
            for index in 0..<count {
                group.addTask {
                    var response = try await request(index)
                    for _ in 0..<Self.busyRetries where response.errorCode == "database_busy" {
                        try await Task.sleep(for: .milliseconds(50))
                        response = try await request(index)
                    }
                    return response
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    static let busyRetries = 20

    @Test func parallelStampsInsideTheCooldownGiveExactlyOne() async throws {
        try await withTestApp { app, _ in
            app.raceWindow = Self.raceWindow
            let counter = try await Counter.make(in: app)
            let responses = try await parallel(32) { _ in try await app.stamp(counter) }
            #expect(responses.filter { $0.status == .ok }.count == 1)
            #expect(responses.filter { $0.errorCode == "cooldown_active" }.count == 31)
            #expect(try await app.reloadCard(counter).stampCount == 1)
            #expect(try await app.ledgerRows(of: counter).count == 1)
        }
    }

    @Test func parallelRedemptionsNeverExceedTheBalance() async throws {
        try await withTestApp { app, _ in
            app.raceWindow = Self.raceWindow
            let counter = try await Counter.make(in: app, rewards: [("Croissant", 100)])
            // Room for three redemptions, not four.
            let adjust = try await app.counterRequest(
                counter, .POST, "/cards/\(counter.cardID)/points/adjust", json: ["points_delta": 350, "reason": "welcome"], token: counter.ownerToken)
            #expect(adjust.status == .ok)
            let reward = try #require(try await RewardModel.query(on: app.db).first())
            let responses = try await parallel(16) { _ in
                try await app.counterRequest(
                    counter, .POST, "/points/redeem",
                    json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826", "reward_id": .string(reward.id!.uuidString)])
            }
            #expect(responses.filter { $0.status == .ok }.count == 3)
            #expect(responses.filter { $0.errorCode == "insufficient_points" }.count == 13)
            #expect(try await app.reloadCard(counter).pointsBalance == 50)
        }
    }

    @Test func parallelStampRedemptionsNeverExceedTheStamps() async throws {
        try await withTestApp { app, clock in
            app.raceWindow = Self.raceWindow
            let counter = try await Counter.make(in: app)  // 3 stamps per reward
            for _ in 0..<7 {
                #expect(try await app.stamp(counter).status == .ok)
                clock.advance(by: 86_400)  // a new day and past the cooldown
            }
            let responses = try await parallel(16) { _ in
                try await app.counterRequest(counter, .POST, "/stamp/redeem", json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826"])
            }
            #expect(responses.filter { $0.status == .ok }.count == 2)
            #expect(try await app.reloadCard(counter).stampCount == 1)
        }
    }

    @Test func parallelRequestsWithOneKeyHaveOneEffect() async throws {
        try await withTestApp { app, _ in
            app.raceWindow = Self.raceWindow
            let counter = try await Counter.make(in: app)
            let responses = try await parallel(32) { _ in
                try await app.counterRequest(
                    counter, .POST, "/points/earn",
                    json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826", "purchase_amount_cents": 1_000],
                    idempotencyKey: "one-purchase")
            }
            #expect(responses.allSatisfy { $0.status == .ok })
            #expect(Set(responses.map { String(buffer: $0.body) }).count == 1)
            #expect(responses.filter { $0.headers.first(name: "Idempotent-Replayed") == "true" }.count == 31)
            #expect(try await app.reloadCard(counter).pointsBalance == 100)
            #expect(try await app.ledgerRows(of: counter).count == 1)
        }
    }

    @Test func parallelWrongPinsLockAtTheLimit() async throws {
        try await withTestApp { app, _ in
            app.raceWindow = Self.raceWindow
            let counter = try await Counter.make(in: app)
            // Guesses on different cards do not share a card lock: only the PIN counter orders them.
            var cards: [UUID] = []
            for _ in 0..<20 {
                let customer = try await app.makeCustomer(of: counter.merchant)
                cards.append(try await app.makeCard(for: customer, program: counter.program, store: counter.store).requireID())
            }
            let cardIDs = cards
            let responses = try await parallel(20) { index in
                try await app.counterRequest(counter, .POST, "/stamp", json: ["card_id": .string(cardIDs[index].uuidString), "staff_pin": "9753"])
            }
            #expect(responses.filter { $0.errorCode == "invalid_pin" }.count == 4)
            #expect(responses.filter { $0.errorCode == "pin_locked" }.count == 16)
            let guardRow = try await app.db.sql.raw("SELECT failed_attempts FROM pin_terminal_failures").first()
            #expect(try guardRow?.decode(column: "failed_attempts", as: Int.self) == 5)
        }
    }

    @Test func concurrentOperationsKeepTheLedgerVerifiable() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app, rules: ProgramRules(loyaltyType: .hybrid, stampsTarget: 2, stampsRewardDescription: "x", cooldownMinutes: 0, maxDailyStamps: 1_000))
            _ = try await parallel(40) { index in
                switch index % 3 {
                case 0: try await app.stamp(counter)
                case 1:
                    try await app.counterRequest(
                        counter, .POST, "/points/earn",
                        json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826", "purchase_amount_cents": .int(100 + index)])
                default:
                    try await app.counterRequest(counter, .POST, "/stamp/redeem", json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826"])
                }
            }
            let report = try await LedgerVerification(database: app.db).verifyAll()
            #expect(report.problems.isEmpty)
            #expect(report.rowsChecked == (try await app.ledgerRows(of: counter).count))
        }
    }
}
