import ApplePasses
import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// Blocking and reissuing cards (decision 0018).
@Suite struct CardLifecycleTests {
    @Test func aBlockedCardIsRefusedByEveryCounterOperationWithItsReason() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let stamped = try await app.stamp(counter)
            let stampID = try #require(try stamped.json["transaction_id"]?.string)
            let card: [String: JSONValue] = ["card_id": .string(counter.cardID.uuidString), "staff_pin": .string(Counter.pinCode)]

            // Cashiers may not block; managers and owners may.
            let byCashier = try await app.counterRequest(counter, .POST, "/cards/\(counter.cardID)/block", json: ["reason": "lost"])
            #expect(byCashier.status == .forbidden)
            #expect(try await app.counterRequest(counter, .POST, "/cards/\(counter.cardID)/block", json: [:], token: counter.ownerToken).status
                == .unprocessableEntity)
            let blocked = try await app.counterRequest(
                counter, .POST, "/cards/\(counter.cardID)/block", json: ["reason": "Lost by its holder"], token: counter.ownerToken)
            #expect(blocked.status == .ok)
            #expect(try blocked.json["status"]?.string == "blocked")
            #expect(try blocked.json["blocked_reason"]?.string == "Lost by its holder")

            clock.advance(by: 3_600)
            let rowsBefore = try await app.ledgerRows(of: counter).count
            var refusals: [TestingHTTPResponse] = []
            refusals.append(try await app.stamp(counter))
            refusals.append(try await app.counterRequest(counter, .POST, "/stamp/redeem", json: card))
            refusals.append(try await app.counterRequest(counter, .POST, "/points/earn", json: card.merging(["purchase_amount_cents": 500]) { $1 }))
            refusals.append(try await app.counterRequest(counter, .POST, "/stamp/void", json: [
                "transaction_id": .string(stampID), "reason": "mistake", "staff_pin": .string(Counter.pinCode),
            ]))
            refusals.append(try await app.counterRequest(
                counter, .POST, "/cards/\(counter.cardID)/points/adjust", json: ["points_delta": 10, "reason": "gift"], token: counter.ownerToken))
            for refusal in refusals {
                #expect(refusal.status == .conflict)
                #expect(refusal.errorCode == "card_blocked")
                #expect(try refusal.json["error"]?["details"]?["reason"]?.string == "Lost by its holder")
            }
            #expect(try await app.ledgerRows(of: counter).count == rowsBefore)

            // The counter still finds it, and sees why it is refused.
            let lookup = try await app.counterRequest(counter, .POST, "/cards/lookup", json: ["qr_code": .string(counter.card.qrToken)])
            #expect(try lookup.json["status"]?.string == "blocked")

            let unblocked = try await app.counterRequest(counter, .POST, "/cards/\(counter.cardID)/unblock", token: counter.ownerToken)
            #expect(try unblocked.json["status"]?.string == "active")
            #expect(try await app.stamp(counter).status == .ok)
        }
    }

    @Test func reissueMovesTheBalancesToANewCardAndEveryChainStillVerifies() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            #expect(try await app.stamp(counter).status == .ok)
            let earn: [String: JSONValue] = [
                "card_id": .string(counter.cardID.uuidString), "staff_pin": .string(Counter.pinCode), "purchase_amount_cents": 1_250,
            ]
            #expect(try await app.counterRequest(counter, .POST, "/points/earn", json: earn).status == .ok)
            let old = try await app.reloadCard(counter)
            old.linkTokenHash = TokenService.hash("the-old-private-link")
            try await old.save(on: app.db)
            #expect(try await app.send(.GET, "/api/v1/loyalty/cards/the-old-private-link").status == .ok)

            let reissued = try await app.send(
                .POST, "/api/v1/merchants/loyalty/cards/\(counter.cardID)/reissue", token: counter.ownerToken, json: ["reason": "QR code leaked"])
            #expect(reissued.status == .created)
            let body = try reissued.json
            let newID = try #require(body["card"]?["id"]?.uuid)
            #expect(newID != counter.cardID)
            #expect(body["previous_card_id"]?.uuid == counter.cardID)
            #expect(body["card"]?["stamp_count"]?.int == 1)
            #expect(body["card"]?["points_balance"]?.int == 125)
            #expect(body["card"]?["replaces_card_id"]?.uuid == counter.cardID)
            #expect(body["card"]?["customer_id"]?.uuid == old.$customer.id)

            let new = try #require(try await CardModel.find(newID, on: app.db))
            let closed = try await app.reloadCard(counter)
            #expect(new.cardNumber != closed.cardNumber && new.qrToken != closed.qrToken)
            #expect(new.appleSerialNumber != closed.appleSerialNumber && new.appleAuthToken != closed.appleAuthToken)
            #expect(closed.status == .replaced && closed.blockedReason == "reissued" && closed.replacedByCardID == newID)
            #expect(closed.stampCount == 0 && closed.pointsBalance == 0)
            // The cooldown and the day's stamps come along: a reissue is no way around them.
            #expect(new.lastStampAt == closed.lastStampAt && new.stampsToday == 1)

            // The new private link works once shown; the old one is gone.
            let link = try #require(body["card_link"]?.string)
            #expect(try await app.send(.GET, link).status == .ok)
            let oldLink = try await app.send(.GET, "/api/v1/loyalty/cards/the-old-private-link")
            #expect(oldLink.status == .gone || oldLink.status == .notFound)

            // The ledger: a closing row on the old card, an opening row on the new one.
            let oldRows = try await app.ledgerRows(of: counter)
            #expect(oldRows.last?.type == .cardTransferredOut)
            #expect(oldRows.last?.stampsDelta == -1 && oldRows.last?.pointsDelta == -125)
            let newRows = try await TransactionModel.query(on: app.db).filter(\.$card.$id == newID).sort(\.$sequence).all()
            #expect(newRows.map(\.type) == [.cardTransferredIn])
            #expect(newRows.first?.stampsDelta == 1 && newRows.first?.pointsDelta == 125)
            let report = try await LedgerVerification(database: app.db).verifyAll()
            #expect(report.problems.isEmpty, "\(report.problems)")
            #expect(report.cardsChecked == 2)

            // The old card refuses everything and cannot be reissued or unblocked again.
            clock.advance(by: 3_600)
            let refused = try await app.stamp(counter)
            #expect(refused.errorCode == "card_blocked")
            #expect(try refused.json["error"]?["details"]?["replaced_by_card_id"]?.uuid == newID)
            let again = try await app.send(.POST, "/api/v1/merchants/loyalty/cards/\(counter.cardID)/reissue", token: counter.ownerToken)
            #expect(again.errorCode == "card_replaced")
            #expect(try await app.counterRequest(counter, .POST, "/cards/\(counter.cardID)/unblock", token: counter.ownerToken).errorCode
                == "card_replaced")

            // The new card works at the counter, and its history shows the old card's.
            let stampNew = try await app.counterRequest(
                counter, .POST, "/stamp", json: ["card_id": .string(newID.uuidString), "staff_pin": .string(Counter.pinCode)])
            #expect(stampNew.status == .ok)
            let history = try await app.send(.GET, "/api/v1/merchants/loyalty/cards/\(newID)/transactions", token: counter.ownerToken)
            #expect(try history.json["total"]?.int == oldRows.count + 2)
            #expect(try (await LedgerVerification(database: app.db).verifyAll()).problems.isEmpty)

            // The customer is still enrolled: with the new card.
            let enrollAgain = try await app.counterRequest(counter, .POST, "/cards/enroll", json: ["customer_id": .string(old.$customer.id.uuidString)])
            #expect(enrollAgain.errorCode == "already_enrolled")
            #expect(try enrollAgain.json["error"]?["details"]?["card_id"]?.uuid == newID)
        }
    }

    @Test func aStoreManagerReissuesAndTheCustomerSeesOneHistory() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            #expect(try await app.stamp(counter).status == .ok)
            let manager = try await app.makeUser(.storeManager, merchant: counter.merchant, store: counter.store)
            let customer = try #require(try await CustomerModel.find(counter.card.$customer.id, on: app.db))
            let customerToken = try await app.token(for: customer)

            let reissued = try await app.counterRequest(counter, .POST, "/cards/\(counter.cardID)/reissue", token: try await app.token(for: manager))
            #expect(reissued.status == .created)
            #expect(try reissued.json["card_link"]?.isNull == true)
            let newID = try #require(try reissued.json["card"]?["id"]?.uuid)
            let rows = try await TransactionModel.query(on: app.db).filter(\.$card.$id == newID).all()
            #expect(rows.first?.storeID == counter.store.id)

            let card = try await app.send(.GET, "/api/v1/storefront/loyalty/card", token: customerToken)
            #expect(try card.json["card_number"]?.string == (try await CardModel.find(newID, on: app.db))?.printedNumber)
            #expect(try card.json["stamp_count"]?.int == 1)
            let history = try await app.send(.GET, "/api/v1/storefront/loyalty/transactions", token: customerToken)
            #expect(try history.json["items"]?.array?.compactMap { $0["type"]?.string } == ["card_transferred_in", "card_transferred_out", "stamp_earned"])
        }
    }

    @Test func anotherMerchantsCardCannotBeBlockedOrReissued() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            for action in ["block", "unblock", "reissue"] {
                let answer = try await app.send(
                    .POST, "/api/v1/merchants/loyalty/cards/\(other.cardID)/\(action)", token: counter.ownerToken, json: ["reason": "x"])
                #expect(answer.status == .notFound)
            }
            #expect(try await app.reloadCard(other).blockedAt == nil)
            #expect(try await CardModel.query(on: app.db).count() == 2)
        }
    }

    @Test func theOldPassStopsAndItsDevicesAreForgottenWhileTheNewPassDownloads() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            try await app.registerPass(of: counter.card, device: "holders-phone", pushToken: "ab12")
            let reissued = try await app.send(.POST, "/api/v1/merchants/loyalty/cards/\(counter.cardID)/reissue", token: counter.ownerToken)
            #expect(reissued.status == .created)
            #expect(try await AppleDeviceRegistrationModel.query(on: app.db).count() == 0)

            let oldDownload = try await app.send(.GET, "/api/v1/loyalty/passes/apple/\(counter.card.appleAuthToken).pkpass")
            #expect(oldDownload.status == .gone)
            let oldLatest = try await app.send(
                .GET, "/api/v1/loyalty/apple/v1/passes/\(app.appleWallet!.signer.passTypeIdentifier)/\(counter.card.appleSerialNumber)",
                headers: app.applePassHeaders(counter.card))
            #expect(oldLatest.status == .unauthorized)

            let newID = try #require(try reissued.json["card"]?["id"]?.uuid)
            let new = try #require(try await CardModel.find(newID, on: app.db))
            #expect(try await app.send(.GET, "/api/v1/loyalty/passes/apple/\(new.appleAuthToken).pkpass").status == .ok)
            let customerToken = try await app.token(for: try #require(try await CustomerModel.find(new.$customer.id, on: app.db)))
            let card = try await app.send(.GET, "/api/v1/storefront/loyalty/card", token: customerToken)
            #expect(try card.json["wallet"]?["apple_pass_url"]?.string?.contains(new.appleAuthToken) == true)
            #expect(try card.json["status"]?.string == "active")

            // A blocked card shows the holder why it has no pass meanwhile.
            _ = try await app.send(.POST, "/api/v1/merchants/loyalty/cards/\(newID)/block", token: counter.ownerToken, json: ["reason": "lost"])
            let blocked = try await app.send(.GET, "/api/v1/storefront/loyalty/card", token: customerToken)
            #expect(try blocked.json["status"]?.string == "blocked")
            #expect(try blocked.json["wallet"]?["apple_pass_url"]?.isNull == true)
        }
    }
}
