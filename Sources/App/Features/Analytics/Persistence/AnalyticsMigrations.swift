import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// 010-analytics: the rollups of decision 0026, reward costs, fraud thresholds.
enum AnalyticsMigrations {
    /// The analytics columns of `loyalty_daily_stats` and the new rollup tables, then a
    /// backfill from the ledger and the cards (existing deployments have history).
    struct CreateAnalyticsRollups: AsyncMigration {
        func prepare(on database: any Database) async throws {
            // One column per ALTER: SQLite adds one at a time.
            for column in ["active_cards", "visits", "stamps_voided", "rewards_redeemed", "rewards_earned"] {
                try await database.schema("loyalty_daily_stats").field(.string(column), .int, .required, .sql(.default(0))).update()
            }
            try await database.schema("loyalty_daily_stats").field("points_voided", .int64, .required, .sql(.default(0))).update()

            try await database.schema("loyalty_staff_daily_stats")
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .cascade))
                .field("store_id", .uuid, .required, .references(StoreModel.schema, .id, onDelete: .cascade))
                .field("day", .string, .required)
                .field("staff_kind", .string, .required)
                .field("staff_id", .uuid, .required)
                .field("operations", .int, .required)
                .field("stamps", .int, .required)
                .field("points", .int64, .required)
                .field("redemptions", .int, .required)
                .field("voids", .int, .required)
                .field("pin_failures", .int, .required)
                .compositeIdentifier(over: "store_id", "day", "staff_kind", "staff_id")
                .create()
            try await database.sql.create(index: "loyalty_staff_daily_stats_merchant_day_idx").on("loyalty_staff_daily_stats")
                .column("merchant_id").column("day").run()

            try await database.schema("loyalty_reward_daily_stats")
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .cascade))
                .field("store_id", .uuid, .required, .references(StoreModel.schema, .id, onDelete: .cascade))
                .field("day", .string, .required)
                .field("reward_key", .uuid, .required)
                .field("kind", .string, .required)
                .field("redemptions", .int, .required)
                .field("points_spent", .int64, .required)
                .compositeIdentifier(over: "store_id", "day", "reward_key")
                .create()
            try await database.sql.create(index: "loyalty_reward_daily_stats_merchant_day_idx").on("loyalty_reward_daily_stats")
                .column("merchant_id").column("day").run()

            try await database.schema("loyalty_balance_totals")
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .cascade))
                .field("shard", .int, .required)
                .field("stamps", .int64, .required)
                .field("points", .int64, .required)
                .compositeIdentifier(over: "merchant_id", "shard")
                .create()

            try await database.schema("loyalty_points_by_activity_day")
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .cascade))
                .field("day", .string, .required)
                .field("shard", .int, .required)
                .field("points", .int64, .required)
                .compositeIdentifier(over: "merchant_id", "day", "shard")
                .create()

            try await database.schema("loyalty_signal_events")
                .id()
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .cascade))
                .field("store_id", .uuid, .required, .references(StoreModel.schema, .id, onDelete: .cascade))
                .field("day", .string, .required)
                .field("kind", .string, .required)
                .field("card_id", .uuid, .required, .references(CardModel.schema, .id, onDelete: .cascade))
                .create()
            try await database.sql.create(index: "loyalty_signal_events_merchant_day_idx").on("loyalty_signal_events")
                .column("merchant_id").column("day").run()

            // Without the kept counts: their columns come with 013 and 014, which count them.
            try await AnalyticsBackfill.run(on: database, keptCounts: false)
        }

        func revert(on database: any Database) async throws {
            for table in [
                "loyalty_signal_events", "loyalty_points_by_activity_day", "loyalty_balance_totals", "loyalty_reward_daily_stats",
                "loyalty_staff_daily_stats",
            ] {
                try await database.schema(table).delete()
            }
            for column in ["active_cards", "visits", "stamps_voided", "points_voided", "rewards_redeemed", "rewards_earned"] {
                try await database.schema("loyalty_daily_stats").deleteField(.string(column)).update()
            }
        }
    }

    /// What rewards cost the merchant, for the liability: optional, in cents.
    struct UpdateProgramsAddRewardCosts: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(ProgramModel.schema).field("stamps_reward_cost_cents", .int).update()
            try await database.schema(RewardModel.schema).field("cost_cents", .int).update()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(RewardModel.schema).deleteField("cost_cents").update()
            try await database.schema(ProgramModel.schema).deleteField("stamps_reward_cost_cents").update()
        }
    }

    /// The fraud thresholds of decision 0027, with the platform's defaults.
    struct UpdateMerchantLoyaltySettingsAddFraudThresholds: AsyncMigration {
        static let columns: [(String, Int)] = {
            let defaults = FraudThresholds()
            return [
                ("fraud_near_limit_percent", defaults.nearLimitPercent), ("fraud_near_limit_days", defaults.nearLimitDays),
                ("fraud_voids_per_staff", defaults.voidsPerStaff), ("fraud_pin_failures_per_staff", defaults.pinFailuresPerStaff),
                ("fraud_hop_minutes", defaults.hopMinutes), ("fraud_hops_per_card", defaults.hopsPerCard),
            ]
        }()

        func prepare(on database: any Database) async throws {
            for (column, value) in Self.columns {
                try await database.schema(MerchantSettingsModel.schema)
                    .field(.string(column), .int, .required, .sql(.default(value)))
                    .update()
            }
        }

        func revert(on database: any Database) async throws {
            for (column, _) in Self.columns {
                try await database.schema(MerchantSettingsModel.schema).deleteField(.string(column)).update()
            }
        }
    }
}

/// 016: signal events by day alone, for the admin's every-merchant signals, which read the
/// window's days of all merchants (the (merchant, day) index cannot serve that on PostgreSQL:
/// it read every event, 15 ms of the 32 ms report at a million cards).
enum SignalEventsMigrations {
    struct CreateDayIndex: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.sql.create(index: "loyalty_signal_events_day_idx").on("loyalty_signal_events").column("day").run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.drop(index: "loyalty_signal_events_day_idx").run()
        }
    }

    /// 019: both indexes of the signal events carry the card and kind, so a report groups
    /// its events from the index alone (it read each event's row: 4,176 events in a 30-day
    /// test window, most of the every-merchant report's 21 ms).
    struct ReplaceIndexesWithCovering: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.sql.create(index: "loyalty_signal_events_merchant_day_cover_idx").on("loyalty_signal_events")
                .column("merchant_id").column("day").column("kind").column("card_id").run()
            try await database.sql.create(index: "loyalty_signal_events_day_cover_idx").on("loyalty_signal_events")
                .column("day").column("merchant_id").column("kind").column("card_id").run()
            try await database.sql.drop(index: "loyalty_signal_events_day_idx").run()
            try await database.sql.drop(index: "loyalty_signal_events_merchant_day_idx").run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.create(index: "loyalty_signal_events_merchant_day_idx").on("loyalty_signal_events").column("merchant_id").column("day").run()
            try await database.sql.create(index: "loyalty_signal_events_day_idx").on("loyalty_signal_events").column("day").run()
            try await database.sql.drop(index: "loyalty_signal_events_day_cover_idx").run()
            try await database.sql.drop(index: "loyalty_signal_events_merchant_day_cover_idx").run()
        }
    }
}
