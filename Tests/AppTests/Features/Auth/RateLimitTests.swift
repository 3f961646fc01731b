import Fluent
import Foundation
import LoyaltyCore
import NIOPosix
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct RateLimitTests {
    static func wrongLogin(_ app: Application, email: String = "owner@shop.test", client: String = "10.0.0.1") async throws
        -> TestingHTTPResponse
    {
        try await app.send(
            .POST, "/api/v1/auth/login", headers: ["X-Forwarded-For": client],
            json: ["email": .string(email), "password": "not-the-password"])
    }

    /// From one address: the per-account limit is counted per account and address.
    @Test func loginsPerAccountStopAtTheLimitEvenWithTheRightPassword() async throws {
        try await withTestApp(adjust: { $0.rateLimits = .init(window: 900, loginPerAccount: 3) }) { app, clock in
            _ = try await app.makeUser(.platformAdmin, email: "owner@shop.test")
            for _ in 0..<3 {
                #expect(try await Self.wrongLogin(app).status == .unauthorized)
            }
            let refused = try await app.send(
                .POST, "/api/v1/auth/login", json: ["email": "owner@shop.test", "password": .string(Application.fixturePassword)])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.errorCode == "rate_limited")
            let retryAfter = try #require(refused.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect((1...900).contains(retryAfter))
            #expect(try refused.json["error"]?["details"]?["retry_after_seconds"]?.int == retryAfter)

            clock.advance(by: TimeInterval(retryAfter))
            let later = try await app.send(
                .POST, "/api/v1/auth/login", json: ["email": "owner@shop.test", "password": .string(Application.fixturePassword)])
            #expect(later.status == .ok)
        }
    }

    @Test func oneClientCannotSprayManyAccounts() async throws {
        try await withTestApp(adjust: {
            $0.trustForwardedFor = true
            $0.rateLimits = .init(window: 900, loginPerAccount: 10, loginPerClient: 4)
        }) { app, _ in
            for index in 0..<4 {
                let status = try await Self.wrongLogin(app, email: "user\(index)@shop.test").status
                #expect(status == .unauthorized)
            }
            let fifth = try await Self.wrongLogin(app, email: "user9@shop.test")
            #expect(fifth.status == .tooManyRequests)
            // Another client is not affected.
            let otherClient = try await Self.wrongLogin(app, email: "user9@shop.test", client: "10.0.0.2")
            #expect(otherClient.status == .unauthorized)
        }
    }

    @Test func parallelGuessesGetNoMoreTriesThanTheLimit() async throws {
        try await withTestApp(adjust: { $0.rateLimits = .init(window: 900, loginPerAccount: 5, loginPerClient: 1_000) }) { app, _ in
            _ = try await app.makeUser(.platformAdmin, email: "owner@shop.test")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await Self.wrongLogin(app).status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 15)
        }
    }

    @Test func countersLiveInTheDatabaseSoEveryInstanceSharesThem() async throws {
        try await withTestApp(adjust: { $0.rateLimits = .init(window: 900, loginPerAccount: 2) }) { app, _ in
            // A second limiter over the same database stands for a second app instance.
            let otherInstance = RateLimiter(database: app.db, writeGate: nil, now: app.clock)
            let policy = app.config.rateLimits.loginPerAccount
            let first = try await otherInstance.recordAttempt("login:account:owner@shop.test|client:unknown", policy: policy)
            #expect(first == .allowed(remaining: 1))
            let second = try await Self.wrongLogin(app)
            #expect(second.status == .unauthorized)
            let third = try await Self.wrongLogin(app)
            #expect(third.status == .tooManyRequests)
        }
    }

    /// Issue #8: behind a proxy the leftmost `X-Forwarded-For` entry was believed, so rotating
    /// it gave every attempt a fresh address and the per-address limit never bit.
    @Test func rotatingTheForwardedHeaderDoesNotBypassThePerAddressLimit() async throws {
        try await withTestApp(adjust: {
            $0.trustForwardedFor = true
            $0.rateLimits = .init(window: 900, loginPerAccount: 10, loginPerClient: 3)
        }) { app, _ in
            for index in 0..<3 {
                let response = try await Self.wrongLogin(app, email: "user\(index)@shop.test", client: "203.0.113.\(index + 1), 10.0.0.1")
                #expect(response.status == .unauthorized)
            }
            for index in 3..<8 {
                let response = try await Self.wrongLogin(app, email: "user\(index)@shop.test", client: "203.0.113.\(index + 1), 10.0.0.1")
                #expect(response.status == .tooManyRequests)
            }
        }
    }

    @Test func anAttackerElsewhereCannotLockTheCashierOut() async throws {
        try await withTestApp(adjust: {
            $0.trustForwardedFor = true
            $0.rateLimits = .init(window: 900, loginPerAccount: 3)
        }) { app, _ in
            _ = try await app.makeUser(.platformAdmin, email: "owner@shop.test")
            for _ in 0..<3 { #expect(try await Self.wrongLogin(app, client: "198.51.100.66").status == .unauthorized) }
            #expect(try await Self.wrongLogin(app, client: "198.51.100.66").status == .tooManyRequests)
            let cashier = try await Self.rightLogin(app, client: "10.0.0.1")
            #expect(cashier.status == .ok)
        }
    }

    @Test func manyAddressesMeetTheAccountTotalWhichSparesAddressesTheAccountUsedBefore() async throws {
        try await withTestApp(adjust: {
            $0.trustForwardedFor = true
            $0.rateLimits = .init(window: 900, loginPerAccount: 10, loginPerAccountTotal: 4)
        }) { app, _ in
            _ = try await app.makeUser(.platformAdmin, email: "owner@shop.test")
            #expect(try await Self.rightLogin(app, client: "10.0.0.1").status == .ok)
            for index in 0..<3 {
                #expect(try await Self.wrongLogin(app, client: "198.51.100.\(index + 1)").status == .unauthorized)
            }
            // The total is reached: a new address is refused, even with the right password...
            #expect(try await Self.wrongLogin(app, client: "198.51.100.50").status == .tooManyRequests)
            #expect(try await Self.rightLogin(app, client: "198.51.100.51").status == .tooManyRequests)
            // ...but the address the account signed in from before is not.
            #expect(try await Self.rightLogin(app, client: "10.0.0.1").status == .ok)
            #expect(try await Self.wrongLogin(app, client: "10.0.0.1").status == .unauthorized)
        }
    }

    /// Issue #8: every refused login still committed two counter writes on the single writer.
    @Test func aRefusedAttemptWritesNothing() async throws {
        try await withTestApp(adjust: { $0.rateLimits = .init(window: 900, loginPerAccount: 2) }) { app, _ in
            for _ in 0..<2 { #expect(try await Self.wrongLogin(app).status == .unauthorized) }
            let before = try await Self.counterTotal(app)
            for _ in 0..<5 { #expect(try await Self.wrongLogin(app).status == .tooManyRequests) }
            #expect(try await Self.counterTotal(app) == before)
        }
    }

    @Test func passwordHashingRunsOnABoundedPoolOfItsOwn() async throws {
        try await withTestApp { app, _ in
            #expect(app.passwordHashing.threadPool !== app.threadPool)
            let pool = NIOThreadPool(numberOfThreads: 1)
            pool.start()
            let hashing = try PasswordHashing(cost: 8, threadPool: pool, maxWaiting: 2)
            let outcomes = await withTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await hashing.hash("correct-horse-battery")
                            return "hashed"
                        } catch let error as APIError {
                            return error.code
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "hashed" }.count >= 2)
            #expect(outcomes.contains("rate_limited"))
            #expect(Set(outcomes).isSubset(of: ["hashed", "rate_limited"]))
            #expect(hashing.waiting == 0)
            try await pool.shutdownGracefully()
        }
    }

    @Test func oldWindowsAreSweptWhenNewOnesStart() async throws {
        try await withTestApp { app, clock in
            let limiter = app.rateLimiterForTests
            let policy = RateLimitPolicyFixture.short
            _ = try await limiter.recordAttempt("a", policy: policy)
            clock.advance(by: TimeInterval(RateLimiter.maximumWindow) + 120)
            _ = try await limiter.recordAttempt("b", policy: policy)
            let rows = try await app.db.sql.raw("SELECT bucket FROM rate_limit_counters").all()
            #expect(try rows.map { try $0.decode(column: "bucket", as: String.self) } == ["b"])
        }
    }

    @Test func registrationsPerClientAreLimited() async throws {
        try await withTestApp(adjust: { $0.rateLimits = .init(window: 900, registrationPerClient: 2) }) { app, _ in
            let merchant = try await app.makeMerchant()
            _ = try await app.makeStore(of: merchant, code: "SHOP-1")
            for index in 0..<2 {
                let response = try await app.send(
                    .POST, "/api/v1/storefront/auth/register",
                    json: [
                        "store_code": "SHOP-1", "email": .string("c\(index)@mail.test"), "password": "long-enough-pw",
                        "name": "C",
                    ])
                #expect(response.status == .created)
            }
            let third = try await app.send(
                .POST, "/api/v1/storefront/auth/register",
                json: ["store_code": "SHOP-1", "email": "c9@mail.test", "password": "long-enough-pw", "name": "C"])
            #expect(third.status == .tooManyRequests)
            #expect(try await CustomerModel.query(on: app.db).count() == 2)
        }
    }
}

extension RateLimitTests {
    static func rightLogin(_ app: Application, email: String = "owner@shop.test", client: String) async throws -> TestingHTTPResponse {
        try await app.send(
            .POST, "/api/v1/auth/login", headers: ["X-Forwarded-For": client],
            json: ["email": .string(email), "password": .string(Application.fixturePassword)])
    }

    static func counterTotal(_ app: Application) async throws -> Int {
        let row = try await app.db.sql.raw("SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) AS total FROM rate_limit_counters").first()
        return try row?.decode(column: "total", as: Int.self) ?? 0
    }
}

enum RateLimitPolicyFixture {
    static let short = RateLimitPolicy(limit: 10, window: 60)
}

extension Application {
    var rateLimiterForTests: RateLimiter {
        RateLimiter(database: db, writeGate: writeGate, now: clock)
    }
}
