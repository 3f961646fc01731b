import Fluent
import FluentKit
import Foundation
import NIOCore
import SQLKit
import Vapor

/// Applies the SQLite settings every connection needs, which SQLiteKit sets none of.
///
/// Fluent's SQLite driver keeps exactly one connection per event loop for the app's lifetime,
/// so visiting each event loop once at start-up reaches every pooled connection:
/// - `journal_mode = WAL`: readers and the writer stop blocking each other (stored in the file);
/// - `busy_timeout`: replaces sqlite-nio's busy handler, which retries forever, with a bounded
///   wait for writers in other processes;
/// - `synchronous`: the durability level chosen in `AppConfig.SQLiteSettings`;
/// - `foreign_keys = ON`: SQLiteKit sets it too; asserted here so the test that reads the
///   settings back covers it;
/// - `optimize=0x10002`: what SQLite advises for long-lived connections: gathers the planner's
///   statistics where they are missing or stale, with a bounded effort. Without them the planner
///   took `merchant_id = ? AND card_id IN (…)` through the merchant's time index, a scan of
///   every row of the merchant (374 ms for one card's history at 1 million rows, bench/README.md);
/// - `cache_size`: the connection's page cache (`LOYALTY_SQLITE_CACHE_MIB`, negative: in KiB).
///   At SQLite's default of 2 MiB a name search at a million cards read its 16,578 index
///   probes' pages from the operating system one system call at a time (decision 0036).
enum SQLiteConnectionSetup {
    static func statements(for settings: AppConfig.SQLiteSettings) -> [String] {
        [
            "PRAGMA journal_mode = WAL",
            "PRAGMA busy_timeout = \(settings.busyTimeoutMilliseconds)",
            "PRAGMA synchronous = \(settings.synchronous.rawValue)",
            "PRAGMA foreign_keys = ON",
            "PRAGMA optimize = 0x10002",
            "PRAGMA cache_size = -\(settings.cacheMebibytes * 1_024)",
        ]
    }

    /// Runs the settings on the connection of every event loop of `app`.
    static func prepareEveryConnection(of app: Application, settings: AppConfig.SQLiteSettings) async throws {
        for eventLoop in app.eventLoopGroup.makeIterator() {
            try await prepareConnection(of: app, on: eventLoop, settings: settings)
        }
    }

    private static func prepareConnection(
        of app: Application,
        on eventLoop: any EventLoop,
        settings: AppConfig.SQLiteSettings
    ) async throws {
        guard let database = app.databases.database(logger: app.logger, on: eventLoop) else {
            throw ConfigError("the SQLite database is not configured")
        }
        try await database.withConnection { connection in
            for statement in statements(for: settings) {
                try await connection.sql.raw(SQLQueryString(statement)).run()
            }
        }
    }
}
