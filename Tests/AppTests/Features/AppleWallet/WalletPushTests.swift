import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// Which devices hear of a change, and what is owed when a push does not arrive.
@Suite struct WalletPushTests {
    @Test func aStampPushesEachDeviceOfThatCardOnce() async throws {
        try await withAppleWalletApp { app in
            let pushes = await app.recordPushes()
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            try await app.registerPass(of: counter.card, device: "phone", pushToken: "aa01")
            try await app.registerPass(of: counter.card, device: "watch", pushToken: "aa02")
            try await app.registerPass(of: other.card, device: "someone-else", pushToken: "bb01")

            #expect(try await app.stamp(counter).status == .ok)
            await app.walletPushes!.waitUntilIdle()
            #expect(await pushes.pushed.sorted() == ["aa01", "aa02"])
            let registrations = try await AppleDeviceRegistrationModel.query(on: app.db).filter(\.$card.$id == counter.cardID).all()
            #expect(registrations.allSatisfy { $0.pushedThrough != nil })
        }
    }

    @Test func aRetriedOperationDoesNotPushAgain() async throws {
        try await withAppleWalletApp { app in
            let pushes = await app.recordPushes()
            let counter = try await Counter.make(in: app)
            try await app.registerPass(of: counter.card, device: "phone", pushToken: "aa01")
            #expect(try await app.stamp(counter, idempotencyKey: "till-7").status == .ok)
            let replay = try await app.stamp(counter, idempotencyKey: "till-7")
            #expect(replay.headers.first(name: "Idempotent-Replayed") == "true")
            await app.walletPushes!.waitUntilIdle()
            #expect(await pushes.pushed == ["aa01"])
        }
    }

    @Test func aProgramChangePushesEveryDeviceOfThatMerchantOnly() async throws {
        try await withAppleWalletApp { app in
            let pushes = await app.recordPushes()
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            let second = try await app.makeCard(for: try await app.makeCustomer(of: counter.merchant), program: counter.program, store: counter.store)
            try await app.registerPass(of: counter.card, device: "phone-1", pushToken: "aa01")
            try await app.registerPass(of: second, device: "phone-2", pushToken: "aa02")
            try await app.registerPass(of: other.card, device: "phone-3", pushToken: "bb01")

            let patch = try await app.send(
                .PATCH, "/api/v1/merchants/loyalty/program", token: counter.ownerToken, json: ["card_color": "#112233"])
            #expect(patch.status == .ok)
            await app.walletPushes!.waitUntilIdle()
            #expect(await pushes.pushed.sorted() == ["aa01", "aa02"])
        }
    }

    @Test func aDeviceAPNsNoLongerKnowsIsForgottenWithAllItsPasses() async throws {
        try await withAppleWalletApp { app in
            let pushes = await app.recordPushes()
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            try await app.registerPass(of: counter.card, device: "old-phone", pushToken: "dead01")
            try await app.registerPass(of: other.card, device: "old-phone", pushToken: "dead01")
            await pushes.answer(.deviceGone(reason: "Unregistered"), for: "dead01")
            #expect(try await app.stamp(counter).status == .ok)
            await app.walletPushes!.waitUntilIdle()
            #expect(try await AppleDeviceRegistrationModel.query(on: app.db).count() == 0)
        }
    }

    @Test func aFailedPushIsOwedUntilTheCatchUpDeliversIt() async throws {
        try await withAppleWalletApp { app in
            let pushes = await app.recordPushes()
            let counter = try await Counter.make(in: app)
            try await app.registerPass(of: counter.card, device: "phone", pushToken: "aa01")
            await pushes.answer(.failed(reason: "APNs answered 503"), for: "aa01")
            #expect(try await app.stamp(counter).status == .ok)
            await app.walletPushes!.waitUntilIdle()
            #expect(try await AppleDeviceRegistrationModel.query(on: app.db).first()?.pushedThrough == nil)

            #expect(try await app.walletPushes!.catchUp() == .init(failed: 1))
            await pushes.answer(.delivered, for: "aa01")
            #expect(try await app.walletPushes!.catchUp() == .init(delivered: 1))
            #expect(try await app.walletPushes!.catchUp() == .init(upToDate: 1))
            #expect(await pushes.pushed == ["aa01", "aa01", "aa01"])
        }
    }

    @Test func theCatchUpFindsChangesThatPushedNothing() async throws {
        try await withAppleWalletApp { app in
            let pushes = await app.recordPushes()
            let counter = try await Counter.make(in: app)
            try await app.registerPass(of: counter.card, device: "phone", pushToken: "aa01")
            // A new registration is owed one push: the device may hold an older download.
            #expect(try await app.walletPushes!.catchUp(batchSize: 1) == .init(delivered: 1))
            try await app.backdatePassRows(by: 0)  // the holder's name changed, say: no real-time push for that
            #expect(try await app.walletPushes!.catchUp(batchSize: 1) == .init(delivered: 1))
            #expect(await pushes.pushed.count == 2)
        }
    }
}
