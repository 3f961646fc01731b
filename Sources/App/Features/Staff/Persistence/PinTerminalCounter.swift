import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// The failure counter of one terminal in one store, read and written with SQLKit inside the
/// operation's write transaction.
///
/// The terminal is the signed-in account the counter operation comes from: a guesser's
/// failures lock their own terminal, not every colleague's.
enum PinTerminalCounter {
    static let schema = "pin_terminal_failures"

    private struct Row: Decodable {
        let failed_attempts: Int
        let first_failed_at: Date?
        let locked_until: Date?
    }

    /// The counter's state; with `lock`, the row is created if needed and locked
    /// (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's write transaction already serializes).
    static func state(store storeID: UUID, terminal terminalID: UUID, on tx: any Database, lock: Bool) async throws -> PinLockout {
        if lock {
            try await tx.sql.raw(
                """
                INSERT INTO \(ident: schema) (store_id, terminal_id, failed_attempts)
                VALUES (\(bind: storeID), \(bind: terminalID), 0)
                ON CONFLICT (store_id, terminal_id) DO NOTHING
                """
            ).run()
        }
        let query = tx.sql.select().column("failed_attempts").column("first_failed_at").column("locked_until").from(schema)
            .where("store_id", .equal, storeID)
            .where("terminal_id", .equal, terminalID)
        guard let row = try await (lock ? query.for(.update) : query).first(decoding: Row.self) else { return PinLockout() }
        return lockout(failedAttempts: row.failed_attempts, firstFailedAt: row.first_failed_at, lockedUntil: row.locked_until)
    }

    /// The state a row holds (none: no failures), its times at the ledger's precision.
    static func lockout(failedAttempts: Int?, firstFailedAt: Date?, lockedUntil: Date?) -> PinLockout {
        guard let failedAttempts else { return PinLockout() }
        return PinLockout(
            failedAttempts: failedAttempts, lockedUntil: lockedUntil.map(LedgerEntry.wholeMilliseconds),
            firstFailureAt: firstFailedAt.map(LedgerEntry.wholeMilliseconds))
    }

    /// Saves the state of a row `state(…, lock: true)` created.
    static func save(_ state: PinLockout, store storeID: UUID, terminal terminalID: UUID, on tx: any Database) async throws {
        try await tx.sql.update(schema)
            .set("failed_attempts", to: state.failedAttempts)
            .set("first_failed_at", to: state.firstFailureAt)
            .set("locked_until", to: state.lockedUntil)
            .where("store_id", .equal, storeID)
            .where("terminal_id", .equal, terminalID)
            .run()
    }

    /// Forgets every terminal's failures in the store: a manager's unlock vouches for it.
    static func clear(store storeID: UUID, on database: any Database) async throws {
        try await database.sql.delete(from: schema).where("store_id", .equal, storeID).run()
    }
}
