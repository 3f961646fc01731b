import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import Testing
import VaporTesting

@testable import App

/// Each merchant's compacted days as running totals (`MerchantRunningTotals`, decision 0043):
/// a merchant's sums over any range equal the merchant days summed, whichever way the totals
/// were written (two compactions, or the migration's one pass).
@Suite struct MerchantRunningTotalsTests {
    static let first = CalendarDate("2026-01-01")!
    static let days = 40

    /// Merchant days with figures drawn from a fixed seed, on most days of 40 (gaps included),
    /// for three merchants (the third has none: it must get no sums).
    static func fillMerchantDays(_ app: Application) async throws -> [UUID] {
        var merchants: [UUID] = []
        for name in ["Alpha", "Beta", "Gamma"] { merchants.append(try await app.makeMerchant(name).requireID()) }
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        for merchant in merchants.prefix(2) {
            for offset in 0..<days where next(5) != 0 {
                let values = MerchantDays.measureColumns.map { _ in String(next(1_000)) }.joined(separator: ", ")
                try await app.db.sql.raw(
                    """
                    INSERT INTO \(ident: MerchantDays.table) (merchant_id, day, \(unsafeRaw: MerchantDays.measureColumns.joined(separator: ", ")))
                    VALUES (\(bind: merchant), \(bind: first.adding(days: offset).description), \(unsafeRaw: values))
                    """
                ).run()
            }
        }
        return merchants
    }

    /// The merchant days summed directly, the reference.
    static func direct(_ app: Application, _ range: ClosedRange<CalendarDate>) async throws -> [UUID: AnalyticsMeasures] {
        try await MeasureSums.sums(of: MerchantDays.table, by: "merchant_id", as: UUID.self, merchantID: nil, storeID: nil, range: range, on: app.db)
    }

    /// Every range of the 40 days and a week either side, compared (zeros and absent alike).
    static func expectEveryRangeMatches(_ app: Application, merchants: [UUID]) async throws {
        var compared = 0
        for start in stride(from: -7, to: days + 7, by: 3) {
            for length in [0, 1, 6, 13, 29, 45] {
                let range = first.adding(days: start)...first.adding(days: start + length)
                let running = try await MerchantRunningTotals.sums(over: range, on: app.db)
                let reference = try await direct(app, range)
                for merchant in merchants {
                    #expect(running[merchant] ?? .init() == reference[merchant] ?? .init(), "\(range) \(merchant)")
                }
                #expect(running[merchants[2]] == nil)
                compared += 1
            }
        }
        #expect(compared == 108)
    }

    @Test func sumsOverAnyRangeEqualTheDaysSummed() async throws {
        try await withTestApp { app, _ in
            let merchants = try await Self.fillMerchantDays(app)
            // Two compactions: the second continues each merchant's totals from its last row.
            try await MerchantRunningTotals.extend(after: nil, through: Self.first.adding(days: 17), on: app.db)
            try await MerchantRunningTotals.extend(after: Self.first.adding(days: 17), through: Self.first.adding(days: Self.days), on: app.db)
            try await Self.expectEveryRangeMatches(app, merchants: merchants)
            let twoSteps = try await Self.rows(app)
            #expect(twoSteps.count == (try await MerchantDaysTests.compactedRows(app)))

            // The migration's single pass writes the same rows.
            try await MerchantRunningTotals.reset(on: app.db)
            try await MerchantRunningTotals.extend(after: nil, through: nil, on: app.db)
            #expect(try await Self.rows(app) == twoSteps)
        }
    }

    @Test func aMerchantsLastRowCarriesOverADayWithoutActivity() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant().requireID()
            for (day, visits) in [("2026-03-01", 5), ("2026-03-04", 7)] {
                try await app.db.sql.raw(
                    "INSERT INTO \(ident: MerchantDays.table) (merchant_id, day, visits) VALUES (\(bind: merchant), \(bind: day), \(bind: visits))"
                ).run()
            }
            try await MerchantRunningTotals.extend(after: nil, through: CalendarDate("2026-03-02"), on: app.db)
            try await MerchantRunningTotals.extend(after: CalendarDate("2026-03-02"), through: CalendarDate("2026-03-05"), on: app.db)
            func visits(_ from: String, _ to: String) async throws -> Int? {
                try await MerchantRunningTotals.sums(over: CalendarDate(from)!...CalendarDate(to)!, on: app.db)[merchant]?.visits
            }
            #expect(try await visits("2026-03-01", "2026-03-05") == 12)
            #expect(try await visits("2026-03-02", "2026-03-03") == 0)
            #expect(try await visits("2026-03-02", "2026-03-04") == 7)
            #expect(try await visits("2026-03-04", "2026-03-04") == 7)
            #expect(try await visits("2026-02-01", "2026-02-28") == nil)
        }
    }

    @Test func sumsTextIsReadStrictly() {
        #expect(MeasureSumRow.integers(in: "12,0,-3,9223372036854775807") == [12, 0, -3, 9_223_372_036_854_775_807])
        for bad in ["", ",", "1,", ",1", "1,,2", "-", "1-2", "--1", "1 ,2", "a", "9223372036854775808", "1.5", "٣"] {
            #expect(MeasureSumRow.integers(in: bad) == nil, "\(bad)")
        }
    }

    /// The table's rows in key order, as text.
    static func rows(_ app: Application) async throws -> [String] {
        let columns = MerchantDays.measureColumns.map { "CAST(\($0) AS TEXT)" }.joined(separator: " || ',' || ")
        struct Row: Decodable {
            let merchant_id: UUID
            let day: String
            let figures: String
        }
        return try await app.db.sql.raw(
            """
            SELECT merchant_id, day, \(unsafeRaw: columns) AS figures
            FROM \(ident: MerchantRunningTotals.table) ORDER BY merchant_id, day
            """
        ).all(decoding: Row.self).map { "\($0.merchant_id) \($0.day) \($0.figures)" }
    }
}
