import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// Each merchant's compacted days summed from its first one through each day
/// (`loyalty_merchant_running_totals`, migration 022, decision 0043): a merchant's sums over
/// any range of compacted days are two rows, the last one in the range minus the last one
/// before it, not one row per day (a year of the platform's table of merchants was 3,660
/// merchant days and twelve `SUM`s each, 2.6 ms on SQLite at ten merchants).
///
/// Written by the same compaction as the merchant days, in the same transaction, for the same
/// days; dropped with them by a bulk write (`MerchantDays.reset`). So a merchant has a row here
/// exactly for each of its rows in `loyalty_merchant_daily_stats`.
enum MerchantRunningTotals {
    static let table = "loyalty_merchant_running_totals"

    /// Adds the running totals of the merchant days after `after` through `through` (`nil`:
    /// from the first day / through the last), each merchant's continuing from its last row.
    /// Called with the days a compaction has just summed, or by the migration for them all.
    static func extend(after: CalendarDate?, through: CalendarDate?, on database: any Database) async throws {
        let columns = MerchantDays.measureColumns
        let running = columns.map {
            "CAST(COALESCE(p.\($0), 0) + SUM(d.\($0)) OVER running AS BIGINT)"
        }.joined(separator: ", ")
        var filter = SQLQueryString("1 = 1")
        if let after { filter = filter + SQLQueryString(" AND d.day > \(bind: after.description)") }
        if let through { filter = filter + SQLQueryString(" AND d.day <= \(bind: through.description)") }
        // `p` is the merchant's last row before these days: every row here is at or before the
        // mark, and these days are after it.
        try await database.sql.raw(
            """
            INSERT INTO \(ident: table) (merchant_id, day, \(unsafeRaw: columns.joined(separator: ", ")))
            SELECT d.merchant_id, d.day, \(unsafeRaw: running)
            FROM \(ident: MerchantDays.table) d
            LEFT JOIN \(ident: table) p ON p.merchant_id = d.merchant_id
                AND p.day = (SELECT MAX(q.day) FROM \(ident: table) q WHERE q.merchant_id = d.merchant_id)
            WHERE \(filter)
            WINDOW running AS (PARTITION BY d.merchant_id ORDER BY d.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            """
        ).run()
    }

    /// Each merchant's sums over `range`, which must end at or before the compaction mark.
    /// A merchant without a compacted day in or before the range has no entry.
    static func sums(over range: ClosedRange<CalendarDate>, on database: any Database) async throws -> [UUID: AnalyticsMeasures] {
        // The last row through the range's end minus the last row before its start (none: 0),
        // as the `sums` text column `MeasureSumRow` reads.
        let differences = MerchantDays.measureColumns.map {
            "CAST(last.\($0) - COALESCE(before.\($0), 0) AS TEXT)"
        }.joined(separator: " || ',' || ")
        let rows = try await database.sql.raw(
            """
            SELECT m.id AS grp, \(unsafeRaw: differences) AS sums
            FROM \(ident: MerchantModel.schema) m
            JOIN \(ident: table) last ON last.merchant_id = m.id AND last.day = (
                SELECT MAX(q.day) FROM \(ident: table) q WHERE q.merchant_id = m.id AND q.day <= \(bind: range.upperBound.description))
            LEFT JOIN \(ident: table) before ON before.merchant_id = m.id AND before.day = (
                SELECT MAX(q.day) FROM \(ident: table) q WHERE q.merchant_id = m.id AND q.day < \(bind: range.lowerBound.description))
            """
        ).all()
        return Dictionary(
            try rows.map { (try $0.decode(column: "grp", as: UUID.self), try MeasureSumRow.measures(of: $0)) },
            uniquingKeysWith: { first, _ in first })
    }

    /// Forgets every row: for a bulk write into past days.
    static func reset(on tx: any Database) async throws {
        try await tx.sql.delete(from: table).run()
    }
}

/// 022: the running totals, filled from the merchant days already compacted.
enum MerchantRunningTotalsMigrations {
    struct CreateMerchantRunningTotals: AsyncMigration {
        func prepare(on database: any Database) async throws {
            var schema = database.schema(MerchantRunningTotals.table)
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .cascade))
                .field("day", .string, .required)
            for column in MerchantDays.measureColumns {
                schema = schema.field(.string(column), .int64, .required)
            }
            try await schema.compositeIdentifier(over: "merchant_id", "day").create()
            try await MerchantRunningTotals.extend(after: nil, through: nil, on: database)
        }

        func revert(on database: any Database) async throws {
            try await database.schema(MerchantRunningTotals.table).delete()
        }
    }
}
