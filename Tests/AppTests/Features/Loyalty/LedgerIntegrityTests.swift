import Fluent
import Foundation
import LoyaltyCore
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct LedgerIntegrityTests {
    @Test func theDatabaseRefusesToChangeOrDeleteLedgerRows() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            _ = try await app.stamp(counter)
            await #expect(throws: (any Error).self) {
                try await app.db.sql.raw("UPDATE loyalty_transactions SET stamps_delta = 5").run()
            }
            await #expect(throws: (any Error).self) {
                try await app.db.sql.raw("DELETE FROM loyalty_transactions").run()
            }
            let rows = try await app.ledgerRows(of: counter)
            #expect(rows.count == 1 && rows[0].stampsDelta == 1)
        }
    }

    @Test func verifyLedgerPassesAfterRealTrafficAndCatchesTampering() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            for _ in 0..<3 {
                _ = try await app.stamp(counter)
                clock.advance(by: 900)
            }
            _ = try await app.counterRequest(
                counter, .POST, "/points/earn",
                json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826", "purchase_amount_cents": 1_234])
            let clean = try await LedgerVerification(database: app.db).verifyAll()
            #expect(clean.cardsChecked == 1 && clean.rowsChecked == 4 && clean.problems.isEmpty)

            // Someone with database access removes the guard and rewrites history.
            if app.db.isSQLite {
                try await app.db.sql.raw("DROP TRIGGER loyalty_transactions_no_update").run()
            } else {
                try await app.db.sql.raw("DROP TRIGGER loyalty_transactions_append_only ON loyalty_transactions").run()
            }
            try await app.db.sql.raw("UPDATE loyalty_transactions SET points_delta = 9999, points_balance_after = 9999 WHERE type = 'points_earned'").run()
            let card = try await app.reloadCard(counter)
            card.pointsBalance = 9_999
            try await card.save(on: app.db)

            let tampered = try await LedgerVerification(database: app.db).verifyAll()
            let problems = try #require(tampered.problems[counter.cardID])
            #expect(problems.contains { $0.contains("does not match its hash") })
        }
    }

    @Test func aCardWhoseBalanceDriftedFromItsRowsIsReported() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            _ = try await app.stamp(counter)
            let card = try await app.reloadCard(counter)
            card.stampCount = 5
            try await card.save(on: app.db)
            let report = try await LedgerVerification(database: app.db).verifyAll()
            #expect(report.problems[counter.cardID] == ["stamp count 5 ≠ sum of rows 1"])
        }
    }
}

@Suite struct StatsTests {
    @Test func statisticsCountTodayTheWeekAndTheMonthPerStoreAndMerchant() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let otherStore = try await app.makeStore(of: counter.merchant)
            let otherCashier = try await app.token(for: try await app.makeUser(.storeStaff, merchant: counter.merchant, store: otherStore))
            _ = try await app.makePin("7391", in: otherStore)

            _ = try await app.stamp(counter)  // 10 days ago
            clock.advance(by: 10 * 86_400)
            _ = try await app.stamp(counter)  // today
            _ = try await app.counterRequest(
                counter, .POST, "/points/earn",
                json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826", "purchase_amount_cents": 1_000])
            _ = try await app.send(
                .POST, "/api/v1/store/loyalty/cards/enroll", token: otherCashier, json: ["customer": ["name": "New"]])
            clock.advance(by: 900)
            _ = try await app.send(
                .POST, "/api/v1/store/loyalty/stamp", token: otherCashier,
                json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "7391"])

            let store = try await app.counterRequest(counter, .GET, "/stats").json
            #expect(store["scope"]?.string == "store")
            #expect(store["today"]?["stamps_given"]?.int == 1)
            #expect(store["today"]?["points_given"]?.int == 100)
            #expect(store["last_7_days"]?["stamps_given"]?.int == 1)
            #expect(store["last_30_days"]?["stamps_given"]?.int == 2)
            #expect(store["cards_total"]?.int == 2)
            #expect(store["active_cards_30_days"]?.int == 1)

            let merchant = try await app.counterRequest(counter, .GET, "/stats/merchant").json
            #expect(merchant["scope"]?.string == "merchant")
            #expect(merchant["today"]?["stamps_given"]?.int == 2)
            #expect(merchant["today"]?["cards_enrolled"]?.int == 1)
            #expect(merchant["last_30_days"]?["stamps_given"]?.int == 3)

            // A void takes its stamp back out of the day's statistics.
            let rows = try await app.ledgerRows(of: counter)
            let today = try #require(rows.last(where: { $0.storeID == counter.store.id && $0.type == .stampEarned }))
            _ = try await app.counterRequest(
                counter, .POST, "/stamp/void", json: ["transaction_id": .string(today.id!.uuidString), "reason": "mistake", "staff_pin": "4826"])
            #expect(try await app.counterRequest(counter, .GET, "/stats").json["today"]?["stamps_given"]?.int == 0)
        }
    }
}
