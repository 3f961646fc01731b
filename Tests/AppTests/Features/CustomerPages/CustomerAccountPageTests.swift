import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// Customer accounts on the pages: sign-in, registration, own card, profile, export, sign-out.
@Suite struct CustomerAccountPageTests {
    @Test func signedOutVisitorsAreSentToSignIn() async throws {
        try await withTestApp { app, _ in
            var client = PageClient(app)
            for path in ["/customer/card", "/customer/profile", "/customer/export"] {
                let response = try await client.get(path)
                #expect(response.status == .seeOther)
                #expect(response.location == "/customer/login?next=" + path.urlQueryEncoded)
            }
            let post = try await client.post("/customer/profile", form: ["name": "X"])
            #expect(post.location?.hasPrefix("/customer/login?next=") == true)
        }
    }

    @Test func registerThenGetACard() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            var client = PageClient(app)
            let form = try await client.get("/customer/register?store=\(counter.store.code)")
            #expect(form.status == .ok)
            #expect(form.text.contains("At \(counter.store.name)"))
            let csrfBefore = client.csrf
            let answer = try await client.post(
                "/customer/register",
                form: [
                    "store": counter.store.code, "name": "Ana", "email": "Ana@Example.com", "password": "long-enough-pw", "consent": "yes",
                ])
            #expect(answer.status == .seeOther)
            #expect(answer.location == "/customer/card")
            #expect(client.cookies[WebRealm.customer.cookieName] != nil)
            #expect(client.csrf != csrfBefore, "a new form token at sign-in")
            let customer = try #require(
                try await CustomerModel.query(on: app.db).filter(\.$email == "ana@example.com").first())
            #expect(customer.$merchant.id == counter.merchant.id)

            let empty = try await client.get("/customer/card")
            #expect(empty.status == .ok)
            #expect(empty.text.contains("No card yet"))
            #expect(try await client.post("/customer/card").location == "/customer/card")
            #expect(try await client.post("/customer/card").location == "/customer/card", "a double submit")
            let cards = try await CardModel.query(on: app.db).filter(\.$customer.$id == customer.requireID()).all()
            #expect(cards.count == 1)
            let page = try await client.get("/customer/card")
            #expect(page.text.contains(try expectedQRCode(of: try #require(cards.first))))
            #expect(!page.text.contains("/customer/register"), "no invitation to register for a signed-in customer")
        }
    }

    /// The API's rule (decision 0008): registering with a known address is refused.
    @Test func registeringAKnownAddressIsRefused() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            _ = try await app.makeCustomer(of: counter.merchant, email: "alice@example.com", name: "Alice")
            var client = PageClient(app)
            let answer = try await client.post(
                "/customer/register",
                form: [
                    "store": counter.store.code, "name": "Mallory", "email": "alice@example.com", "password": "long-enough-pw",
                    "consent": "yes",
                ])
            #expect(answer.status == .conflict)
            #expect(answer.alertText?.hasPrefix("This e-mail address is already known at this shop.") == true)
            #expect(client.cookies[WebRealm.customer.cookieName] == nil)
            #expect(try await CustomerModel.query(on: app.db).filter(\.$name == "Mallory").count() == 0)

            let noConsent = try await client.post(
                "/customer/register",
                form: ["store": counter.store.code, "name": "Bo", "email": "bo@example.com", "password": "long-enough-pw"])
            #expect(noConsent.status == .unprocessableEntity)
            let short = try await client.post(
                "/customer/register",
                form: ["store": counter.store.code, "name": "Bo", "email": "bo@example.com", "password": "short", "consent": "yes"])
            #expect(short.alertText == "The password needs at least 10 characters.")
            let forged = try await client.post(
                "/customer/register",
                form: [
                    "store": counter.store.code, "name": "Bo", "email": "bo@example.com", "password": "long-enough-pw", "consent": "yes",
                ], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(try await CustomerModel.query(on: app.db).filter(\.$name == "Bo").count() == 0)
        }
    }

    @Test func signInSeesOnlyOwnCardAndSignOutEndsTheSession() async throws {
        try await withTestApp { app, _ in
            let a = try await Counter.make(in: app)
            let b = try await Counter.make(in: app)
            let customer = try #require(try await CustomerModel.find(a.card.$customer.id, on: app.db))
            customer.email = "ana@example.com"
            customer.passwordHash = try await app.passwordHashing.hash(Application.fixturePassword)
            try await customer.save(on: app.db)

            var client = PageClient(app)
            let wrong = try await client.post(
                "/customer/login", form: ["store": a.store.code, "email": "ana@example.com", "password": "not-the-password"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.alertText == "The e-mail address or the password is wrong.")
            // The store code decides the merchant: B does not know this customer.
            let elsewhere = try await client.post(
                "/customer/login", form: ["store": b.store.code, "email": "ana@example.com", "password": Application.fixturePassword])
            #expect(elsewhere.status == .unauthorized)
            let unknownStore = try await client.post(
                "/customer/login", form: ["store": "NOPE", "email": "ana@example.com", "password": "x"])
            #expect(unknownStore.alertText?.hasPrefix("We do not know this shop code.") == true)
            let forged = try await client.post(
                "/customer/login", form: ["store": a.store.code, "email": "ana@example.com", "password": Application.fixturePassword],
                csrf: false)
            #expect(forged.status == .forbidden)
            #expect(client.cookies[WebRealm.customer.cookieName] == nil)

            let signedIn = try await client.post(
                "/customer/login?store=\(a.store.code)",
                form: [
                    "store": a.store.code, "email": "ANA@example.com", "password": Application.fixturePassword, "next": "/customer/profile",
                ])
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.location == "/customer/profile")
            let page = try await client.get("/customer/card")
            #expect(page.status == .ok)
            #expect(page.text.contains(a.card.printedNumber))
            #expect(!page.text.contains(b.card.printedNumber))
            #expect(!page.text.contains(b.card.qrToken))
            #expect(try await client.get("/customer/login").location == "/customer/card")

            let session = try #require(client.cookies[WebRealm.customer.cookieName])
            let out = try await client.post("/customer/logout")
            #expect(out.status == .seeOther)
            #expect(client.cookies[WebRealm.customer.cookieName] == nil)
            client.cookies[WebRealm.customer.cookieName] = session  // a copied cookie is worth nothing now
            #expect(try await client.get("/customer/card").location?.hasPrefix("/customer/login?next=") == true)
        }
    }

    @Test func theLoginThrottleApplies() async throws {
        try await withTestApp(adjust: { $0.rateLimits.loginPerAccount = RateLimitPolicy(limit: 2, window: 900) }) { app, _ in
            let counter = try await Counter.make(in: app)
            var client = PageClient(app)
            var last: TestingHTTPResponse?
            for _ in 1...3 {
                last = try await client.post(
                    "/customer/login", form: ["store": counter.store.code, "email": "x@example.com", "password": "wrong-password"])
            }
            #expect(last?.status == .tooManyRequests)
            #expect(last?.alertText?.hasPrefix("Too many attempts.") == true)
        }
    }

    @Test func profileChangesNamePhoneAndLanguage() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let customer = try #require(try await CustomerModel.find(counter.card.$customer.id, on: app.db))
            var client = try await PageClient.signedIn(app, asCustomer: customer)
            let form = try await client.get("/customer/profile")
            #expect(form.status == .ok)
            #expect(form.text.contains("value=\"en\" selected"))

            let forged = try await client.post("/customer/profile", form: ["name": "Forged", "phone": "", "language": "de"], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(try await CustomerModel.find(customer.id, on: app.db)?.name == "Customer")

            let bad = try await client.post("/customer/profile", form: ["name": "Ana", "phone": "call me", "language": "fr"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.alertText == "This phone number does not look right.")

            let saved = try await client.post(
                "/customer/profile", form: ["name": "Ana Lima", "phone": "+352 621 123 456", "language": "lb"])
            #expect(saved.status == .seeOther)
            let stored = try #require(try await CustomerModel.find(customer.id, on: app.db))
            #expect(stored.name == "Ana Lima")
            #expect(stored.phone == "+352 621 123 456")
            #expect(stored.locale == .luxembourgish)
            let after = try await client.get("/customer/profile?saved=1")
            #expect(after.htmlLang == "lb")
            #expect(after.text.contains("Gespäichert."))

            // A fresh browser of the same account starts in the account's language.
            var other = try await PageClient.signedIn(app, asCustomer: stored)
            #expect(try await other.get("/customer/card").htmlLang == "lb")
        }
    }

    @Test func exportIsTheAPIsExportAsAnAttachment() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            #expect(try await app.stamp(counter).status == .ok)
            let customer = try #require(try await CustomerModel.find(counter.card.$customer.id, on: app.db))
            var client = try await PageClient.signedIn(app, asCustomer: customer)
            let page = try await client.get("/customer/export")
            #expect(page.status == .ok)
            #expect(page.headers.first(name: .contentDisposition)?.contains("my-data.json") == true)
            let api = try await app.send(.GET, "/api/v1/storefront/auth/me/export", token: try await app.token(for: customer))
            #expect(api.status == .ok)
            #expect(page.text == api.text)
            #expect(page.text.contains(counter.card.printedNumber))
        }
    }

    @Test func speaksThePagesLanguages() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            var client = PageClient(app)
            let lb = try await client.get("/customer/login?store=\(counter.store.code)&lang=lb")
            #expect(lb.htmlLang == "lb")
            #expect(lb.text.contains("Bei Ärer Kaart aloggen"))
            var french = PageClient(app)
            french.acceptLanguage = "fr"
            let fr = try await french.get("/customer/register?store=\(counter.store.code)")
            #expect(fr.htmlLang == "fr")
            #expect(fr.text.contains("Créez votre compte"))
            let de = try await french.get("/customer/login?lang=de")
            #expect(de.htmlLang == "de")
            #expect(de.text.contains("name=\"store\""), "no store code in the address: the form asks for it")
        }
    }
}
