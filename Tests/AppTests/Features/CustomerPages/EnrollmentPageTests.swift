import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/enroll/{store_code}`: the public enrollment form (WEB.md's fixed point) on the API's
/// public enrollment (decision 0008).
@Suite struct EnrollmentPageTests {
    @Test func formHasTheFixedFields() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            var client = PageClient(app)
            let page = try await client.get("/enroll/\(counter.store.code)")
            #expect(page.status == .ok)
            #expect(page.htmlLang == "en")
            for field in [
                "name=\"name\"", "name=\"email\"", "type=\"checkbox\"", "name=\"consent\"", "name=\"_csrf\"", "name=\"form_key\"",
            ] {
                #expect(page.text.contains(field), "\(field)")
            }
            #expect(page.text.components(separatedBy: "type=\"submit\"").count - 1 == 1, "one submit button")
            #expect(page.text.contains("Free coffee"))
            #expect(page.text.contains("download my data or ask for its erasure"))
            // The code as typed on a poster in lower case is the same store.
            #expect(try await client.get("/enroll/\(counter.store.code.lowercased())").status == .ok)
        }
    }

    @Test func unknownStoreIsTheNotFoundPage() async throws {
        try await withTestApp { app, _ in
            var client = PageClient(app)
            let page = try await client.get("/enroll/NO-SUCH-STORE")
            #expect(page.status == .notFound)
            #expect(page.alertText == "This page or card does not exist.")
            #expect(try await client.post("/enroll/NO-SUCH-STORE", form: ["name": "Ana", "consent": "yes"]).status == .notFound)
        }
    }

    @Test func enrollingCreatesOneCardAndLandsOnItsPage() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            var client = PageClient(app)
            let form = try await client.get("/enroll/\(counter.store.code)")
            let key = try #require(form.hiddenField("form_key"))
            let answer = try await client.post(
                "/enroll/\(counter.store.code)", form: ["name": "Ana Lima", "email": "ana@example.com", "consent": "yes", "form_key": key])
            #expect(answer.status == .seeOther)
            let location = try #require(answer.location)
            #expect(location.hasPrefix("/card/"))

            let cards = try await app.cards(of: counter.merchant)
            #expect(cards.count == 2)  // the counter's card and the new one
            let card = try #require(cards.last)
            #expect(card.linkTokenHash == TokenService.hash(String(location.dropFirst("/card/".count))))
            let customer = try #require(try await CustomerModel.find(card.$customer.id, on: app.db))
            #expect(customer.name == "Ana Lima")
            #expect(customer.email == "ana@example.com")
            #expect(customer.emailFromStaff == false)

            let page = try await client.get(location)
            #expect(page.status == .ok)
            #expect(page.text.contains(try expectedQRCode(of: card)))
            #expect(page.text.contains(card.printedNumber))
            #expect(page.text.contains("data-balance=\"stamps\">0<"))
        }
    }

    @Test func aDoubleSubmitMakesOneCard() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            var client = PageClient(app)
            let key = try #require(try await client.get("/enroll/\(counter.store.code)").hiddenField("form_key"))
            let form = ["name": "Ana", "consent": "yes", "form_key": key]
            let first = try await client.post("/enroll/\(counter.store.code)", form: form)
            let second = try await client.post("/enroll/\(counter.store.code)", form: form)
            #expect(first.status == .seeOther)
            #expect(second.status == .seeOther)
            #expect(first.location == second.location)

            // Two at once (a double tap on a slow network): still one card.
            let key2 = try #require(try await client.get("/enroll/\(counter.store.code)").hiddenField("form_key"))
            let form2 = ["name": "Bo", "consent": "yes", "form_key": key2]
            var a = client
            var b = client
            async let one = a.post("/enroll/\(counter.store.code)", form: form2)
            async let two = b.post("/enroll/\(counter.store.code)", form: form2)
            let (x, y) = try await (one, two)
            #expect(x.status == .seeOther)
            #expect(y.status == .seeOther)
            #expect(x.location == y.location)
            #expect(try await app.cards(of: counter.merchant).count == 3)

            // Another browser cannot replay the key: its form cookie differs, so it gets its own card.
            var other = PageClient(app)
            let third = try await other.post("/enroll/\(counter.store.code)", form: form)
            #expect(third.status == .seeOther)
            #expect(third.location != first.location)
            #expect(try await app.cards(of: counter.merchant).count == 4)
        }
    }

    @Test func refusalsChangeNothing() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            var client = PageClient(app)
            let key = try #require(try await client.get("/enroll/\(counter.store.code)").hiddenField("form_key"))

            let forged = try await client.post(
                "/enroll/\(counter.store.code)", form: ["name": "Ana", "consent": "yes", "form_key": key], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(forged.alertText?.contains("expired or came from another site") == true)

            let noConsent = try await client.post("/enroll/\(counter.store.code)", form: ["name": "Ana", "form_key": key])
            #expect(noConsent.status == .unprocessableEntity)
            #expect(noConsent.alertText?.contains("tick the box") == true)

            let noName = try await client.post("/enroll/\(counter.store.code)", form: ["name": " ", "consent": "yes", "form_key": key])
            #expect(noName.status == .unprocessableEntity)
            #expect(noName.alertText == "Please enter your name (up to 200 characters).")

            let badEmail = try await client.post(
                "/enroll/\(counter.store.code)", form: ["name": "Ana", "email": "nope", "consent": "yes", "form_key": key])
            #expect(badEmail.status == .unprocessableEntity)
            #expect(badEmail.text.contains("value=\"nope\""), "what was typed stays")

            let noKey = try await client.post("/enroll/\(counter.store.code)", form: ["name": "Ana", "consent": "yes"])
            #expect(noKey.status == .unprocessableEntity)
            #expect(try await app.cards(of: counter.merchant).count == 1)
        }
    }

    /// A real browser under `Referrer-Policy: no-referrer` sends `Origin: null` with the
    /// site's own forms: the token decides (this refused every form in Chromium).
    @Test func aFormFromABrowserThatHidesItsOriginWorks() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            var client = PageClient(app)
            let key = try #require(try await client.get("/enroll/\(counter.store.code)").hiddenField("form_key"))
            let form = ["name": "Ana", "consent": "yes", "form_key": key]
            let forged = try await client.post("/enroll/\(counter.store.code)", form: form, csrf: false, headers: ["Origin": "null"])
            #expect(forged.status == .forbidden)
            let answer = try await client.post("/enroll/\(counter.store.code)", form: form, headers: ["Origin": "null"])
            #expect(answer.status == .seeOther)
            #expect(answer.location?.hasPrefix("/card/") == true)
        }
    }

    /// Decision 0008: a known address gets a card all the same, for a customer without the
    /// address; the existing customer and card are untouched.
    @Test func aKnownAddressNeverDecidesWhoseCardItIs() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let known = try await app.makeCustomer(of: counter.merchant, email: "alice@example.com", name: "Alice")
            var client = PageClient(app)
            let key = try #require(try await client.get("/enroll/\(counter.store.code)").hiddenField("form_key"))
            let answer = try await client.post(
                "/enroll/\(counter.store.code)", form: ["name": "Mallory", "email": "alice@example.com", "consent": "yes", "form_key": key])
            #expect(answer.status == .seeOther)
            let card = try #require(try await app.cards(of: counter.merchant).last)
            #expect(card.$customer.id != known.id)
            let holder = try #require(try await CustomerModel.find(card.$customer.id, on: app.db))
            #expect(holder.email == nil)
            #expect(try await CustomerModel.find(known.id, on: app.db)?.name == "Alice")
        }
    }

    @Test func theRateLimitIsShownInWords() async throws {
        try await withTestApp(adjust: { $0.rateLimits.registrationPerClient = RateLimitPolicy(limit: 1, window: 900) }) { app, _ in
            let counter = try await Counter.make(in: app)
            var client = PageClient(app)
            for attempt in 1...2 {
                let key = try #require(try await client.get("/enroll/\(counter.store.code)").hiddenField("form_key"))
                let answer = try await client.post(
                    "/enroll/\(counter.store.code)", form: ["name": "Ana \(attempt)", "consent": "yes", "form_key": key])
                if attempt == 1 {
                    #expect(answer.status == .seeOther)
                } else {
                    #expect(answer.status == .tooManyRequests)
                    #expect(answer.alertText?.hasPrefix("Too many attempts. Try again in") == true)
                    #expect(answer.headers.first(name: "Retry-After") != nil)
                }
            }
            #expect(try await app.cards(of: counter.merchant).count == 2)
        }
    }

    @Test func aShopThatEnrollsAtTheCounterOnlySaysSo() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            _ = try await SettingsService(database: app.db, writeGate: app.writeGate).update(
                SettingsRequest(allowSelfEnrollment: false), merchantID: counter.merchant.requireID())
            var client = PageClient(app)
            let page = try await client.get("/enroll/\(counter.store.code)")
            #expect(page.status == .ok)
            #expect(page.alertText?.contains("at the counter only") == true)
            #expect(!page.text.contains("name=\"consent\""))
            let answer = try await client.post(
                "/enroll/\(counter.store.code)", form: ["name": "Ana", "consent": "yes", "form_key": String(repeating: "a", count: 43)])
            #expect(answer.status == .forbidden)
            #expect(try await app.cards(of: counter.merchant).count == 1)
        }
    }

    @Test func speaksThePagesLanguages() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            var client = PageClient(app)
            let lb = try await client.get("/enroll/\(counter.store.code)?lang=lb")
            #expect(lb.htmlLang == "lb")
            #expect(lb.text.contains("Meng Kaart kréien"))
            var french = PageClient(app)
            french.acceptLanguage = "fr-LU, fr;q=0.9, en;q=0.5"
            let fr = try await french.get("/enroll/\(counter.store.code)")
            #expect(fr.htmlLang == "fr")
            #expect(fr.text.contains("Obtenir ma carte"))
            let refused = try await french.post("/enroll/\(counter.store.code)", form: ["name": "Ana"])
            #expect(refused.alertText?.contains("cocher la case") == true)
        }
    }
}
