import Fluent
import Foundation
import LoyaltyCore
import NIOCore
import SQLKit
import Testing
import Vapor

@testable import App

@Suite struct WriteTransactionTests {
    struct Boom: Error {}

    func makeCounter(_ app: Application) async throws {
        try await app.db.sql.raw("CREATE TABLE test_counters (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)").run()
        try await app.db.sql.raw("INSERT INTO test_counters (id, value) VALUES (1, 0)").run()
    }

    func counterValue(_ app: Application) async throws -> Int {
        try await app.db.sql.raw("SELECT value FROM test_counters WHERE id = 1").first()?.decode(column: "value", as: Int.self) ?? -1
    }

    /// Read, wait, write: the pattern that loses updates or fails with "database is locked"
    /// unless writers are serialized. The pause widens the gap between read and write.
    @Test func parallelReadModifyWritesLoseNothing() async throws {
        try await withTestApp { app, _ in
            try await makeCounter(app)
            let writers = 64
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<writers {
                    // Different event loops: different pooled connections.
                    let database = app.databases.database(logger: app.logger, on: app.eventLoopGroup.any())!
                    let gate = app.writeGate
                    group.addTask {
                        try await database.writeTransaction(gate: gate) { tx in
                            let current = try await tx.sql.select().column("value").from("test_counters")
                                .where("id", .equal, 1).for(.update)
                                .first(decoding: [String: Int].self)?["value"] ?? 0
                            try await Task.sleep(for: .milliseconds(index % 3))
                            try await tx.sql.update("test_counters").set("value", to: current + 1).where("id", .equal, 1).run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await counterValue(app) == writers)
        }
    }

    @Test func aFailureMidwayLeavesNoPartialState() async throws {
        try await withTestApp { app, _ in
            try await makeCounter(app)
            await #expect(throws: Boom.self) {
                try await app.db.writeTransaction(gate: app.writeGate) { tx in
                    try await tx.sql.update("test_counters").set("value", to: 99).where("id", .equal, 1).run()
                    throw Boom()
                }
            }
            #expect(try await counterValue(app) == 0)
            // The gate and the connection are free again.
            try await app.db.writeTransaction(gate: app.writeGate) { tx in
                try await tx.sql.update("test_counters").set("value", to: 7).where("id", .equal, 1).run()
            }
            #expect(try await counterValue(app) == 7)
        }
    }
}

@Suite(.enabled(if: TestDatabase.postgresAdminURL == nil, "SQLite settings"))
struct SQLiteConnectionSetupTests {
    func pragma(_ name: String, on database: any Database) async throws -> String {
        let row = try await database.sql.raw(SQLQueryString("PRAGMA \(unsafeRaw: name)")).first()
        guard let row, let column = row.allColumns.first else { return "" }
        if let number = try? row.decode(column: column, as: Int.self) { return String(number) }
        return try row.decode(column: column, as: String.self)
    }

    @Test func everyPooledConnectionHasTheSettings() async throws {
        try await withTestApp(adjust: { config in
            if case .sqlite(var settings) = config.database {
                settings.busyTimeoutMilliseconds = 1_234
                settings.cacheMebibytes = 3
                config.database = .sqlite(settings)
            }
        }) { app, _ in
            var loops = 0
            for eventLoop in app.eventLoopGroup.makeIterator() {
                loops += 1
                let database = try #require(app.databases.database(logger: app.logger, on: eventLoop))
                let values = try await database.withConnection { connection in
                    [
                        try await pragma("journal_mode", on: connection), try await pragma("busy_timeout", on: connection),
                        try await pragma("synchronous", on: connection), try await pragma("foreign_keys", on: connection),
                        try await pragma("cache_size", on: connection),
                    ]
                }
                // WAL, the configured timeout, synchronous FULL (2), foreign keys on, 3 MiB of cache (in KiB).
                #expect(values == ["wal", "1234", "2", "1", "-3072"])
            }
            #expect(loops >= 1)
        }
    }

    @Test func durabilityIsASetting() async throws {
        try await withTestApp(adjust: { config in
            if case .sqlite(var settings) = config.database {
                settings.synchronous = .normal
                config.database = .sqlite(settings)
            }
        }) { app, _ in
            let synchronous = try await pragma("synchronous", on: app.db)
            #expect(synchronous == "1")  // NORMAL
        }
    }
}
