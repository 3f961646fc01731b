import Fluent
import FluentKit
import FluentSQL
import Foundation
import SQLKit
import LoyaltyCore
import Vapor

/// Schema of merchants, their stores and staff accounts.
enum TenancyMigrations {
    struct CreateMerchants: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(MerchantModel.schema)
                .id()
                .field("name", .string, .required)
                .field("contact_email", .string, .required)
                .field("created_at", .datetime, .required)
                .field("updated_at", .datetime)
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(MerchantModel.schema).delete()
        }
    }

    struct CreateStores: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(StoreModel.schema)
                .id()
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .restrict))
                .field("name", .string, .required)
                .field("code", .string, .required)
                .field("timezone", .string, .required)
                .field("address_line1", .string)
                .field("address_line2", .string)
                .field("postal_code", .string)
                .field("city", .string)
                .field("country", .string)
                .field("created_at", .datetime, .required)
                .field("updated_at", .datetime)
                .unique(on: "code")
                .create()
            try await database.sql.create(index: "stores_merchant_id_idx").on(StoreModel.schema).column("merchant_id").run()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(StoreModel.schema).delete()
        }
    }

    struct CreateUsers: AsyncMigration {
        func prepare(on database: any Database) async throws {
            // A plain string column rather than a native enum: SQLite has none, and adding a
            // role later must not need an ALTER TYPE on PostgreSQL.
            try await database.schema(UserModel.schema)
                .id()
                .field("email", .string, .required)
                .field("password_hash", .string, .required)
                .field("name", .string)
                .field("role", .string, .required)
                .field("merchant_id", .uuid, .references(MerchantModel.schema, .id, onDelete: .restrict))
                .field("store_id", .uuid, .references(StoreModel.schema, .id, onDelete: .restrict))
                .field("is_active", .bool, .required)
                .field("created_at", .datetime, .required)
                .field("updated_at", .datetime)
                .unique(on: "email")
                .create()
            try await database.sql.create(index: "users_merchant_id_idx").on(UserModel.schema).column("merchant_id").run()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(UserModel.schema).delete()
        }
    }

    /// The language a staff member's pages are in, remembered across devices.
    struct UpdateUsersAddLanguage: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(UserModel.schema).field("language", .string).update()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(UserModel.schema).deleteField("language").update()
        }
    }

    /// Set when the server drew the account's password (an owner's invitation or reset on the
    /// pages): the account chooses its own before it opens any page (decision 0041).
    struct UpdateUsersAddPasswordChangeRequired: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(UserModel.schema)
                .field("password_change_required", .bool, .required, .sql(.default(false)))
                .update()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(UserModel.schema).deleteField("password_change_required").update()
        }
    }
}
