import Fluent
import Foundation
import SQLKit
import Vapor

/// Indexes that let the program editor count the cards a change touches (decision 0028):
/// "cards of this merchant holding at least N stamps / points" is a range on one index, not a
/// scan of the merchant's cards or of the ledger.
enum ProgramImpactMigrations {
    struct CreateCardBalanceIndexes: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.sql.create(index: "loyalty_cards_merchant_stamps_idx").on(CardModel.schema)
                .column("merchant_id").column("stamp_count").run()
            try await database.sql.create(index: "loyalty_cards_merchant_points_idx").on(CardModel.schema)
                .column("merchant_id").column("points_balance").run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.drop(index: "loyalty_cards_merchant_points_idx").run()
            try await database.sql.drop(index: "loyalty_cards_merchant_stamps_idx").run()
        }
    }
}
