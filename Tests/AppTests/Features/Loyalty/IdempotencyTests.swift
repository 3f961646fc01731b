import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
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

    @Test func twoStoresOfOneMerchantReusingAKeyBothHaveTheirOperation() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let otherStore = try await app.makeStore(of: counter.merchant)
            _ = try await app.makePin("5173", in: otherStore, name: "Marc")
            let otherCashier = try await app.token(for: try await app.makeUser(.storeStaff, merchant: counter.merchant, store: otherStore))
            let otherCard = try await app.makeCard(
                for: try await app.makeCustomer(of: counter.merchant), program: counter.program, store: otherStore)

            // Both tills count their keys from 1.
            #expect(try await app.stamp(counter, idempotencyKey: "till-0001").status == .ok)
            let other = try await app.counterRequest(
                counter, .POST, "/stamp", json: ["card_id": .string(otherCard.id!.uuidString), "staff_pin": "5173"], token: otherCashier,
                idempotencyKey: "till-0001")
            #expect(other.status == .ok)
            #expect(other.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(try await CardModel.find(otherCard.id, on: app.db)?.stampCount == 1)
            // A retry in the first store is still a replay.
            #expect(try await app.stamp(counter, idempotencyKey: "till-0001").headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try await app.reloadCard(counter).stampCount == 1)
        }
    }

    @Test func theMigrationCopiesEachStoredKeyToEveryStoreOfItsMerchant() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let secondStore = try await app.makeStore(of: counter.merchant)
            let otherMerchant = try await Counter.make(in: app)
            // Back to the merchant-scoped table with one stored key, then forward again.
            try await app.db.schema("idempotency_keys").delete()
            try await LedgerMigrations.CreateIdempotencyKeys().prepare(on: app.db)
            try await app.db.sql.insert(into: "idempotency_keys")
                .columns("merchant_id", "key", "request_hash", "response_status", "response_body", "created_at")
                .values(SQLBind(counter.merchant.id!), SQLBind("old-key"), SQLBind("hash"), SQLBind(200), SQLBind("{}"), SQLBind(Date()))
                .run()
            try await IdempotencyMigrations.UpdateIdempotencyKeysScopeToStore().prepare(on: app.db)

            struct Row: Decodable { let store_id: UUID }
            let rows = try await app.db.sql.select().column("store_id").from("idempotency_keys")
                .where("key", .equal, "old-key").all(decoding: Row.self)
            #expect(Set(rows.map(\.store_id)) == [counter.store.id!, secondStore.id!])
            #expect(!rows.contains { $0.store_id == otherMerchant.store.id })
            // The rebuilt table works: a new key is stored and replayed per store.
            #expect(try await app.stamp(counter, idempotencyKey: "new-key").status == .ok)
            #expect(try await app.stamp(counter, idempotencyKey: "new-key").headers.first(name: "Idempotent-Replayed") == "true")
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
