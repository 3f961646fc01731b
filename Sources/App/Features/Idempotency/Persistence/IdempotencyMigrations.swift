import Fluent
import Foundation
import SQLKit

/// Schema changes of the stored idempotent answers.
enum IdempotencyMigrations {
    /// Keys were unique per merchant, so a second store reusing a key (two POS systems counting
    /// from 1) had its operation answered with the first store's response and dropped. Keys are
    /// now unique per store: the table is rebuilt with `store_id` in the primary key.
    ///
    /// A key stored before the change is copied to every store of its merchant, so a retry that
    /// spans the upgrade is still answered from the stored response.
    struct UpdateIdempotencyKeysScopeToStore: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema("idempotency_keys_by_store")
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .cascade))
                .field("store_id", .uuid, .required, .references(StoreModel.schema, .id, onDelete: .cascade))
                .field("key", .string, .required)
                .field("request_hash", .string, .required)
                .field("response_status", .int, .required)
                .field("response_body", .string, .required)
                .field("created_at", .datetime, .required)
                .compositeIdentifier(over: "store_id", "key")
                .create()
            try await database.sql.raw(
                """
                INSERT INTO idempotency_keys_by_store
                    (merchant_id, store_id, key, request_hash, response_status, response_body, created_at)
                SELECT k.merchant_id, s.id, k.key, k.request_hash, k.response_status, k.response_body, k.created_at
                FROM idempotency_keys k JOIN \(ident: StoreModel.schema) s ON s.merchant_id = k.merchant_id
                """
            ).run()
            try await database.schema("idempotency_keys").delete()
            try await database.sql.raw("ALTER TABLE idempotency_keys_by_store RENAME TO idempotency_keys").run()
        }

        func revert(on database: any Database) async throws {
            try await database.schema("idempotency_keys").delete()
            try await LedgerMigrations.CreateIdempotencyKeys().prepare(on: database)
        }
    }
}
