import Fluent
import Foundation
import LoyaltyCore
import NIOFoundationCompat
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

@testable import App

/// A clock tests can move: cooldowns, token expiry and rate-limit windows without sleeping.
final class TestClock: Sendable {
    /// 2026-11-18, at an instant with microseconds, as a real clock reads: times must survive
    /// both databases' precision exactly where they are hashed.
    private let current = NIOLockedValueBox(Date(timeIntervalSince1970: 1_795_000_000.123_456_7))

    var now: Date { current.withLockedValue { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLockedValue { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// Runs `test` against a fully configured, migrated app on a database of its own.
///
/// `adjust` changes the configuration before the app starts (rate limits, token lifetimes).
func withTestApp(
    adjust: (inout AppConfig) -> Void = { _ in },
    _ test: (Application, TestClock) async throws -> Void
) async throws {
    let database = try await TestDatabase.make()
    var config = AppConfig(database: database.config, secretKey: String(repeating: "k", count: 64))
    config.bcryptCost = 4  // the minimum: tests check behaviour, not hashing strength
    config.postgresConnectionsPerEventLoop = 8  // room for real parallelism in concurrency tests
    adjust(&config)

    let app = try await Application.make(.testing)
    let clock = TestClock()
    do {
        try await configure(app, config: config)
        app.clock = { clock.now }
        try await app.autoMigrate()
        try await test(app, clock)
    } catch {
        try? await app.asyncShutdown()
        try? await database.drop()
        throw error
    }
    try await app.asyncShutdown()
    try await database.drop()
}
