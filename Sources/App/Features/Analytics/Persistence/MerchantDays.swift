import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// Closed days of `loyalty_daily_stats` summed per merchant and day into
/// `loyalty_merchant_daily_stats` (decision 0037), so that a report's daily series and the
/// platform's view read one row per merchant and day instead of one per store, day and shard
/// (at a million cards, a year of the platform was 98,000 rows to sum per request).
///
/// A day is closed two UTC days after it ends: no store's local day can still be that one,
/// and every writer of `loyalty_daily_stats` writes the current business day (operations,
/// enrollments). The bulk writers (the backfill, the generator) write past days: they reset
/// the compaction (`RollupBuilder.write`), and `compact` starts again from the first day.
/// Readers take the compacted days up to the mark and `loyalty_daily_stats` after it, so a
/// compaction that has not run yet makes a report slower, never different.
///
/// The same compaction sums the merchant days per day into `loyalty_platform_daily_stats`
/// (migration 020): the platform's series read 366 rows for a year, not 366 per merchant
/// (summing ten merchants' twelve columns was 6 ms of the platform page at a million cards).
enum MerchantDays {
    /// The columns of `loyalty_daily_stats` a report sums, in `AnalyticsMeasures`' order.
    static let measureColumns = [
        "cards_enrolled", "active_cards", "visits", "stamps_given", "stamps_redeemed", "stamps_voided", "points_given",
        "points_redeemed", "points_voided", "points_expired", "rewards_redeemed", "rewards_earned",
    ]
    static let table = "loyalty_merchant_daily_stats"
    static let platformTable = "loyalty_platform_daily_stats"
    private static let markName = "merchant_days"

    /// The last day that no store can still be living: two days before `now`'s UTC day.
    static func lastClosedDay(now: Date) -> CalendarDate {
        // Safe: every instant has a Gregorian date.
        CalendarDate(now, in: .gmt)!.adding(days: -2)
    }

    /// The last compacted day, or `nil` when nothing is.
    static func compactedThrough(on database: any Database) async throws -> CalendarDate? {
        struct Row: Decodable { let through_day: String }
        return try await database.sql.select().column("through_day").from("loyalty_rollup_compaction")
            .where("name", .equal, markName).first(decoding: Row.self).flatMap { CalendarDate($0.through_day) }
    }

    /// Sums the closed days after the mark, then moves the mark, in one transaction. Returns
    /// the new mark, or `nil` when it was already there.
    @discardableResult
    static func compact(now: Date, on database: any Database, writeGate: AsyncGate?) async throws -> CalendarDate? {
        let closed = lastClosedDay(now: now)
        return try await database.writeTransaction(gate: writeGate) { tx in
            let through = try await compactedThrough(on: tx)
            if let through, through >= closed { return nil }
            let sums = measureColumns.map { "SUM(\($0))" }.joined(separator: ", ")
            let after = through.map { SQLQueryString(" AND day > \(bind: $0.description)") } ?? SQLQueryString("")
            // Replacing, not adding: a compaction that ran twice over a day writes the same sums.
            let updates = measureColumns.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            try await tx.sql.raw(
                """
                INSERT INTO \(ident: table) (merchant_id, day, \(unsafeRaw: measureColumns.joined(separator: ", ")))
                SELECT merchant_id, day, \(unsafeRaw: sums) FROM loyalty_daily_stats
                WHERE day <= \(bind: closed.description)\(after) GROUP BY merchant_id, day
                ON CONFLICT (merchant_id, day) DO UPDATE SET \(unsafeRaw: updates)
                """
            ).run()
            try await tx.sql.raw(
                """
                INSERT INTO \(ident: platformTable) (day, \(unsafeRaw: measureColumns.joined(separator: ", ")))
                SELECT day, \(unsafeRaw: sums) FROM \(ident: table)
                WHERE day <= \(bind: closed.description)\(after) GROUP BY day
                ON CONFLICT (day) DO UPDATE SET \(unsafeRaw: updates)
                """
            ).run()
            try await MerchantRunningTotals.extend(after: through, through: closed, on: tx)
            try await tx.sql.raw(
                """
                INSERT INTO loyalty_rollup_compaction (name, through_day) VALUES (\(bind: markName), \(bind: closed.description))
                ON CONFLICT (name) DO UPDATE SET through_day = excluded.through_day
                """
            ).run()
            return closed
        }
    }

    /// Forgets every compacted day: for a bulk write into past days.
    static func reset(on tx: any Database) async throws {
        try await tx.sql.delete(from: table).run()
        try await tx.sql.delete(from: platformTable).run()
        try await MerchantRunningTotals.reset(on: tx)
        try await tx.sql.delete(from: "loyalty_rollup_compaction").where("name", .equal, markName).run()
    }

