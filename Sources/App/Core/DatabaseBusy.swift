import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Vapor

/// Recognises the database's "someone else holds what you need" answers: PostgreSQL's
/// `lock_timeout` (SQLSTATE 55P03) and SQLite's `SQLITE_BUSY` after `busy_timeout`. Both mean
/// the request changed nothing and may be retried, so clients get 503 `database_busy` with
/// `Retry-After`, not an internal error.
enum DatabaseBusy {
    static func matches(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            return error.serverInfo?[.sqlState] == "55P03"
        }
        if let error = error as? SQLiteError {
            return error.reason == .busy || error.reason == .busyTimeout
        }
        return false
    }

    static let apiError = APIError(
        .serviceUnavailable, code: "database_busy",
        message: "The card is busy with another operation; nothing was changed. Try again in a moment.",
        headers: ["Retry-After": "1"])
}
