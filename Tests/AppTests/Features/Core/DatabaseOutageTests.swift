import Foundation
import NIOPosix
import PostgresNIO
import SQLiteNIO
import Testing
import Vapor

@testable import App

/// The database's outages become a 503 of their own, not `internal_error`. Each error here is
/// a real one, raised by the driver; the whole outage under load (PostgreSQL stopped, a full
/// disk) is system-tests/test_reliability_outages.py.
@Suite struct DatabaseOutageTests {
    @Test func aFullSQLiteDatabaseIsStorageFull() async throws {
        let connection = try await SQLiteConnection.open(storage: .memory)
        defer { Task { try? await connection.close() } }
        // A database allowed no more pages than it has fails its next write as a full disk does.
        _ = try await connection.query("CREATE TABLE filler (bytes BLOB)")
        _ = try await connection.query("PRAGMA max_page_count = 2")
        var caught: (any Error)?
        do {
            for _ in 0..<10 { _ = try await connection.query("INSERT INTO filler VALUES (zeroblob(4000))") }
        } catch {
            caught = error
        }
        let error = try #require(caught)
        #expect((error as? SQLiteError)?.reason == .full)
        let refusal = try #require(DatabaseOutage.apiError(for: error))
        #expect(refusal.status == .serviceUnavailable)
        #expect(refusal.code == "storage_full")
        #expect(refusal.headers.first(name: "Retry-After") == "30")
    }

    @Test func anUnreachablePostgreSQLIsDatabaseUnavailable() async throws {
        // A loopback port nobody listens on: bound, then closed.
        let port = try await Self.closedLoopbackPort()
        let configuration = PostgresConnection.Configuration(
            host: "127.0.0.1", port: port, username: "postgres", password: nil, database: "postgres", tls: .disable)
        var caught: (any Error)?
        do {
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: .init(label: "outage-test"))
            try? await connection.close()
        } catch {
            caught = error
        }
        let error = try #require(caught)
        let refusal = try #require(DatabaseOutage.apiError(for: error))
        #expect(refusal.status == .serviceUnavailable)
        #expect(refusal.code == "database_unavailable")
    }

    @Test func otherDatabaseErrorsAreNotOutages() async throws {
        let connection = try await SQLiteConnection.open(storage: .memory)
        defer { Task { try? await connection.close() } }
        var caught: (any Error)?
        do {
            _ = try await connection.query("SELECT * FROM no_such_table")
        } catch {
            caught = error
        }
        #expect(DatabaseOutage.apiError(for: try #require(caught)) == nil)
    }

    private static func closedLoopbackPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }
}