    /// The merchant's (or, with `nil`, the platform's) sums per day of `range`: compacted days
    /// from their rows (the platform's from its own), the others from `loyalty_daily_stats`.
    static func byDay(merchantID: UUID?, range: ClosedRange<CalendarDate>, on database: any Database) async throws -> [String: AnalyticsMeasures] {
        let through = try await compactedThrough(on: database)
        return try await byDay(merchantID: merchantID, range: range, compactedThrough: through, on: database)
    }

    /// The platform's sums per day and per merchant over `range`, with one read of the mark.
    /// Each merchant's compacted days come from its running totals: two rows a merchant, not
    /// one a day.
    static func platform(range: ClosedRange<CalendarDate>, on database: any Database) async throws
        -> (byDay: [String: AnalyticsMeasures], byMerchant: [UUID: AnalyticsMeasures])
    {
        let through = try await compactedThrough(on: database)
        // The two reads at once: on PostgreSQL, each on its own connection.
        async let byDay = byDay(merchantID: nil, range: range, compactedThrough: through, on: database)
        let byMerchant = try await combined(
            range, compactedThrough: through,
            compacted: { try await MerchantRunningTotals.sums(over: $0, on: database) },
            live: {
                try await MeasureSums.sums(
                    of: "loyalty_daily_stats", by: "merchant_id", as: UUID.self, merchantID: nil, storeID: nil, range: $0, on: database)
            })
        return (try await byDay, byMerchant)
    }

    private static func byDay(
        merchantID: UUID?, range: ClosedRange<CalendarDate>, compactedThrough through: CalendarDate?, on database: any Database
    ) async throws -> [String: AnalyticsMeasures] {
        try await combined(
            range, compactedThrough: through,
            compacted: {
                // One row a day in either table (the platform's, or the merchant's of the merchant
                // days): read as stored.
                try await MeasureSums.rows(
                    of: merchantID == nil ? platformTable : table, keyedBy: "day", as: String.self, merchantID: merchantID, range: $0,
                    on: database)
            },
            live: {
                try await MeasureSums.sums(
                    of: "loyalty_daily_stats", by: "day", as: String.self, merchantID: merchantID, storeID: nil, range: $0, on: database)
            })
    }

    /// The sums of the part of `range` the compaction covers (`compacted`) added to those of the
    /// days after the mark (`live`); either part may be empty and is then not read.
    private static func combined<Key: Hashable>(
        _ range: ClosedRange<CalendarDate>, compactedThrough through: CalendarDate?,
        compacted: (ClosedRange<CalendarDate>) async throws -> [Key: AnalyticsMeasures],
        live: (ClosedRange<CalendarDate>) async throws -> [Key: AnalyticsMeasures]
    ) async throws -> [Key: AnalyticsMeasures] {
        var result: [Key: AnalyticsMeasures] = [:]
        if let through, through >= range.lowerBound {
            result = try await compacted(range.lowerBound...min(through, range.upperBound))
        }
        let firstLive = through.map { max($0.adding(days: 1), range.lowerBound) } ?? range.lowerBound
        if firstLive <= range.upperBound {
            result.merge(try await live(firstLive...range.upperBound)) { $0.adding($1) }
        }
        return result
    }
}

/// The report's columns of a daily table summed per value of one column (`day`, `store_id`
/// or `merchant_id`), one row per value: Swift decodes one row per day (or store), not one per
/// store and day (at a million cards, a year of a merchant's 27 stores was 9,855 rows).
enum MeasureSums {
    static func sums<Key: Decodable & Hashable>(
        of table: String, by column: String, as key: Key.Type, merchantID: UUID?, storeID: UUID?, range: ClosedRange<CalendarDate>,
        on database: any Database
    ) async throws -> [Key: AnalyticsMeasures] {
        // The twelve sums as one text column, `12,0,5,...`: PostgresKit decodes each cell through
        // a generic decoder, and a year's 366 rows × 13 cells were 17 % of the platform
        // analytics page on PostgreSQL; one string a row, split here, cost a fraction. (Cast to
        // BIGINT first: PostgreSQL sums bigints as numeric.)
        let sums = MerchantDays.measureColumns.map { "CAST(CAST(SUM(\($0)) AS BIGINT) AS TEXT)" }.joined(separator: " || ',' || ")
        return try await read(
            "\(unsafeRaw: sums) AS sums FROM \(ident: table) WHERE \(DayFilter.sql(days: range, merchantID: merchantID, storeID: storeID)) GROUP BY \(ident: column)",
            keyedBy: column, as: key, on: database)
    }

