import Fluent
import FluentKit
import Foundation
import FluentPostgresDriver
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
        guard !inTransaction else { return try await work(self) }
        guard isSQLite else { return try await sqlTransaction(begin: "BEGIN", work) }
        guard let gate else { return try await sqlTransaction(begin: "BEGIN IMMEDIATE", work) }
        return try await gate.withLock { try await self.sqlTransaction(begin: "BEGIN IMMEDIATE", work) }
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

    /// Fluent's own `transaction` on PostgreSQL does the same, except for what happens when the
    /// connection is lost (`abandoningIfLost`, `rollBack(after:)`). The connection handed to
    /// `work` is in a transaction (`inTransaction`), so a `writeTransaction` inside `work` joins
    /// this one.
    private func sqlTransaction<T: Sendable>(
        begin: SQLQueryString, _ work: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            let sql = connection.sql
            return try await Self.abandoningIfLost(connection) {
                try await sql.raw(begin).run()
                do {
                    let result = try await work(connection)
                    try await sql.raw("COMMIT").run()
                    return result
                } catch {
                    await Self.rollBack(sql, after: error)
                    throw error
                }
            }
        }
    }

    /// Runs `transaction`, but stops waiting for it a moment after its PostgreSQL connection is
    /// closed, and throws `DatabaseOutage.ConnectionLost` (503 `database_unavailable`).
    ///
    /// PostgresNIO 1.33 writes a statement to its channel without a promise, so a statement sent
    /// on a connection the server has just closed (PostgreSQL shutting down, the network gone) is
    /// never answered, and the request would wait forever holding its pool slot. Seen with
    /// PostgreSQL stopped under load: system-tests/test_reliability_outages.py. Statements that
    /// fail properly do so within the grace; only a stuck one is left behind, on a closed
    /// connection the pool then drops.
    private static func abandoningIfLost<T: Sendable>(
        _ connection: any Database, _ transaction: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard let closed = await closeFuture(of: connection) else { return try await transaction() }
        return try await awaitUnlessAbandoned(transaction) { abandon in
            closed.whenComplete { _ in
                Task {
                    try? await Task.sleep(for: lostConnectionGrace)
                    abandon(DatabaseOutage.ConnectionLost())
                }
            }
        }
    }

    /// The future that completes when a PostgreSQL connection closes; `nil` for SQLite.
    private static func closeFuture(of connection: any Database) async -> EventLoopFuture<Void>? {
        guard let postgres = connection as? any PostgresDatabase else { return nil }
        return try? await postgres.withConnection { $0.eventLoop.makeSucceededFuture($0.closeFuture) }.get()
    }

    private static var lostConnectionGrace: Duration { .seconds(1) }

    /// Ends a failed transaction, without waiting forever for it.
    ///
    /// A connection the database has dropped needs no ROLLBACK: the server ends a lost
    /// session's transaction itself, and a statement sent on it may never be answered (above).
    /// Any other ROLLBACK gets `rollbackLimit`; past it the request answers with its error.
    private static func rollBack(_ sql: any SQLDatabase, after error: any Error) async {
        guard !DatabaseOutage.lostConnection(error) else { return }
        _ = try? await awaitUnlessAbandoned({ try await sql.raw("ROLLBACK").run() }) { abandon in
            Task {
                try? await Task.sleep(for: rollbackLimit)
                abandon(DatabaseOutage.ConnectionLost())
            }
        }
    }

    private static var rollbackLimit: Duration { .seconds(5) }
}
