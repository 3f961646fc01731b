import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/store/enroll`: a card at the counter through the API's enrollment service, exactly once
/// per form, with its QR code and its private link.
@Suite struct StoreEnrollPageTests {
    @Test func enrollingShowsTheNewCardWithItsCodeAndLink() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            var client = try await PageClient.signedIn(app, as: world.counter.cashier)
            let form = try await client.get("/store/enroll")
            #expect(form.status == .ok)
            let key = try #require(form.hiddenField("idempotency_key"))
            #expect(key.count >= 32)
            #expect(form.hiddenField("_csrf") == client.csrf)

            let before = try await world.cardCount(app)
            let answer = try await client.post(
                "/store/enroll",
                form: ["name": "Bob Weber", "email": "Bob@Example.test", "phone": "+352 691 000 111", "consent": "1", "locale": "de",
                       "idempotency_key": key],
                headers: ["Host": "shop.example"])
            #expect(answer.status == .created)
            #expect(try await world.cardCount(app) == before + 1)

            let customer = try #require(
                try await CustomerModel.query(on: app.db).filter(\.$merchant.$id == world.counter.merchant.requireID())
                    .filter(\.$name == "Bob Weber").first())
            #expect(customer.email == "bob@example.test")
            #expect(customer.emailFromStaff, "an address typed at the counter is staff-entered (decision 0008)")
            #expect(customer.phone == "+352 691 000 111")
            #expect(customer.marketingConsent)
            #expect(customer.locale == .german)
            let card = try #require(try await CardModel.query(on: app.db).filter(\.$customer.$id == customer.requireID()).first())
            #expect(card.$enrolledStore.id == world.counter.store.id)

            let text = answer.text
            #expect(text.contains(card.printedNumber))
            #expect(text.contains("href=\"/store/terminal?card=\(card.cardNumber)\""))
            // The card's code: the same symbol the QR library draws for its token.
            let cardCode = try qrPath(card.qrToken)
            #expect(text.contains(cardCode))
            // The private link, absolute, and its code; it opens this card.
            let linkStart = try #require(text.range(of: "https://shop.example/card/"))
            let token = String(text[linkStart.upperBound...].prefix { $0 != "\"" && $0 != "<" })
            #expect(card.linkTokenHash == TokenService.hash(token))
            #expect(text.contains(try qrPath("https://shop.example/card/" + token)))
            #expect(text.contains("data-print"))
            #expect(text.contains("store.js"))
        }
    }

    @Test func theSameFormSentTwiceMakesOneCard() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            var client = try await PageClient.signedIn(app, as: world.counter.cashier)
            let key = try #require(try await client.get("/store/enroll").hiddenField("idempotency_key"))
            let form = ["name": "Carla", "idempotency_key": key]
            let before = try await world.cardCount(app)
            let first = try await client.post("/store/enroll", form: form)
            let second = try await client.post("/store/enroll", form: form)
            #expect(first.status == .created)
            #expect(second.status == .ok)
            #expect(try await world.cardCount(app) == before + 1)
            #expect(try await CustomerModel.query(on: app.db).filter(\.$name == "Carla").count() == 1)
            let card = try #require(try await CardModel.query(on: app.db).join(CustomerModel.self, on: \CardModel.$customer.$id == \CustomerModel.$id)
                .filter(CustomerModel.self, \.$name == "Carla").first())
            #expect(second.text.contains(card.printedNumber), "the repeat shows the first card")
            #expect(second.text.contains("already created by this form"))
            #expect(!second.text.contains("/card/"), "the private link is shown once")

            // A new form (a new key) is a new customer.
            let next = try #require(try await client.get("/store/enroll").hiddenField("idempotency_key"))
            #expect(next != key)
            #expect(try await client.post("/store/enroll", form: ["name": "Carla", "idempotency_key": next]).status == .created)
            #expect(try await world.cardCount(app) == before + 2)

            // The key of one form with other contents is refused and changes nothing.
            let reused = try await client.post("/store/enroll", form: ["name": "Someone else", "idempotency_key": key])
            #expect(reused.status == .unprocessableEntity)
            #expect(reused.alertText?.isEmpty == false)
            #expect(try await world.cardCount(app) == before + 2)
        }
    }

    @Test func refusalsShowOnTheFormAndChangeNothing() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            var client = try await PageClient.signedIn(app, as: world.counter.cashier)
            let before = try await world.cardCount(app)

            let forged = try await client.post("/store/enroll", form: ["name": "Mallory"], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(forged.alertText?.isEmpty == false)

            let nameless = try await client.post("/store/enroll", form: ["name": " ", "email": "not-an-address", "idempotency_key": "k1"])
            #expect(nameless.status == .unprocessableEntity)
            #expect(nameless.alertText?.contains("not valid") == true)
            #expect(nameless.text.contains("<li>Name</li>"))
            #expect(nameless.text.contains("<li>E-mail</li>"))
            #expect(nameless.text.contains("value=\"not-an-address\""), "what was typed stays")

            let german = try await client.post("/store/enroll?lang=de", form: ["name": "", "idempotency_key": "k2"])
            #expect(german.htmlLang == "de")
            #expect(german.text.contains("Name"))
            #expect(german.alertText?.isEmpty == false)
            #expect(try await world.cardCount(app) == before)

            // A staff-entered address of a customer who has a card: that card, not a second one.
            let staffCustomer = try await app.makeCustomer(of: world.counter.merchant, email: "dora@example.test", name: "Dora")
            staffCustomer.emailFromStaff = true
            try await staffCustomer.save(on: app.db)
            let doraCard = try await app.makeCard(for: staffCustomer, program: world.counter.program, store: world.counter.store)
            let known = try await client.post("/store/enroll?lang=en", form: ["name": "Dora", "email": "dora@example.test", "idempotency_key": "k3"])
            #expect(known.status == .conflict)
            #expect(known.alertText?.contains("already has a card") == true, "\(known.alertText ?? "")")
            #expect(known.text.contains("href=\"/store/cards/\(doraCard.id!.uuidString)\""))
            #expect(try await world.cardCount(app) == before + 1)
        }
    }

    @Test func anAddressGivenOnlineIsNeverMatchedAtTheCounter() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            // Alice's address came from online (emailFromStaff false): a new, separate customer.
            var client = try await PageClient.signedIn(app, as: world.manager)
            let answer = try await client.post(
                "/store/enroll", form: ["name": "Alice at the counter", "email": "alice.martin@example.test", "idempotency_key": "k4"])
            #expect(answer.status == .created)
            let created = try #require(try await CustomerModel.query(on: app.db).filter(\.$name == "Alice at the counter").first())
            #expect(created.email == nil)
            #expect(created.id != world.alice.id)
        }
    }

    /// Under `Referrer-Policy: no-referrer` browsers send `Origin: null` with a page's own form
    /// posts, which the form check refuses: every form failed in a real browser.
    @Test func pagesLetTheirFormsNameTheirOrigin() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            var client = try await PageClient.signedIn(app, as: world.counter.cashier)
            let form = try await client.get("/store/enroll")
            #expect(form.headers.first(name: "Referrer-Policy") == "same-origin")
            let sameSite = try await client.post(
                "/store/enroll", form: ["name": "Olga", "idempotency_key": "k6"], headers: ["Host": "shop.example", "Origin": "https://shop.example"])
            #expect(sameSite.status == .created)
            let crossSite = try await client.post(
                "/store/enroll", form: ["name": "Olga", "idempotency_key": "k7"], headers: ["Host": "shop.example", "Origin": "https://evil.example"])
            #expect(crossSite.status == .forbidden)
        }
    }

    @Test func enrollmentPageSpeaksThePagesLanguage() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            var client = try await PageClient.signedIn(app, as: world.counter.cashier)
            let page = try await client.get("/store/enroll?lang=lb")
            #expect(page.htmlLang == "lb")
            #expect(page.text.contains("Nei Kaart un der Keess"))
            let answer = try await client.post("/store/enroll?lang=fr", form: ["name": "Émile", "idempotency_key": "k5"])
            #expect(answer.htmlLang == "fr")
            #expect(answer.text.contains("La carte est prête"))
        }
    }
}