    /// The same figures from a table that holds at most one row per value of `column` under the
    /// filter (a compacted day), read as stored: grouping and summing a year of the platform's
    /// days took its statement from 0.8 to 2.3 ms on SQLite at a million cards.
    static func rows<Key: Decodable & Hashable>(
        of table: String, keyedBy column: String, as key: Key.Type, merchantID: UUID?, range: ClosedRange<CalendarDate>,
        on database: any Database
    ) async throws -> [Key: AnalyticsMeasures] {
        let values = MerchantDays.measureColumns.map { "CAST(\($0) AS TEXT)" }.joined(separator: " || ',' || ")
        return try await read(
            "\(unsafeRaw: values) AS sums FROM \(ident: table) WHERE \(DayFilter.sql(days: range, merchantID: merchantID))",
            keyedBy: column, as: key, on: database)
    }

    /// `SELECT <column> AS grp, <rest>`, each row's `sums` parsed by `MeasureSumRow`.
    private static func read<Key: Decodable & Hashable>(
        _ rest: SQLQueryString, keyedBy column: String, as key: Key.Type, on database: any Database
    ) async throws -> [Key: AnalyticsMeasures] {
        let rows = try await database.sql.raw("SELECT \(ident: column) AS grp, " + rest).all()
        return Dictionary(
            try rows.map { (try $0.decode(column: "grp", as: Key.self), try MeasureSumRow.measures(of: $0)) }, uniquingKeysWith: { first, _ in first })
    }
}

/// One group's twelve sums, from the `sums` text column of `MeasureSums` and
/// `MerchantRunningTotals` (in the order of `MerchantDays.measureColumns`).
enum MeasureSumRow {
    static func measures(of row: any SQLRow) throws -> AnalyticsMeasures {
        let text = try row.decode(column: "sums", as: String.self)
        guard let values = integers(in: text), values.count == MerchantDays.measureColumns.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "measure sums: \(text)"))
        }
        return AnalyticsMeasures(
            enrollments: values[0], activeCards: values[1], visits: values[2], stampsGiven: values[3], stampsRedeemed: values[4],
            stampsVoided: values[5], pointsGiven: values[6], pointsRedeemed: values[7], pointsVoided: values[8], pointsExpired: values[9],
            rewardsRedeemed: values[10], rewardsEarned: values[11])
    }

    /// `12,-3,0` as integers, read byte by byte (`split` and `Int(_:)` on `String` were 5 % of
    /// the platform page's time); `nil` for anything else, an empty item or an overflow.
    static func integers(in text: String) -> [Int]? {
        var values: [Int] = []
        values.reserveCapacity(MerchantDays.measureColumns.count)
        var value = 0
        var negative = false
        var digits = 0
        func finish() -> Bool {
            guard digits > 0 else { return false }
            values.append(negative ? -value : value)
            (value, negative, digits) = (0, false, 0)
            return true
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                guard !overflow, !overflow2 else { return nil }
                value = sum
                digits += 1
            case UInt8(ascii: "-") where digits == 0 && !negative:
                negative = true
            case UInt8(ascii: ","):
                guard finish() else { return nil }
            default:
                return nil
            }
        }
        guard finish() else { return nil }
        return values
    }
}

/// 015: the merchant-day sums and the mark of how far they go.
enum MerchantDaysMigrations {
    struct CreateMerchantDailyStats: AsyncMigration {
        func prepare(on database: any Database) async throws {
            var schema = database.schema(MerchantDays.table)
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .cascade))
                .field("day", .string, .required)
            for column in MerchantDays.measureColumns {
                schema = schema.field(.string(column), .int64, .required, .sql(.default(0)))
            }
            try await schema.compositeIdentifier(over: "merchant_id", "day").create()
            try await database.sql.create(index: "loyalty_merchant_daily_stats_day_idx").on(MerchantDays.table).column("day").run()

            try await database.schema("loyalty_rollup_compaction")
                .field("name", .string, .identifier(auto: false))
                .field("through_day", .string, .required)
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema("loyalty_rollup_compaction").delete()
            try await database.schema(MerchantDays.table).delete()
        }
    }

    /// 020: the compacted days summed across merchants, filled from the days already compacted
    /// (readers take the mark for both tables).
    struct CreatePlatformDailyStats: AsyncMigration {
        func prepare(on database: any Database) async throws {
            var schema = database.schema(MerchantDays.platformTable).field("day", .string, .identifier(auto: false))
            for column in MerchantDays.measureColumns {
                schema = schema.field(.string(column), .int64, .required, .sql(.default(0)))
            }
            try await schema.create()
            let columns = MerchantDays.measureColumns.joined(separator: ", ")
            let sums = MerchantDays.measureColumns.map { "SUM(\($0))" }.joined(separator: ", ")
            try await database.sql.raw(
                """
                INSERT INTO \(ident: MerchantDays.platformTable) (day, \(unsafeRaw: columns))
                SELECT day, \(unsafeRaw: sums) FROM \(ident: MerchantDays.table) GROUP BY day
                """
            ).run()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(MerchantDays.platformTable).delete()
        }
    }
}
