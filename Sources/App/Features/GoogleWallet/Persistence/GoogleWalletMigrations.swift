import Fluent
import Foundation
import FluentSQL
import SQLKit

/// Schema for Google Wallet: what Google holds of each program's class and card's object.
enum GoogleWalletMigrations {
    struct CreateGoogleObjects: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(GoogleWalletObjectModel.schema)
                .id()
                .field("card_id", .uuid, .required, .references(CardModel.schema, .id, onDelete: .cascade))
                .field("object_id", .string, .required)
                .field("class_id", .string)
                .field("sent_hash", .string)
                .field("sent_body", .string)
                .field("synced_at", .datetime)
                .field("attempted_at", .datetime)
                .field("failures", .int, .required, .sql(.default(0)))
                .field("last_error", .string)
                .field("lease_owner", .string)
                .field("lease_until", .datetime)
                .field("rewards_ready", .int, .required, .sql(.default(0)))
                .field("notices_sent", .int, .required, .sql(.default(0)))
                .field("notice_window_start", .datetime)
                .field("created_at", .datetime, .required)
                .unique(on: "card_id")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(GoogleWalletObjectModel.schema).delete()
        }
    }

    struct CreateGoogleClasses: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(GoogleWalletClassModel.schema)
                .id()
                .field("program_id", .uuid, .required, .references(ProgramModel.schema, .id, onDelete: .cascade))
                .field("class_id", .string, .required)
                .field("sent_hash", .string)
                .field("sent_body", .string)
                .field("synced_at", .datetime)
                .field("attempted_at", .datetime)
                .field("failures", .int, .required, .sql(.default(0)))
                .field("last_error", .string)
                .field("created_at", .datetime, .required)
                .unique(on: "program_id")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(GoogleWalletClassModel.schema).delete()
        }
    }
}
