import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// Reads `loyalty_staff_daily_stats`: per staff member, summed over a range of days.
enum StaffRollupQueries {
    struct Total {
        let merchantID: UUID
        let identity: StaffMember
        /// The PIN's name, the user's name (else e-mail); empty when gone.
        let name: String
        let delta: StaffDayDelta
        /// The last day with a row in the range.
        let lastDay: String
    }

    /// Per merchant and staff member, with its display name; `merchantID == nil`: every
    /// merchant (admin). `reaching`: only the members whose voids or PIN failures reach these
    /// counts (the fraud signals' lowest thresholds: the other rows would be read to be dropped).
    ///
    /// The names come in the same statement: a PIN or a user is named only by its own
    /// merchant's row (a platform user by any), so a stray id never reveals another tenant's
    /// name.
    static func totals(
        merchantID: UUID?, storeID: UUID?, days: ClosedRange<CalendarDate>, reaching: (voids: Int, pinFailures: Int)? = nil,
        on database: any Database
    ) async throws -> [Total] {
        struct Row: Decodable {
            let merchant_id: UUID
            let staff_kind: String
            let staff_id: UUID
            let name: String?
            let operations: Int
            let stamps: Int
            let points: Int
            let redemptions: Int
            let voids: Int
            let pin_failures: Int
            let last_day: String
        }
        let filter = DayFilter.sql(days: days, merchantID: merchantID, storeID: storeID)
        let having = reaching.map {
            SQLQueryString(" HAVING SUM(voids) >= \(bind: $0.voids) OR SUM(pin_failures) >= \(bind: $0.pinFailures)")
        } ?? SQLQueryString("")
        // Every merchant's: through the merchants, so that each is read from its own range of the
        // (merchant, day) index; PostgreSQL read the whole table for the days' rows otherwise
        // (20,000 rows for 578 at a million cards: 1.3 → 0.5 ms).
        let source = merchantID == nil
            ? SQLQueryString("\(ident: MerchantModel.schema) m JOIN loyalty_staff_daily_stats ON loyalty_staff_daily_stats.merchant_id = m.id")
            : SQLQueryString("loyalty_staff_daily_stats")
        let rows = try await database.sql.raw(
            """
            SELECT t.*, CASE WHEN t.staff_kind = 'pin' THEN p.name ELSE COALESCE(u.name, u.email) END AS name FROM (
                SELECT merchant_id, staff_kind, staff_id, CAST(SUM(operations) AS BIGINT) AS operations, CAST(SUM(stamps) AS BIGINT) AS stamps,
                    CAST(SUM(points) AS BIGINT) AS points, CAST(SUM(redemptions) AS BIGINT) AS redemptions,
                    CAST(SUM(voids) AS BIGINT) AS voids, CAST(SUM(pin_failures) AS BIGINT) AS pin_failures, MAX(day) AS last_day
                FROM \(source) WHERE \(filter) GROUP BY merchant_id, staff_kind, staff_id\(having)
            ) t
            LEFT JOIN \(ident: StaffPinModel.schema) p ON t.staff_kind = 'pin' AND p.id = t.staff_id AND p.merchant_id = t.merchant_id
            LEFT JOIN \(ident: UserModel.schema) u ON t.staff_kind = 'user' AND u.id = t.staff_id
                AND (u.merchant_id = t.merchant_id OR u.merchant_id IS NULL)
            """
        ).all(decoding: Row.self)
        return rows.compactMap { row in
            let identity = row.staff_kind == "pin"
                ? StaffMember(staffPinID: row.staff_id, userID: nil) : StaffMember(staffPinID: nil, userID: row.staff_id)
            return identity.map {
                Total(
                    merchantID: row.merchant_id, identity: $0, name: row.name ?? "",
                    delta: StaffDayDelta(
                        operations: row.operations, stamps: row.stamps, points: row.points, redemptions: row.redemptions,
                        voids: row.voids, pinFailures: row.pin_failures),
                    lastDay: row.last_day)
            }
        }
    }
}

/// The staff rollup's indexes after 010 (`AnalyticsMigrations.CreateAnalyticsRollups` made the table).
enum StaffRollupMigrations {
    /// 020: the staff rollup's index carries the figures a report sums, so that a year of a
    /// merchant's staff is read from the index alone (1,599 rows: 2.8 → 1.1 ms on SQLite,
    /// where each row was a second lookup in the table). Replaces the narrower index.
    struct ReplaceStaffIndexWithCovering: AsyncMigration {
        static let columns = ["merchant_id", "day", "staff_kind", "staff_id", "operations", "stamps", "points", "redemptions", "voids", "pin_failures"]

        func prepare(on database: any Database) async throws {
            let index = database.sql.create(index: "loyalty_staff_daily_stats_merchant_day_cover_idx").on("loyalty_staff_daily_stats")
            for column in Self.columns { _ = index.column(column) }
            try await index.run()
            try await database.sql.drop(index: "loyalty_staff_daily_stats_merchant_day_idx").run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.create(index: "loyalty_staff_daily_stats_merchant_day_idx").on("loyalty_staff_daily_stats")
                .column("merchant_id").column("day").run()
            try await database.sql.drop(index: "loyalty_staff_daily_stats_merchant_day_cover_idx").run()
        }
    }
}
