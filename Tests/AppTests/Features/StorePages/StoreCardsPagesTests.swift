import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/store/cards` and `/store/cards/{card_id}`: search by each field, within the merchant
/// only, and the card's detail with its history.
@Suite struct StoreCardsPagesTests {
    @Test func searchFindsACardByNameEmailPhoneAndNumberAndNeverAnotherTenants() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            // Another merchant's customer who matches every search too.
            let other = try await Counter.make(in: app)
            let twin = CustomerModel(
                merchantID: try other.merchant.requireID(), name: "Alice Martin", email: "alice.martin@example.test",
                phone: "+352 621 123 456", birthday: nil, locale: .english)
            try await twin.create(on: app.db)
            let twinCard = try await app.makeCard(for: twin, program: other.program, store: other.store)

            var client = try await PageClient.signedIn(app, as: world.counter.cashier)
            let number = world.aliceCard.cardNumber
            let searches = [
                "alice", "ALICE mar", "alice.martin@", "+352 621 123 456", "+352621123456", "+352-621-123-456",
                String(number.prefix(8)), number, CardNumber(number)!.formatted,
            ]
            for query in searches {
                let page = try await client.get("/store/cards?q=" + PageClient.formEncode(query))
                #expect(page.status == .ok, "\(query)")
                #expect(page.text.contains("/store/cards/\(world.aliceCard.id!.uuidString)"), "search \(query) finds Alice's card")
                #expect(!page.text.contains(twinCard.id!.uuidString), "search \(query) shows another merchant's card")
                #expect(!page.text.contains(twinCard.cardNumber.prefix(12)), "search \(query) shows another merchant's number")
            }
            // The other tenant's card number finds nothing here.
            let foreign = try await client.get("/store/cards?q=" + twinCard.cardNumber)
            #expect(!foreign.text.contains(twinCard.id!.uuidString))
            #expect(foreign.text.contains("Cards found: 0"))

            // No search yet: the form alone.
            let empty = try await client.get("/store/cards")
            #expect(empty.status == .ok)
            #expect(!empty.text.contains("Cards found"))
            #expect(empty.text.contains("name=\"q\""))
        }
    }

    @Test func theApiSearchStillIgnoresPhones() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            let response = try await app.counterRequest(world.counter, .GET, "/cards?q=%2B352621123456")
            #expect(response.status == .ok)
            #expect(try response.json["total"]?.int == 0)
        }
    }

    @Test func searchPagesThroughManyCards() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            for index in 0..<(StoreCardsPages.perPage + 3) {
                let customer = try await app.makeCustomer(of: world.counter.merchant, name: "Zoé \(index)")
                _ = try await app.makeCard(for: customer, program: world.counter.program, store: world.counter.store)
            }
            var client = try await PageClient.signedIn(app, as: world.counter.cashier)
            let first = try await client.get("/store/cards?q=zo%C3%A9")
            #expect(first.text.contains("Cards found: 23"))
            #expect(first.text.components(separatedBy: "class=\"card-result\"").count - 1 == StoreCardsPages.perPage)
            #expect(first.text.contains("rel=\"next\""))
            let second = try await client.get("/store/cards?q=zo%C3%A9&page=2")
            #expect(second.text.components(separatedBy: "class=\"card-result\"").count - 1 == 3)
            #expect(second.text.contains("rel=\"prev\""))
        }
    }

    @Test func searchSpeaksThePagesLanguage() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            var client = try await PageClient.signedIn(app, as: world.counter.cashier)
            let german = try await client.get("/store/cards?q=alice&lang=de")
            #expect(german.htmlLang == "de")
            #expect(german.text.contains("Gefundene Karten: 1"))
            let french = try await client.get("/store/cards?q=alice&lang=fr")
            #expect(french.htmlLang == "fr")
            #expect(french.text.contains("Cartes trouvées : 1"))
        }
    }

    @Test func detailShowsHolderBalancesAndHistoryWithVoidedMarks() async throws {
        try await withTestApp { app, clock in
            let world = try await StorePagesWorld.make(in: app)
            let counter = world.counter
            let stamped = try await app.stamp(counter)
            #expect(stamped.status == .ok)
            let stampID = try #require(try stamped.json["transaction_id"]?.string)
            let voided = try await app.counterRequest(
                counter, .POST, "/stamp/void", json: ["transaction_id": .string(stampID), "reason": "mistake", "staff_pin": .string(Counter.pinCode)])
            #expect(voided.status == .ok)
            clock.advance(by: 3_600)
            #expect(try await app.stamp(counter).status == .ok)

            var client = try await PageClient.signedIn(app, as: counter.cashier)
            let page = try await client.get("/store/cards/\(counter.cardID)")
            #expect(page.status == .ok)
            let text = page.text
            #expect(text.contains(counter.card.printedNumber))
            #expect(text.contains("<span data-balance=\"stamps\">1</span>"))
            #expect(text.contains("Operations: 3"))
            #expect(text.components(separatedBy: "<tr class=\"voided\">").count - 1 == 1, "the voided stamp is marked, once")
            #expect(text.contains("Stamp cancelled"))
            #expect(text.contains("Sophie"), "the staff PIN's name")
            #expect(text.contains(counter.store.name))
            #expect(text.contains("href=\"/store/terminal?card=\(counter.card.cardNumber)\""))
            #expect(text.contains("Active"))

            let french = try await client.get("/store/cards/\(counter.cardID)?lang=fr")
            #expect(french.htmlLang == "fr")
            #expect(french.text.contains("Tampon annulé"))
            #expect(french.text.contains("Ouvrir dans le terminal"))
        }
    }

    @Test func detailShowsTheStoresClockAndBlockedCards() async throws {
        try await withTestApp { app, clock in
            let world = try await StorePagesWorld.make(in: app)
            #expect(try await app.stamp(world.counter).status == .ok)
            // Luxembourg is an hour or two ahead of UTC: the page shows the store's clock.
            let local = RefusalWording.clockTime(clock.now, timeZone: TimeZone(identifier: "Europe/Luxembourg")!)
            let utc = RefusalWording.clockTime(clock.now, timeZone: .gmt)
            let blocked = try await app.counterRequest(
                world.counter, .POST, "/cards/\(world.counter.cardID)/block", json: ["reason": "Lost"], token: world.counter.ownerToken)
            #expect(blocked.status == .ok)
            var client = try await PageClient.signedIn(app, as: world.manager)
            let page = try await client.get("/store/cards/\(world.counter.cardID)")
            #expect(page.text.contains(local))
            #expect(!page.text.contains(utc))
            #expect(page.text.contains("Blocked"))
            #expect(page.text.contains("Lost"))
            #expect(!page.text.contains("Open in the terminal"), "a blocked card is not offered to the terminal")
        }
    }

    @Test func anotherTenantsCardIsNotFound() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            let other = try await Counter.make(in: app)
            var client = try await PageClient.signedIn(app, as: world.counter.cashier)
            let foreign = try await client.get("/store/cards/\(other.cardID)")
            #expect(foreign.status == .notFound)
            #expect(!foreign.text.contains(other.card.cardNumber.prefix(12)))
            #expect(try await client.get("/store/cards/\(UUID())").status == .notFound)
            let malformed = try await client.get("/store/cards/not-a-card")
            #expect((400..<500).contains(malformed.status.code))
        }
    }

    @Test func cardPagesNeedStoreStaff() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            var anonymous = PageClient(app)
            let page = try await anonymous.get("/store/cards?q=alice")
            #expect(page.status == .seeOther)
            #expect(page.location?.hasPrefix("/login?next=") == true)
            var customer = try await PageClient.signedIn(app, asCustomer: world.alice)
            #expect(try await customer.get("/store/cards/\(world.aliceCard.id!)").status != .ok)
        }
    }
}
