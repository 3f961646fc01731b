import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/merchant/cards`: search and filters, the detail, block / unblock / reissue.
@Suite struct MerchantCardsPagesTests {
    @Test func listsSearchesAndFiltersTheMerchantsCards() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            let number = world.counter.card.printedNumber

            let all = try await owner.get("/merchant/cards")
            #expect(all.status == .ok)
            #expect(all.text.contains(number))
            #expect(!all.text.contains(world.other.card.printedNumber), "another merchant's card is never listed")

            let byNumber = try await owner.get("/merchant/cards?q=" + String(world.counter.card.cardNumber.prefix(8)))
            #expect(byNumber.text.contains(number))
            let nobody = try await owner.get("/merchant/cards?q=zzz-nobody")
            #expect(nobody.status == .ok)
            #expect(!nobody.text.contains(number))

            #expect(try await owner.get("/merchant/cards?status=active").text.contains(number))
            #expect(!(try await owner.get("/merchant/cards?status=blocked").text.contains(number)))
            #expect(try await owner.get("/merchant/cards?store_id=\(world.counter.store.id!)").text.contains(number))
            #expect(!(try await owner.get("/merchant/cards?store_id=\(world.store2.id!)").text.contains(number)))
        }
    }

    @Test func absurdFiltersGetAClearMessageNotAnError() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            let long = try await owner.get("/merchant/cards?q=" + String(repeating: "a", count: 5_000))
            #expect(long.status == .unprocessableEntity)
            #expect(long.alertText == "The search is too long: 200 characters at most.")
            let status = try await owner.get("/merchant/cards?status=lost")
            #expect(status.status == .unprocessableEntity)
            #expect(status.alertText?.contains("filters") == true)
            let store = try await owner.get("/merchant/cards?store_id=not-a-store")
            #expect(store.status == .unprocessableEntity)
            // Another merchant's store in the filter: not found, as for any object of another tenant.
            #expect(try await owner.get("/merchant/cards?store_id=\(world.other.store.id!)").status == .notFound)
        }
    }

    @Test func theDetailShowsTheCardAndItsHistory() async throws {
        try await withTestApp { app, clock in
            let world = try await PeoplePagesWorld.make(in: app)
            #expect(try await app.stamp(world.counter).status == .ok)
            clock.advance(by: 16 * 60)
            let second = try await app.stamp(world.counter)
            let stampID = try #require(try second.json["transaction_id"]?.string)
            let void = try await app.counterRequest(
                world.counter, .POST, "/stamp/void",
                json: ["transaction_id": .string(stampID), "reason": "mistake", "staff_pin": .string(Counter.pinCode)])
            #expect(void.status == .ok)

            var owner = try await world.owner(app)
            let page = try await owner.get("/merchant/cards/\(world.counter.cardID)")
            #expect(page.status == .ok)
            #expect(page.text.contains(world.counter.card.printedNumber))
            #expect(page.text.contains("Operations: 3"))
            #expect(page.text.contains("class=\"voided\""), "the voided stamp is struck through")
            #expect(page.text.contains("Sophie"), "the PIN's name says who")
            #expect(page.text.contains("action=\"/merchant/cards/\(world.counter.cardID)/block\""))
        }
    }

    @Test func theOwnerBlocksUnblocksAndReissuesACard() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            let path = "/merchant/cards/\(world.counter.cardID)"

            // Refused: no reason, a forged form. Nothing changes.
            let noReason = try await owner.post(path + "/block", form: ["reason": " "])
            #expect(noReason.status == .unprocessableEntity)
            #expect(noReason.alertText == "Give a reason of at most 200 characters.")
            #expect(try await owner.post(path + "/block", form: ["reason": "Lost"], csrf: false).status == .forbidden)
            #expect(try await app.reloadCard(world.counter).blockedAt == nil)

            let blocked = try await owner.post(path + "/block", form: ["reason": "Lost"])
            #expect(blocked.status == .seeOther)
            #expect(blocked.location == path + "?done=blocked")
            #expect(try await app.reloadCard(world.counter).blockedReason == "Lost")
            let shown = try await owner.get(path + "?done=blocked")
            #expect(shown.text.contains("The card is blocked."))
            #expect(shown.text.contains("Lost"))
            // The counter refuses the blocked card.
            let refused = try await app.stamp(world.counter)
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "card_blocked")

            #expect(try await owner.post(path + "/unblock").location == path + "?done=unblocked")
            #expect(try await app.reloadCard(world.counter).blockedAt == nil)
            #expect(try await app.stamp(world.counter).status == .ok)

            let reissued = try await owner.post(path + "/reissue", form: ["reason": "Damaged"])
            #expect(reissued.status == .seeOther)
            let old = try await app.reloadCard(world.counter)
            let newID = try #require(old.replacedByCardID)
            #expect(reissued.location == "/merchant/cards/\(newID)?done=reissued")
            let successor = try #require(try await CardModel.find(newID, on: app.db))
            #expect(successor.stampCount == 1, "the balance moved to the new card")
            #expect(old.stampCount == 0)
            let oldPage = try await owner.get(path)
            #expect(oldPage.text.contains("/merchant/cards/\(newID)"), "the old card links to its successor")
            #expect(!oldPage.text.contains("/block\""), "a replaced card has no more actions")
            // A replaced card cannot be unblocked or reissued again.
            let again = try await owner.post(path + "/unblock")
            #expect(again.status == .conflict)
            #expect(again.alertText?.isEmpty == false)
        }
    }

    @Test func anotherMerchantsCardIsNotFoundAndUnchanged() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            let path = "/merchant/cards/\(world.other.cardID)"
            #expect(try await owner.get(path).status == .notFound)
            #expect(try await owner.post(path + "/block", form: ["reason": "Mine now"]).status == .notFound)
            #expect(try await owner.post(path + "/reissue").status == .notFound)
            let card = try await app.reloadCard(world.other)
            #expect(card.blockedAt == nil)
            #expect(card.replacedByCardID == nil)
            #expect(try await owner.get("/merchant/cards/not-a-uuid").status.code < 500)
        }
    }
}
