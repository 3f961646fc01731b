import Fluent
import FluentKit
import Foundation
import SQLKit
import Vapor

extension Database {
    /// Runs `work` in a transaction in which concurrent writers are serialized, on SQLite and
    /// PostgreSQL alike. Every read-modify-write goes through here; see
    /// docs/decisions/0001-write-transactions.md.
    ///
    /// - SQLite: writers queue on `gate` (suspending, not blocking threads), then
    ///   `BEGIN IMMEDIATE` takes the database write lock up front, so a read-then-write cannot
    ///   fail with `SQLITE_BUSY` when a deferred transaction tries to upgrade its lock.
    ///   `busy_timeout` bounds the wait for writers in other processes (CLI commands).
    /// - PostgreSQL: a plain `BEGIN`; lock the rows you read-then-write with
    ///   `SELECT … FOR UPDATE` (`lockForUpdate` helpers). `gate` is `nil` there.
    ///
    /// Don't call `transaction(_:)` inside `work`.
    func writeTransaction<T: Sendable>(
        gate: AsyncGate?,
        _ work: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        guard isSQLite, !inTransaction else {
            return try await transaction(work)
        }
        guard let gate else {
            return try await immediateSQLiteTransaction(work)
        }
        return try await gate.withLock { try await self.immediateSQLiteTransaction(work) }
    }

    /// Whether this is the embedded SQLite database.
    var isSQLite: Bool {
        (self as? any SQLDatabase)?.dialect.name == "sqlite"
    }

    /// The SQLKit face of this database.
    var sql: any SQLDatabase {
        // Safe: the app only configures Fluent's SQL drivers (SQLite, PostgreSQL), whose
        // databases are all SQLDatabases.
        self as! any SQLDatabase
    }

    private func immediateSQLiteTransaction<T: Sendable>(
        _ work: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            let sql = connection.sql
            try await sql.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await work(connection)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
