import Foundation
import LoyaltyCore
import NIOCore
import NIOPosix
import PostgresNIO

@testable import App

/// A database nobody else uses, for one test.
///
/// - Default: a private SQLite file in the temporary directory, deleted afterwards.
/// - With `TEST_POSTGRES_URL` (a superuser URL of a throwaway server): a scratch database
///   `loyalty_test_<random>` created for the test and dropped afterwards.
///
/// So the whole suite runs in parallel, on either engine, with no shared state.
struct TestDatabase: Sendable {
    let config: AppConfig.DatabaseConfig
    private let cleanup: @Sendable () async throws -> Void

    static var postgresAdminURL: String? {
        ProcessInfo.processInfo.environment["TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var engineName: String { postgresAdminURL == nil ? "sqlite" : "postgres" }

    static func make() async throws -> TestDatabase {
        let name = "loyalty_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        if let adminURL = postgresAdminURL {
            try await runAdminStatement("CREATE DATABASE \(name)", adminURL: adminURL)
            let url = try replacingDatabase(in: adminURL, with: String(name))
            return TestDatabase(config: .postgres(url: url)) {
                try await runAdminStatement("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", adminURL: adminURL)
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(String(name))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("loyalty.sqlite").path
        return TestDatabase(config: .sqlite(.init(path: path))) {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    func drop() async throws { try await cleanup() }

    private init(config: AppConfig.DatabaseConfig, cleanup: @escaping @Sendable () async throws -> Void) {
        self.config = config
        self.cleanup = cleanup
    }

    private static func replacingDatabase(in url: String, with database: String) throws -> String {
        guard var components = URLComponents(string: url) else { throw TestSetupError("bad TEST_POSTGRES_URL") }
        components.path = "/" + database
        guard let result = components.string else { throw TestSetupError("bad TEST_POSTGRES_URL") }
        return result
    }

    /// Runs one statement (CREATE / DROP DATABASE) on the admin database.
    private static func runAdminStatement(_ statement: String, adminURL: String) async throws {
        guard let url = URLComponents(string: adminURL), let host = url.host else {
            throw TestSetupError("TEST_POSTGRES_URL must look like postgres://user@host:port/db")
        }
        let configuration = PostgresConnection.Configuration(
            host: host, port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
            database: String(url.path.dropFirst()).isEmpty ? "postgres" : String(url.path.dropFirst()), tls: .disable)
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1,
            logger: .init(label: "test-database"))
        do {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: .init(label: "test-database"))
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
