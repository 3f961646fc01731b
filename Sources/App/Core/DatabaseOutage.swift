import AsyncKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Vapor

/// Recognises the database's "not now" answers: it cannot be reached, it went away in the
/// middle of a request, or it has no room left to write. These are outages of the platform, not
/// mistakes of the request and not bugs, so clients get a 503 that says so, with `Retry-After`,
/// instead of an `internal_error`. The instance keeps running and recovers by itself when the
/// database is back: every request asks the pool afresh.
///
/// Busy answers (a lock waited for too long) are `DatabaseBusy`'s.
enum DatabaseOutage {
    /// A PostgreSQL connection closed under a transaction that was then no longer waited for
    /// (`Database.sqlTransaction`).
    struct ConnectionLost: Error {}

    static func apiError(for error: any Error) -> APIError? {
        switch error {
        case is ConnectionLost: return unavailable
        case let error as PSQLError: return postgres(error)
        case let error as SQLiteError: return sqlite(error.reason)
        case ConnectionPoolError.shutdown: return unavailable
        // Every connection of the pool was taken for the whole wait: the database is the queue.
        case ConnectionPoolTimeoutError.connectionRequestTimeout: return DatabaseBusy.apiError
        default: return nil
        }
    }

    /// Nothing was written. Reads need no room, so they go on being served.
    static let storageFull = APIError(
        .serviceUnavailable, code: "storage_full",
        message: "The database has no room left to write; nothing was changed. Reading still works. Try again later.",
        headers: ["Retry-After": "30"])

    /// A connection that broke while a commit was under way leaves its outcome unknown to us,
    /// so the answer does not promise that nothing changed; a retry with the same
    /// Idempotency-Key settles it either way.
    static let unavailable = APIError(
        .serviceUnavailable, code: "database_unavailable",
        message: "The database cannot be reached. Send the request again in a moment, with the same Idempotency-Key if it had one: it is never applied twice.",
        headers: ["Retry-After": "2"])

    /// Whether `error` says the connection itself is gone (not only the statement refused).
    static func lostConnection(_ error: any Error) -> Bool {
        if error is ConnectionLost { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown: return true
        default: break
        }
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("08") || ["57P01", "57P02"].contains(state)
    }

    private static func postgres(_ error: PSQLError) -> APIError? {
        switch error.code {
        // A connection PostgresNIO closed itself after a FATAL from the server (57P01 when
        // PostgreSQL shuts down) is `clientClosedConnection`, with the server's error beneath.
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            return unavailable
        default:
            break
        }
        guard let state = error.serverInfo?[.sqlState] else { return nil }
        switch state {
        case "53100": return storageFull  // disk_full
        // connection exceptions; admin, crash and start-up shutdowns; too many connections
        case _ where state.hasPrefix("08"), "57P01", "57P02", "57P03", "53300": return unavailable
        default: return nil
        }
    }

    private static func sqlite(_ reason: SQLiteError.Reason) -> APIError? {
        switch reason {
        case .full:
            return storageFull
        case .ioError, .ioErrorFailedWrite, .ioErrorFailedSync, .ioErrorFailedDirSync, .ioErrorFailedTruncate,
             .ioErrorFailedRead, .ioErrorIncompleteRead, .ioErrorFailedSharedMemOpen, .ioErrorFailedSharedMemSize,
             .ioErrorFailedSharedMemMap, .ioErrorFailedMemoryMap, .ioErrorNoMemory, .noMemory,
             .cantOpen, .cantOpenDirectory, .readOnly, .readonlyDirectory, .readonlyCantLock:
            return unavailable
        default:
            return nil
        }
    }
}
