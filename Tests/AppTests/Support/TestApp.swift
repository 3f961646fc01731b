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

enum TestApp {
    /// The scraper's token of every test app's `/metrics`.
    static let metricsToken = String(repeating: "m", count: 40)
}

enum TestAppSlots {
    /// Bounds how many test apps use PostgreSQL at once: each may open up to 16 connections,
    /// and the throwaway server accepts 500. SQLite needs no bound.
    static let shared = AsyncGate(capacity: TestDatabase.postgresAdminURL == nil ? Int.max : 20)
}

/// Runs `test` against a fully configured, migrated app on a database of its own.
///
/// `adjust` changes the configuration before the app starts (rate limits, token lifetimes).
func withTestApp(
    adjust: (inout AppConfig) -> Void = { _ in },
    _ test: (Application, TestClock) async throws -> Void
) async throws {
    await TestAppSlots.shared.acquire()
    defer { Task { await TestAppSlots.shared.release() } }
    let database = try await TestDatabase.make()
    var config = AppConfig(database: database.config, secretKey: String(repeating: "k", count: 64))
    config.bcryptCost = 4  // the minimum: tests check behaviour, not hashing strength
    config.postgresConnectionsPerEventLoop = 8  // room for real parallelism in concurrency tests
    config.metricsToken = TestApp.metricsToken  // on, so that its protection is tested everywhere
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
