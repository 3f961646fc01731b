import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// How many cards were active in the last 30 days, from the cards kept per UTC day of their
/// last activity in `loyalty_points_by_activity_day` (decision 0035): a sum of at most 30 days
/// × 8 shard rows per merchant, where a count of cards by last activity read every active
/// card's index entry (about 900,000 per request on the admin's programs page at 1 million
/// cards).
///
/// A card is active when its last activity falls on one of the 30 UTC days ending today. Every
/// place that sets a card's last activity moves it between days in the same transaction:
/// `CardOperation` (through `AnalyticsRecorder`), a reissue's new card (`createCounted`), the
/// generator (through `RollupBuilder`); the 014 migration and the backfill count them from the
/// cards.
enum ActiveCards {
    static let windowDays = 30

    /// The first day of the window that ends on `now`'s UTC day.
    static func firstDay(now: Date) -> CalendarDate {
        // Safe: every instant has a Gregorian date.
        CalendarDate(now, in: .gmt)!.adding(days: -(windowDays - 1))
    }

    /// Active cards per merchant of `merchantIDs` (`nil`: every merchant; merchants without
    /// any are absent).
    static func count(merchantIDs: [UUID]?, now: Date, on database: any Database) async throws -> [UUID: Int] {
        if merchantIDs?.isEmpty == true { return [:] }
        struct Row: Decodable {
            let merchant_id: UUID
            let n: Int
        }
        let scope = merchantIDs.map { SQLQueryString("merchant_id IN (\(binds: $0)) AND ") } ?? SQLQueryString("")
        let rows = try await database.sql.raw(
            """
            SELECT merchant_id, CAST(SUM(cards) AS BIGINT) AS n FROM loyalty_points_by_activity_day
            WHERE \(scope)day >= \(bind: firstDay(now: now).description) GROUP BY merchant_id
            """
        ).all(decoding: Row.self)
        return Dictionary(rows.map { ($0.merchant_id, $0.n) }, uniquingKeysWith: +)
    }

    /// Active cards of one merchant; with `nil`, of the platform.
    static func count(merchantID: UUID?, now: Date, on database: any Database) async throws -> Int {
        let counts = try await count(merchantIDs: merchantID.map { [$0] }, now: now, on: database)
        return counts.values.reduce(0, +)
    }

    /// A new card that already has a last activity (a reissue's keeps the old card's) joins
    /// its day; cards enrolled without activity join one with their first operation.
    static func addCard(merchantID: UUID, cardID: UUID, lastActivityAt: Date?, on tx: any Database) async throws {
        guard let day = AnalyticsRollups.activityDay(lastActivityAt) else { return }
        try await AnalyticsRollups.moveActivity(from: (nil, 0), to: (day, 0), merchantID: merchantID, cardID: cardID, on: tx)
    }
}

/// 014: the cards of `loyalty_points_by_activity_day`, counted once from the cards.
enum ActiveCardsMigrations {
    struct UpdatePointsByActivityDayAddCards: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema("loyalty_points_by_activity_day").field("cards", .int64, .required, .sql(.default(0))).update()
            try await Self.countCards(on: database)
        }

        /// Adds every card to the day of its last activity, read in pages of card id (the UTC
        /// day is computed here, not in two SQL dialects).
        static func countCards(on database: any Database) async throws {
            var builder = RollupBuilder(programs: [:], thresholds: [:])
            try await AnalyticsBackfill.readCards(on: database) { card in
                builder.addActivityCard(merchantID: card.merchant_id, lastActivityAt: card.last_activity_at)
            }
            try await builder.writeActivityCards(on: database)
        }

        func revert(on database: any Database) async throws {
            try await database.schema("loyalty_points_by_activity_day").deleteField("cards").update()
        }
    }
}
