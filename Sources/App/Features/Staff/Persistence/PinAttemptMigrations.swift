import Fluent
import Foundation
import SQLKit

/// Schema of the PIN failure counters per store and terminal
/// (docs/decisions/0013-pin-failure-counting.md).
enum PinAttemptMigrations {
    /// One row per store and signed-in account (the terminal): every wrong PIN typed there,
    /// named or not, counts in it, and no colleague's success resets it.
    struct CreatePinTerminalFailures: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(PinTerminalCounter.schema)
                .field("store_id", .uuid, .required, .references(StoreModel.schema, .id, onDelete: .cascade))
                .field("terminal_id", .uuid, .required)
                .field("failed_attempts", .int, .required)
                .field("first_failed_at", .datetime)
                .field("locked_until", .datetime)
                .compositeIdentifier(over: "store_id", "terminal_id")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(PinTerminalCounter.schema).delete()
        }
    }
}
