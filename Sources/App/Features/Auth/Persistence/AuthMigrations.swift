import Fluent
import FluentKit
import Foundation
import SQLKit
import Vapor

/// Schema of access tokens and rate-limit counters.
enum AuthMigrations {
    struct CreateAccessTokens: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(AccessTokenModel.schema)
                .id()
                .field("token_hash", .string, .required)
                .field("user_id", .uuid, .references(UserModel.schema, .id, onDelete: .cascade))
                .field("customer_id", .uuid, .references(CustomerModel.schema, .id, onDelete: .cascade))
                .field("expires_at", .datetime, .required)
                .field("revoked_at", .datetime)
                .field("created_at", .datetime, .required)
                .unique(on: "token_hash")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(AccessTokenModel.schema).delete()
        }
    }

    /// One row per throttled key and fixed window; bumped by an atomic upsert
    /// (`RateLimiter`), so every app instance shares the count.
    struct CreateRateLimitCounters: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema("rate_limit_counters")
                .field("bucket", .string, .required)
                .field("window_start", .int64, .required)
                .field("count", .int64, .required)
                .compositeIdentifier(over: "bucket", "window_start")
                .create()
            try await database.sql.create(index: "rate_limit_counters_window_start_idx")
                .on("rate_limit_counters").column("window_start").run()
        }

        func revert(on database: any Database) async throws {
            try await database.schema("rate_limit_counters").delete()
        }
    }

    /// Sessions show where they were opened; revoking every session of an account, and
    /// asking whether an address signed in to it before, look tokens up by user.
    struct UpdateAccessTokensAddSessionOrigin: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(AccessTokenModel.schema)
                .field("client_address", .string)
                .update()
            try await database.schema(AccessTokenModel.schema)
                .field("user_agent", .string)
                .update()
            try await database.sql.create(index: "access_tokens_user_id_idx").on(AccessTokenModel.schema).column("user_id").run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.drop(index: "access_tokens_user_id_idx").run()
            try await database.schema(AccessTokenModel.schema).deleteField("user_agent").update()
            try await database.schema(AccessTokenModel.schema).deleteField("client_address").update()
        }
    }

    /// Page sessions live in the same table as bearer tokens, so deactivating an account,
    /// changing its password or listing its sessions covers both (decision 0024).
    struct UpdateAccessTokensAddWebSessions: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(AccessTokenModel.schema).field("kind", .string).update()
            try await database.schema(AccessTokenModel.schema).field("last_seen_at", .datetime).update()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(AccessTokenModel.schema).deleteField("last_seen_at").update()
            try await database.schema(AccessTokenModel.schema).deleteField("kind").update()
        }
    }
}
