import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Testing
import Vapor

@testable import App

/// `loyalty generate`'s bulk path, on the engine under test: what it writes must be what the
/// write path would have written.
@Suite struct DataGeneratorTests {
    /// 2026-11-30 23:59:59 UTC: a fixed end, so two runs with one seed can be compared.
    static let end = Date(timeIntervalSince1970: 1_796_083_199)

    static func generate(_ app: Application, merchants: Int = 2, cards: Int = 200, rows: Int = 3_000, seed: UInt64 = 42) async throws
        -> DataGenerator.Summary
    {
        let plan = try GenerationPlan(merchants: "\(merchants)", cards: "\(cards)", transactions: "\(rows)")
        let generator = DataGenerator(
            database: app.db, plan: plan, seed: seed, end: end, passwordHash: "not-a-real-hash", pinHasher: app.pinHasher,
            progress: GeneratorProgress(isTerminal: false, plainInterval: 3_600, write: { _ in }))
        return try await generator.run(firstIndex: 0)
    }

    @Test func aSmallGenerationVerifiesAndBalancesEqualTheirLedger() async throws {
        try await withTestApp { app, _ in
            let summary = try await Self.generate(app)
            #expect(summary.merchants == 2 && summary.cards == 200 && summary.rows == 3_000)
            #expect(try await MerchantModel.query(on: app.db).count() == 2)
            #expect(try await CardModel.query(on: app.db).count() == 200)
            #expect(try await TransactionModel.query(on: app.db).count() == 3_000)

            let report = try await LedgerVerification(database: app.db).verifyAll()
            #expect(report.problems.isEmpty, "\(report.problems.prefix(3))")
            #expect(report.cardsChecked == 200 && report.rowsChecked == 3_000)

            // Lifetime totals too, which verify-ledger does not check.
            let rows = try await TransactionModel.query(on: app.db).all()
            let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0.id!, $0) })
            var totals: [UUID: CardBalance] = [:]
            for row in rows {
                var total = totals[row.$card.id, default: CardBalance()]
                switch row.type {
                case .stampEarned: total.totalStampsEarned += row.stampsDelta
                case .stampRedeemed: total.totalStampsRedeemed -= row.stampsDelta
                case .pointsEarned: total.totalPointsEarned += row.pointsDelta
                case .pointsRedeemed: total.totalPointsRedeemed -= row.pointsDelta
                case .stampVoided, .pointsVoided:
                    let original = try #require(row.voidsTransactionID.flatMap { byID[$0] })
                    #expect(original.$card.id == row.$card.id && original.sequence < row.sequence)
                    if original.type == .stampEarned { total.totalStampsEarned -= original.stampsDelta }
                    if original.type == .pointsEarned { total.totalPointsEarned -= original.pointsDelta }
                default: break
                }
                totals[row.$card.id] = total
            }
            for card in try await CardModel.query(on: app.db).all() {
                let total = totals[card.id!, default: CardBalance()]
                #expect(card.totalStampsEarned == total.totalStampsEarned)
                #expect(card.totalStampsRedeemed == total.totalStampsRedeemed)
                #expect(card.totalPointsEarned == total.totalPointsEarned)
                #expect(card.totalPointsRedeemed == total.totalPointsRedeemed)
                #expect(card.createdAt! <= card.updatedAt!)
            }
            // The generator writes more than one kind of row, and stays in the past.
            let kinds = Set(rows.map(\.type))
            #expect(kinds.isSuperset(of: [.stampEarned, .stampRedeemed, .pointsEarned, .pointsRedeemed, .stampVoided]))
            #expect(rows.allSatisfy { $0.createdAt <= Self.end.addingTimeInterval(3_600) })
        }
    }

    private struct StatsRow: Decodable {
        let store_id: UUID
        let day: String
        let cards_enrolled: Int
        let stamps_given: Int
        let stamps_redeemed: Int
        let points_given: Int
        let points_redeemed: Int
        let points_expired: Int
    }

    @Test func dailyStatsAreTheAggregatesOfTheLedger() async throws {
        try await withTestApp { app, _ in
            _ = try await Self.generate(app)
            struct Key: Hashable {
                let store: UUID
                let day: String
            }
            // What the services would have bumped, recomputed from the rows and the cards.
            var expected: [Key: DailyStatsDelta] = [:]
            let rows = try await TransactionModel.query(on: app.db).all()
            let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0.id!, $0) })
            for row in rows {
                let key = Key(store: try #require(row.storeID), day: try #require(row.businessDay))
                var delta = expected[key, default: DailyStatsDelta()]
                switch row.type {
                case .stampEarned: delta.stampsGiven += row.stampsDelta
                case .stampRedeemed: delta.stampsRedeemed -= row.stampsDelta
                case .pointsEarned: delta.pointsGiven += row.pointsDelta
                case .pointsRedeemed: delta.pointsRedeemed -= row.pointsDelta
                case .pointsExpired: delta.pointsExpired -= row.pointsDelta
                case .stampVoided, .pointsVoided:
                    let reversal = VoidService.statsReversal(of: try #require(row.voidsTransactionID.flatMap { byID[$0] }))
                    delta.stampsGiven += reversal.stampsGiven
                    delta.pointsGiven += reversal.pointsGiven
                default: break
                }
                expected[key] = delta
            }
            for card in try await CardModel.query(on: app.db).all() {
                let day = try #require(CalendarDate(card.createdAt!, in: TimeZone(identifier: "Europe/Luxembourg")!))
                expected[Key(store: card.$enrolledStore.id!, day: day.description), default: DailyStatsDelta()].cardsEnrolled += 1
            }

            let stored = try await app.db.sql.raw(
                """
                SELECT store_id, day, CAST(SUM(cards_enrolled) AS BIGINT) AS cards_enrolled, CAST(SUM(stamps_given) AS BIGINT) AS stamps_given,
                    CAST(SUM(stamps_redeemed) AS BIGINT) AS stamps_redeemed, CAST(SUM(points_given) AS BIGINT) AS points_given, CAST(SUM(points_redeemed) AS BIGINT) AS points_redeemed,
                    CAST(SUM(points_expired) AS BIGINT) AS points_expired
                FROM loyalty_daily_stats GROUP BY store_id, day
                """
            ).all(decoding: StatsRow.self)
            var actual: [Key: DailyStatsDelta] = [:]
            for row in stored {
                actual[Key(store: row.store_id, day: row.day)] = DailyStatsDelta(
                    cardsEnrolled: row.cards_enrolled, stampsGiven: row.stamps_given, stampsRedeemed: row.stamps_redeemed,
                    pointsGiven: row.points_given, pointsRedeemed: row.points_redeemed, pointsExpired: row.points_expired)
            }
            #expect(actual.count > 100)
            #expect(actual == expected)
        }
    }

    /// The bulk insert names the ledger's columns itself; a column added to the model must be
    /// added there too.
    @Test func theBulkLedgerInsertWritesEveryColumnOfTheModel() {
        #expect(Set(GeneratedLedgerRows.columns) == Set(TransactionModel.keys.map(\.description)))
        #expect(GeneratedLedgerRows.columns.count == TransactionModel.keys.count)
    }

    /// The rollups rebuilt after a generation read the ledger and the cards page by page: pages
    /// of 7 must give what one page gives (a cursor that does not advance throws
    /// `BackfillError` instead of looping).
    @Test func theRebuiltRollupsDoNotDependOnThePageSize() async throws {
        try await withTestApp { app, _ in
            _ = try await Self.generate(app, cards: 60, rows: 900)
            try await AnalyticsBackfill.run(on: app.db)
            let onePage = try await RollupSnapshot.take(app.db)
            #expect(onePage.balances.count == 2 && onePage.buckets.count > 10 && onePage.daily.count > 50)
            try await AnalyticsBackfill.run(on: app.db, pageSize: 7)
            #expect(try await RollupSnapshot.take(app.db) == onePage)
        }
    }

    /// The generator sums the rollups from the rows it makes instead of reading them back
    /// (decision 0034): what it writes must be what a rebuild from the ledger writes.
    @Test func theGeneratedRollupsEqualARebuildFromTheLedger() async throws {
        try await withTestApp { app, _ in
            _ = try await Self.generate(app, cards: 300, rows: 6_000)
            let generated = try await RollupSnapshot.take(app.db, enrollments: true)
            #expect(generated.daily.count > 100 && generated.staff.count > 100 && generated.rewards.count > 50)
            #expect(generated.balances.count == 2 && generated.buckets.count > 10 && generated.events.count > 5, "\(generated.events.count) events")
            try await AnalyticsBackfill.run(on: app.db)
            let rebuilt = try await RollupSnapshot.take(app.db, enrollments: true)
            #expect(rebuilt.daily == generated.daily)
            #expect(rebuilt.staff == generated.staff)
            #expect(rebuilt.rewards == generated.rewards)
            #expect(rebuilt.balances == generated.balances)
            #expect(rebuilt.buckets == generated.buckets)
            #expect(rebuilt.events == generated.events)
        }
    }

    @Test func theSameSeedGivesTheSameData() async throws {
        var runs: [[String]] = []
        for seed: UInt64 in [7, 7, 8] {
            try await withTestApp { app, _ in
                _ = try await Self.generate(app, merchants: 1, cards: 20, rows: 200, seed: seed)
                let hashes = try await TransactionModel.query(on: app.db).all().map(\.entryHash).sorted()
                let numbers = try await CardModel.query(on: app.db).all().map(\.cardNumber).sorted()
                runs.append(hashes + numbers)
            }
        }
        #expect(runs[0].count == 220)
        #expect(runs[0] == runs[1])
        #expect(runs[0] != runs[2])
    }
}
