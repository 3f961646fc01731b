import Fluent
import Foundation
import SQLKit
import Vapor

/// Schema of programs, rewards, cards, the ledger, staff PINs, idempotency keys and daily
/// statistics.
enum LedgerMigrations {
    struct CreatePrograms: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(ProgramModel.schema)
                .id()
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .restrict))
                .field("loyalty_type", .string, .required)
                .field("stamps_target", .int, .required)
                .field("stamps_reward_description", .string)
                .field("points_per_euro", .int, .required)
                .field("cooldown_minutes", .int, .required)
                .field("max_daily_stamps", .int, .required)
                .field("require_staff_pin", .bool, .required)
                .field("points_expiration_days", .int)
                .field("card_name", .string)
                .field("card_color", .string)
                .field("logo_url", .string)
                .field("google_issuer_id", .string)
                .field("google_class_id", .string)
                .field("apple_pass_type_id", .string)
                .field("is_active", .bool, .required)
                .field("created_at", .datetime, .required)
                .field("updated_at", .datetime)
                .unique(on: "merchant_id")
                .create()
            try await database.schema(RewardModel.schema)
                .id()
                .field("program_id", .uuid, .required, .references(ProgramModel.schema, .id, onDelete: .restrict))
                .field("name", .string, .required)
                .field("points_cost", .int, .required)
                .field("is_active", .bool, .required)
                .field("created_at", .datetime, .required)
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(RewardModel.schema).delete()
            try await database.schema(ProgramModel.schema).delete()
        }
    }

    struct CreateCards: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CardModel.schema)
                .id()
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .restrict))
                .field("customer_id", .uuid, .required, .references(CustomerModel.schema, .id, onDelete: .restrict))
                .field("program_id", .uuid, .required, .references(ProgramModel.schema, .id, onDelete: .restrict))
                .field("enrolled_store_id", .uuid, .references(StoreModel.schema, .id, onDelete: .restrict))
                .field("card_number", .string, .required)
                .field("qr_token", .string, .required)
                .field("stamp_count", .int, .required)
                .field("points_balance", .int, .required)
                .field("total_stamps_earned", .int, .required)
                .field("total_stamps_redeemed", .int, .required)
                .field("total_points_earned", .int, .required)
                .field("total_points_redeemed", .int, .required)
                .field("last_stamp_at", .datetime)
                .field("stamps_today", .int, .required)
                .field("stamps_today_date", .string)
                .field("last_activity_at", .datetime)
                .field("entry_count", .int, .required)
                .field("last_entry_hash", .string, .required)
                .field("is_active", .bool, .required)
                .field("created_at", .datetime, .required)
                .field("updated_at", .datetime)
                .unique(on: "card_number")
                .unique(on: "qr_token")
                .unique(on: "merchant_id", "customer_id")
                .create()
            try await database.sql.create(index: "loyalty_cards_merchant_activity_idx").on(CardModel.schema)
                .column("merchant_id").column("last_activity_at").run()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CardModel.schema).delete()
        }
    }

    struct CreateTransactions: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(TransactionModel.schema)
                .id()
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .restrict))
                .field("card_id", .uuid, .required, .references(CardModel.schema, .id, onDelete: .restrict))
                .field("sequence", .int, .required)
                .field("type", .string, .required)
                .field("stamps_delta", .int, .required)
                .field("points_delta", .int, .required)
                .field("stamps_balance_after", .int, .required)
                .field("points_balance_after", .int, .required)
                .field("purchase_amount_cents", .int64)
                .field("order_reference", .string)
                .field("reward_id", .uuid, .references(RewardModel.schema, .id, onDelete: .restrict))
                .field("voids_transaction_id", .uuid, .references(TransactionModel.schema, .id, onDelete: .restrict))
                .field("store_id", .uuid, .references(StoreModel.schema, .id, onDelete: .restrict))
                .field("staff_pin_id", .uuid)
                .field("user_id", .uuid)
                .field("ip_address", .string)
                .field("user_agent", .string)
                .field("notes", .string)
                .field("business_day", .string)
                .field("created_at", .datetime, .required)
                // The same instant in whole milliseconds: what the hash covers, and an exact key
                // for paging through the ledger in time order.
                .field("recorded_at_ms", .int64, .required)
                .field("previous_hash", .string, .required)
                .field("entry_hash", .string, .required)
                .unique(on: "card_id", "sequence")
                .unique(on: "voids_transaction_id")
                .create()
            try await database.sql.create(index: "loyalty_transactions_merchant_time_idx").on(TransactionModel.schema)
                .column("merchant_id").column("recorded_at_ms").column("id").run()
            try await forbidChanges(to: TransactionModel.schema, on: database)
        }

        func revert(on database: any Database) async throws {
            if !database.isSQLite {
                try await database.sql.raw("DROP FUNCTION IF EXISTS loyalty_forbid_change() CASCADE").run()
            }
            try await database.schema(TransactionModel.schema).delete()
        }

        /// Makes the table append-only in the database itself, so no code path (or hand-run SQL)
        /// can rewrite history.
        private func forbidChanges(to table: String, on database: any Database) async throws {
            if database.isSQLite {
                for operation in ["UPDATE", "DELETE"] {
                    try await database.sql.raw(
                        """
                        CREATE TRIGGER \(unsafeRaw: table)_no_\(unsafeRaw: operation.lowercased())
                        BEFORE \(unsafeRaw: operation) ON \(unsafeRaw: table)
                        BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: table) is append-only'); END
                        """
                    ).run()
                }
            } else {
                try await database.sql.raw(
                    """
                    CREATE OR REPLACE FUNCTION loyalty_forbid_change() RETURNS trigger AS $$
                    BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END
                    $$ LANGUAGE plpgsql
                    """
                ).run()
                try await database.sql.raw(
                    """
                    CREATE TRIGGER \(unsafeRaw: table)_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON \(unsafeRaw: table)
                    FOR EACH STATEMENT EXECUTE FUNCTION loyalty_forbid_change()
                    """
                ).run()
            }
        }
    }

    struct CreateStaffPins: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(StaffPinModel.schema)
                .id()
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .restrict))
                .field("store_id", .uuid, .required, .references(StoreModel.schema, .id, onDelete: .restrict))
                .field("user_id", .uuid, .references(UserModel.schema, .id, onDelete: .setNull))
                .field("name", .string, .required)
                .field("pin_hash", .string, .required)
                .field("failed_attempts", .int, .required)
                .field("locked_until", .datetime)
                .field("is_active", .bool, .required)
                .field("created_at", .datetime, .required)
                .field("updated_at", .datetime)
                .unique(on: "merchant_id", "pin_hash")
                .create()
            // Wrong PINs entered without naming a staff member count against the store's terminal.
            try await database.schema("store_pin_guards")
                .field("store_id", .uuid, .identifier(auto: false), .references(StoreModel.schema, .id, onDelete: .cascade))
                .field("failed_attempts", .int, .required)
                .field("locked_until", .datetime)
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema("store_pin_guards").delete()
            try await database.schema(StaffPinModel.schema).delete()
        }
    }

    struct CreateIdempotencyKeys: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema("idempotency_keys")
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .cascade))
                .field("key", .string, .required)
                .field("request_hash", .string, .required)
                .field("response_status", .int, .required)
                .field("response_body", .string, .required)
                .field("created_at", .datetime, .required)
                .compositeIdentifier(over: "merchant_id", "key")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema("idempotency_keys").delete()
        }
    }

    /// Per store, local day and shard, what happened: statistics read a month of these rows
    /// instead of the ledger. Bumped in the same transaction as the ledger row.
    struct CreateDailyStats: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema("loyalty_daily_stats")
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .cascade))
                .field("store_id", .uuid, .required, .references(StoreModel.schema, .id, onDelete: .cascade))
                .field("day", .string, .required)
                .field("shard", .int, .required)
                .field("cards_enrolled", .int, .required)
                .field("stamps_given", .int, .required)
                .field("stamps_redeemed", .int, .required)
                .field("points_given", .int64, .required)
                .field("points_redeemed", .int64, .required)
                .compositeIdentifier(over: "store_id", "day", "shard")
                .create()
            try await database.sql.create(index: "loyalty_daily_stats_merchant_day_idx").on("loyalty_daily_stats")
                .column("merchant_id").column("day").run()
        }

        func revert(on database: any Database) async throws {
            try await database.schema("loyalty_daily_stats").delete()
        }
    }
}
