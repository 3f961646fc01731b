import Fluent
import Foundation
import LoyaltyCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor

@testable import App

@Suite struct PurgeJobTests {
    static let day: TimeInterval = 86_400

    @Test func oldRowsGoAndFreshRowsStay() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let now = clock.now
            let userID = try counter.cashier.requireID()

            // Tokens: expired, revoked, live.
            let expired = AccessTokenModel(tokenHash: "expired", subject: .user(userID), expiresAt: now.addingTimeInterval(-1))
            let revoked = AccessTokenModel(tokenHash: "revoked", subject: .user(userID), expiresAt: now.addingTimeInterval(3_600))
            revoked.revokedAt = now.addingTimeInterval(-60)
            let live = AccessTokenModel(tokenHash: "live", subject: .user(userID), expiresAt: now.addingTimeInterval(3_600))
            for token in [expired, revoked, live] { try await token.create(on: app.db) }
            let tokensBefore = try await AccessTokenModel.query(on: app.db).count()

            // Idempotency keys: 8 days old (past the 7-day default) and 6 days old.
            let store = try StoreContext(counter.store)
            for (key, age) in [("old-1", 8.0), ("old-2", 30.0), ("old-3", 7.01), ("fresh", 6.0)] {
                try await IdempotencyStore.save(
                    try IdempotencyRequest(key: key, operation: "test", content: ["a": 1]), response: StoredResponse(status: 200, body: "{}"),
                    store: store, at: now.addingTimeInterval(-age * Self.day), on: app.db)
            }

            // Job runs: 91 days and 89 days old.
            try await JobRunModel(job: "test", slot: "old", startedAt: now.addingTimeInterval(-91 * Self.day)).create(on: app.db)
            try await JobRunModel(job: "test", slot: "recent", startedAt: now.addingTimeInterval(-89 * Self.day)).create(on: app.db)

            // Wallet registrations: of a card deactivated 31 days ago, of one deactivated
            // yesterday, and of a live card that has been quiet for years.
            func card() async throws -> CardModel {
                try await app.makeCard(for: try await app.makeCustomer(of: counter.merchant), program: counter.program, store: counter.store)
            }
            let longGone = try await card()
            let justGone = try await card()
            for (card, age) in [(longGone, 31.0), (justGone, 1.0)] {
                try await app.db.sql.update(CardModel.schema).set("is_active", to: false)
                    .set("updated_at", to: now.addingTimeInterval(-age * Self.day)).where("id", .equal, card.requireID()).run()
            }
            try await app.db.sql.update(CardModel.schema).set("updated_at", to: now.addingTimeInterval(-2_000 * Self.day))
                .where("id", .equal, counter.cardID).run()
            for card in [longGone, justGone, counter.card] {
                try await AppleDeviceRegistrationModel(cardID: card.requireID(), deviceLibraryIdentifier: "device", pushToken: "ab")
                    .create(on: app.db)
            }

            var service = PurgeService(database: app.db, retention: app.config.retention, now: app.clock)
            service.batchSize = 2  // several batches for the idempotency keys
            let lines = NIOLockedValueBox<[String]>([])
            let report = try await service.purgeAll { line in lines.withLockedValue { $0.append(line) } }
            #expect(report == .init(accessTokens: 2, idempotencyKeys: 3, jobRuns: 1, walletRegistrations: 1))
            #expect(lines.withLockedValue { $0 }.contains("idempotency keys: 3 deleted"))

            #expect(try await AccessTokenModel.query(on: app.db).count() == tokensBefore - 2)
            #expect(try await AccessTokenModel.query(on: app.db).filter(\.$tokenHash ~~ ["expired", "revoked"]).count() == 0)
            let keys = try await app.db.sql.select().column("key").from("idempotency_keys").all().map { try $0.decode(column: "key", as: String.self) }
            #expect(keys == ["fresh"])
            #expect(try await JobRunModel.query(on: app.db).all().map(\.slot) == ["recent"])
            let registered = try await AppleDeviceRegistrationModel.query(on: app.db).all().map(\.$card.id)
            #expect(Set(registered) == Set([try justGone.requireID(), counter.cardID]))

            // Nothing left to do: a second run deletes nothing.
            #expect(try await service.purgeAll() == .init())
        }
    }

    @Test func retentionComesFromTheEnvironment() throws {
        let config = try AppConfig.load(
            from: [
                "LOYALTY_SECRET_KEY": String(repeating: "k", count: 64), "LOYALTY_IDEMPOTENCY_KEY_TTL_DAYS": "2",
                "LOYALTY_JOB_RUN_RETENTION_DAYS": "30", "LOYALTY_WALLET_REGISTRATION_RETENTION_DAYS": "5",
            ], isProduction: false)
        #expect(config.retention.idempotencyKeyDays == 2 && config.retention.jobRunDays == 30 && config.retention.walletRegistrationDays == 5)
        let defaults = try AppConfig.load(from: ["LOYALTY_SECRET_KEY": String(repeating: "k", count: 64)], isProduction: false).retention
        #expect((defaults.idempotencyKeyDays, defaults.jobRunDays, defaults.walletRegistrationDays) == (7, 90, 30))
        #expect(throws: ConfigError.self) {
            try AppConfig.load(
                from: ["LOYALTY_SECRET_KEY": String(repeating: "k", count: 64), "LOYALTY_IDEMPOTENCY_KEY_TTL_DAYS": "0"], isProduction: false)
        }
    }
}
