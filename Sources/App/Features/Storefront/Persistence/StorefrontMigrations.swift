import Fluent
import Foundation
import SQLKit
import Vapor

/// Schema for private card links.
enum StorefrontMigrations {
    /// A card enrolled without an account gets a private link; only its SHA-256 is stored.
    struct UpdateCardsAddLinkTokenHash: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CardModel.schema).field("link_token_hash", .string).update()
            try await database.sql.create(index: "loyalty_cards_link_token_hash_idx").unique().on(CardModel.schema)
                .column("link_token_hash").run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.drop(index: "loyalty_cards_link_token_hash_idx").run()
            try await database.schema(CardModel.schema).deleteField("link_token_hash").update()
        }
    }
}
