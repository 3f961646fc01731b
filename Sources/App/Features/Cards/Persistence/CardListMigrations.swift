import Fluent
import FluentSQL
import SQLKit

/// 013: the merchant's card list in its order (newest first), and its blocked cards.
enum CardListMigrations {
    /// Without them SQLite sorted the merchant's whole card set for every page (a temporary
    /// B-tree per request) and counted blocked cards by reading each card (decision 0034).
    struct CreateCardListIndexes: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.sql.create(index: "loyalty_cards_merchant_created_idx").on(CardModel.schema)
                .column("merchant_id").column("created_at").column("id").run()
            // Partial: about one card in a hundred is blocked.
            try await database.sql.raw(
                """
                CREATE INDEX loyalty_cards_merchant_blocked_idx ON \(ident: CardModel.schema) (merchant_id, created_at, id)
                WHERE blocked_at IS NOT NULL
                """
            ).run()
        }

        func revert(on database: any Database) async throws {
            for index in ["loyalty_cards_merchant_blocked_idx", "loyalty_cards_merchant_created_idx"] {
                try await database.sql.drop(index: index).run()
            }
        }
    }
}
