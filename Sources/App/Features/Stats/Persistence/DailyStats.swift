import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// What one operation adds to its store's statistics for the day.
struct DailyStatsDelta: Sendable, Equatable {
    var cardsEnrolled = 0
    var stampsGiven = 0
    var stampsRedeemed = 0
    var pointsGiven = 0
    var pointsRedeemed = 0
    /// Points taken by the expiry job (`points_expired` rows).
    var pointsExpired = 0
    // Analytics (decision 0026), derived in `CardOperation.record` by `AnalyticsRollupRules`.
    var activeCards = 0
    var visits = 0
    var stampsVoided = 0
    var pointsVoided = 0
    var rewardsRedeemed = 0
    var rewardsEarned = 0
}

/// Keeps `loyalty_daily_stats`: a few rows per store and local day, bumped by an upsert in the
/// operation's own transaction, so statistics never scan the ledger.
///
/// Each store's day is spread over `shards` rows, chosen by card: one row per store and day
/// would be locked by every operation of the store until its commit, serializing all the
/// counters of a store on PostgreSQL. Readers sum the rows.
enum DailyStats {
    static let shards = 8

    /// The row of a store's day that operations on `cardID` bump.
    static func shard(for cardID: UUID) -> Int {
        Int(cardID.uuid.15) % shards
    }

    static func add(
        _ delta: DailyStatsDelta, merchantID: UUID, storeID: UUID, day: CalendarDate, cardID: UUID, on tx: any Database
    ) async throws {
        try await tx.sql.raw(
            """
            INSERT INTO loyalty_daily_stats
                (merchant_id, store_id, day, shard, cards_enrolled, stamps_given, stamps_redeemed, points_given, points_redeemed,
                points_expired, active_cards, visits, stamps_voided, points_voided, rewards_redeemed, rewards_earned)
            VALUES (\(bind: merchantID), \(bind: storeID), \(bind: day.description), \(bind: shard(for: cardID)), \(bind: delta.cardsEnrolled),
                \(bind: delta.stampsGiven), \(bind: delta.stampsRedeemed), \(bind: delta.pointsGiven), \(bind: delta.pointsRedeemed),
                \(bind: delta.pointsExpired), \(bind: delta.activeCards), \(bind: delta.visits), \(bind: delta.stampsVoided),
                \(bind: delta.pointsVoided), \(bind: delta.rewardsRedeemed), \(bind: delta.rewardsEarned))
            ON CONFLICT (store_id, day, shard) DO UPDATE SET
                cards_enrolled = loyalty_daily_stats.cards_enrolled + excluded.cards_enrolled,
                stamps_given = loyalty_daily_stats.stamps_given + excluded.stamps_given,
                stamps_redeemed = loyalty_daily_stats.stamps_redeemed + excluded.stamps_redeemed,
                points_given = loyalty_daily_stats.points_given + excluded.points_given,
                points_redeemed = loyalty_daily_stats.points_redeemed + excluded.points_redeemed,
                points_expired = loyalty_daily_stats.points_expired + excluded.points_expired,
                active_cards = loyalty_daily_stats.active_cards + excluded.active_cards,
                visits = loyalty_daily_stats.visits + excluded.visits,
                stamps_voided = loyalty_daily_stats.stamps_voided + excluded.stamps_voided,
                points_voided = loyalty_daily_stats.points_voided + excluded.points_voided,
                rewards_redeemed = loyalty_daily_stats.rewards_redeemed + excluded.rewards_redeemed,
                rewards_earned = loyalty_daily_stats.rewards_earned + excluded.rewards_earned
            """
        ).run()
    }
}

enum DailyStatsMigrations {
    /// Expired points per store and day; rows from before the column count none.
    struct UpdateDailyStatsAddPointsExpired: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema("loyalty_daily_stats")
                .field("points_expired", .int64, .required, .sql(.default(0)))
                .update()
        }

        func revert(on database: any Database) async throws {
            try await database.schema("loyalty_daily_stats").deleteField("points_expired").update()
        }
    }
}
