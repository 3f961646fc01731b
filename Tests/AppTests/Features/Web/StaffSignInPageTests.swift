import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/login` and `/logout` (WEB.md's fixed points) and the page sessions behind them.
@Suite struct StaffSignInPageTests {
    @Test func theFormHasTheFixedFieldsAndOneSubmitButton() async throws {
        try await withTestApp { app, _ in
            var browser = PageClient(app)
            let page = try await browser.get("/login")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"name="email""#) && page.text.contains(#"name="password""#))
            #expect(page.text.components(separatedBy: #"type="submit""#).count == 2)
            #expect(page.htmlLang == "en")
            #expect(!page.text.contains("demo-password"), "no demo accounts outside development")
        }
    }

    @Test(arguments: [(Role.storeStaff, "/store/terminal"), (.storeManager, "/store/terminal"), (.merchantOwner, "/merchant"), (.platformAdmin, "/admin")])
    func eachRoleLandsOnItsPage(role: Role, landing: String) async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant("M")
            let store = try await app.makeStore(of: merchant)
            let user = try await app.makeUser(
                role, merchant: role == .platformAdmin ? nil : merchant, store: [.storeStaff, .storeManager].contains(role) ? store : nil)
            var browser = PageClient(app)
            let response = try await browser.post("/login", form: ["email": user.email, "password": Application.fixturePassword])
            #expect(response.status == .seeOther)
            #expect(response.location == landing)
            let home = try await browser.get("/")
            #expect(home.location == landing)
        }
    }

    @Test func signingInIssuesANewSessionAndFormTokenAndSetsSafeCookies() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant("M")
            let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
            var browser = PageClient(app)
            browser.cookies[WebRealm.staff.cookieName] = "planted-by-an-attacker"
            let tokenBefore = browser.csrf
            let response = try await browser.post("/login", form: ["email": owner.email, "password": Application.fixturePassword])
            let cookie = try #require(response.headers[.setCookie].first { $0.hasPrefix(WebRealm.staff.cookieName + "=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"))
            #expect(browser.cookies[WebRealm.staff.cookieName] != "planted-by-an-attacker")
            #expect(browser.csrf != tokenBefore, "a new form token at sign-in")
            #expect(try await browser.get("/merchant").status == .ok)
        }
    }

    @Test func aWrongPasswordIsSaidOnThePageInItsLanguage() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant("M")
            let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
            var browser = PageClient(app)
            let response = try await browser.post("/login?lang=fr", form: ["email": owner.email, "password": "not-it"])
            #expect(response.status == .unauthorized)
            #expect(response.htmlLang == "fr")
            #expect(response.alertText == "L'adresse e-mail ou le mot de passe est incorrect.")
            #expect(browser.cookies[WebRealm.staff.cookieName] == nil)
            let empty = try await browser.post("/login", form: [:])
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.alertText?.isEmpty == false)
        }
    }

    @Test func signingOutEndsTheSessionEverywhere() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant("M")
            let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
            var browser = try await PageClient.signedIn(app, as: owner)
            let stolen = browser.cookies[WebRealm.staff.cookieName]
            let response = try await browser.post("/logout")
            #expect(response.location == "/login")
            #expect(browser.cookies[WebRealm.staff.cookieName] == nil)
            var thief = PageClient(app)
            thief.cookies[WebRealm.staff.cookieName] = stolen
            #expect(try await thief.get("/merchant").location == "/login?next=/merchant")
        }
    }

    @Test func aSessionEndsAfterItsIdleTimeAndAtItsAbsoluteEnd() async throws {
        try await withTestApp { app, clock in
            let merchant = try await app.makeMerchant("M")
            let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
            var browser = try await PageClient.signedIn(app, as: owner)
            // Busy all day: a request every 3 hours keeps it alive (idle limit 4 h)...
            for _ in 0..<3 {
                clock.advance(by: 3 * 3600)
                #expect(try await browser.get("/merchant").status == .ok)
            }
            // ...until its absolute end (12 h after sign-in).
            clock.advance(by: 3 * 3600 + 1)
            #expect(try await browser.get("/merchant").status == .seeOther)

            var idle = try await PageClient.signedIn(app, as: owner)
            clock.advance(by: 4 * 3600 + 1)
            #expect(try await idle.get("/merchant").location == "/login?next=/merchant")
        }
    }

    @Test func aPageSessionIsNoBearerTokenAndABearerTokenNoPageSession() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant("M")
            let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
            let browser = try await PageClient.signedIn(app, as: owner)
            let cookie = try #require(browser.cookies[WebRealm.staff.cookieName])
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: cookie).status == .unauthorized)

            var withToken = PageClient(app)
            withToken.cookies[WebRealm.staff.cookieName] = try await app.token(for: owner)
            #expect(try await withToken.get("/merchant").status == .seeOther)
        }
    }

    @Test func deactivatingAnAccountEndsItsPageSessions() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant("M")
            let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
            let store = try await app.makeStore(of: merchant)
            let cashier = try await app.makeUser(.storeStaff, merchant: merchant, store: store)
            var browser = try await PageClient.signedIn(app, as: cashier)
            let ownerToken = try await app.token(for: owner)
            let response = try await app.send(.POST, "/api/v1/merchants/users/\(cashier.id!)/deactivate", token: ownerToken)
            #expect(response.status == .ok)
            #expect(try await browser.get("/").location == "/login")
        }
    }

    @Test func theReturnPathStaysOnThisSite() async throws {
        #expect(WebPaths.safeReturnPath("/store/cards?q=a") == "/store/cards?q=a")
        for hostile in ["//evil.example/x", "https://evil.example", "/\\evil.example", "evil", "/a\nb", "/a\u{0}b", "/a\tb", "/a\u{2028}b", nil] {
            #expect(WebPaths.safeReturnPath(hostile) == nil)
        }
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant("M")
            let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
            var browser = PageClient(app)
            let response = try await browser.post(
                "/login", form: ["email": owner.email, "password": Application.fixturePassword, "next": "//evil.example/phish"])
            #expect(response.location == "/merchant")
        }
    }
}
