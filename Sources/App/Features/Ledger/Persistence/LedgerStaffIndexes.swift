import Fluent
import SQLKit

extension LedgerMigrations {
    /// Who recorded a row, newest first: the owner's transactions filtered by a staff PIN or
    /// account, and a PIN's last use on the PINs page, without walking the merchant's ledger.
    struct CreateStaffTimeIndexes: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.sql.create(index: "loyalty_transactions_staff_pin_time_idx").on(TransactionModel.schema)
                .column("staff_pin_id").column("recorded_at_ms").run()
            try await database.sql.create(index: "loyalty_transactions_user_time_idx").on(TransactionModel.schema)
                .column("user_id").column("recorded_at_ms").run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.drop(index: "loyalty_transactions_user_time_idx").run()
            try await database.sql.drop(index: "loyalty_transactions_staff_pin_time_idx").run()
        }
    }
}
