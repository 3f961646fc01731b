import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

/// Shutdown waits for requests in flight and refuses later ones; PostgreSQL sessions cannot hold
/// a card forever (docs/decisions/0021-graceful-shutdown.md). The whole SIGTERM under load is
/// system-tests/test_shutdown_under_load.py.
@Suite struct ShutdownTests {
    @Test func drainWaitsForTheRequestsInFlightThenRefusesNewOnes() async throws {
        let requests = InFlightRequests()
        #expect(requests.enter() && requests.enter())
        let drain = Task { await requests.drain(until: .now.advanced(by: .seconds(10))) }
        try await Task.sleep(for: .milliseconds(100))
        requests.leave()
        try await Task.sleep(for: .milliseconds(100))
        #expect(requests.count == 1)
        requests.leave()
        #expect(await drain.value == 0)
        #expect(!requests.enter())
    }

    @Test func drainGivesUpAtTheDeadlineAndSaysHowManyAreLeft() async throws {
        let requests = InFlightRequests()
        #expect(requests.enter())
        let started = ContinuousClock.now
        #expect(await requests.drain(until: started.advanced(by: .milliseconds(200))) == 1)
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        #expect(!requests.enter())
    }

    @Test func aRequestAfterTheDrainIsRefusedWith503BeforeAnyHandlerRuns() async throws {
        try await withTestApp { app, _ in
            #expect(try await app.send(.GET, "/health/ready").status == .ok)
            _ = await app.inFlightRequests.drain(until: .now)
            let refused = try await app.send(.GET, "/health/ready")
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.errorCode == "shutting_down")
            #expect(refused.headers.first(name: .connection) == "close")
            #expect(refused.headers.first(name: .retryAfter) == "1")
        }
    }

    @Test(.enabled(if: TestDatabase.postgresAdminURL != nil, "PostgreSQL session settings"))
    func postgresSessionsStartWithLockAndIdleTransactionTimeouts() async throws {
        try await withTestApp(adjust: {
            $0.postgresLockTimeoutMilliseconds = 1_500
            $0.postgresIdleInTransactionTimeoutMilliseconds = 4_000
        }) { app, _ in
            let lock = try await app.db.sql.raw("SHOW lock_timeout").first()?.decode(column: "lock_timeout", as: String.self)
            let idle = try await app.db.sql.raw("SHOW idle_in_transaction_session_timeout").first()?
                .decode(column: "idle_in_transaction_session_timeout", as: String.self)
            #expect(lock == "1500ms")
            #expect(idle == "4s")
        }
    }

    /// A card locked by a client that went quiet: the stamp gives up after `lock_timeout` with a
    /// retryable 503 and changes nothing, instead of queueing behind the holder.
    @Test(.enabled(if: TestDatabase.postgresAdminURL != nil, "PostgreSQL lock_timeout"))
    func aStampBehindAStuckLockIsRefusedAsBusyAndChangesNothing() async throws {
        try await withTestApp(adjust: { $0.postgresLockTimeoutMilliseconds = 300 }) { app, _ in
            let counter = try await Counter.make(in: app)
            let holder = app.databases.database(logger: app.logger, on: app.eventLoopGroup.any())!
            try await holder.transaction { tx in
                try await tx.sql.raw("SELECT id FROM loyalty_cards WHERE id = \(bind: counter.cardID) FOR UPDATE").run()
                let stamp = try await app.stamp(counter)
                #expect(stamp.status == .serviceUnavailable)
                #expect(stamp.errorCode == "database_busy")
                #expect(stamp.headers.first(name: .retryAfter) == "1")
            }
            #expect(try await app.reloadCard(counter).stampCount == 0)
            #expect(try await app.stamp(counter).status == .ok)
        }
    }
}
