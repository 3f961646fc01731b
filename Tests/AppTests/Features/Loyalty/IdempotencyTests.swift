import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct IdempotencyTests {
    @Test func aRetryWithTheSameKeyGetsTheFirstAnswerAndChangesNothing() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let first = try await app.stamp(counter, idempotencyKey: "till-7-0001")
            clock.advance(by: 3_600)  // even after the cooldown a retry must not stamp again
            let retry = try await app.stamp(counter, idempotencyKey: "till-7-0001")
            #expect(retry.status == first.status)
            #expect(String(buffer: retry.body) == String(buffer: first.body))
            #expect(retry.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try await app.ledgerRows(of: counter).count == 1)
        }
    }

    @Test func theSameKeyForAnotherRequestIsRefused() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            _ = try await app.stamp(counter, idempotencyKey: "k-1")
            let other = try await app.counterRequest(
                counter, .POST, "/points/earn",
                json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826", "purchase_amount_cents": 100],
                idempotencyKey: "k-1")
            #expect(other.status == .unprocessableEntity)
            #expect(other.errorCode == "idempotency_key_reused")
            #expect(try await app.reloadCard(counter).pointsBalance == 0)
        }
    }

    @Test func refusedRequestsAreNotRemembered() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            _ = try await app.stamp(counter)
            #expect(try await app.stamp(counter, idempotencyKey: "after-cooldown").errorCode == "cooldown_active")
            clock.advance(by: 900)
            #expect(try await app.stamp(counter, idempotencyKey: "after-cooldown").status == .ok)
            #expect(try await app.reloadCard(counter).stampCount == 2)
        }
    }

    @Test func keysAreScopedToTheMerchant() async throws {
        try await withTestApp { app, _ in
            let first = try await Counter.make(in: app)
            let second = try await Counter.make(in: app)
            #expect(try await app.stamp(first, idempotencyKey: "shared-key").status == .ok)
            let other = try await app.stamp(second, idempotencyKey: "shared-key")
            #expect(other.status == .ok)
            #expect(other.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(try await app.reloadCard(second).stampCount == 1)
        }
    }

    @Test func malformedKeysAreRefused() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let response = try await app.stamp(counter, idempotencyKey: String(repeating: "k", count: 256))
            #expect(response.status == .badRequest)
            #expect(try await app.ledgerRows(of: counter).isEmpty)
        }
    }
}
