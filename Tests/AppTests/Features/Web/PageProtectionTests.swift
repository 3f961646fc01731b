import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// What guards every page: the form token, the security headers, static files' caching, the
/// language choice and the error pages.
@Suite struct PageProtectionTests {
    @Test func aFormWithoutTheTokenOrFromAnotherSiteIsRefusedAndChangesNothing() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant("M")
            let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
            var browser = try await PageClient.signedIn(app, as: owner)

            let missing = try await browser.post("/logout", csrf: false)
            #expect(missing.status == .forbidden)
            #expect(missing.alertText?.contains("another site") == true)
            let wrong = try await browser.post("/logout", form: ["_csrf": "guessed"], csrf: false)
            #expect(wrong.status == .forbidden)
            let crossSite = try await browser.post("/logout", headers: ["Origin": "https://evil.example", "Host": "loyalty.example"])
            #expect(crossSite.status == .forbidden)
            #expect(try await browser.get("/merchant").status == .ok, "the session survived every forged sign-out")

            let noSiteNoToken = try await browser.post("/logout", csrf: false, headers: ["Origin": "null"])
            #expect(noSiteNoToken.status == .forbidden)
            let noSite = try await browser.post("/logout", headers: ["Origin": "null"])
            #expect(noSite.location == "/login", "Origin: null names no site: the token decides")

            var again = try await PageClient.signedIn(app, as: owner)
            let sameSite = try await again.post("/logout", headers: ["Origin": "https://loyalty.example", "Host": "loyalty.example"])
            #expect(sameSite.location == "/login")
        }
    }

    @Test func theRefusalIsInThePagesLanguage() async throws {
        try await withTestApp { app, _ in
            var browser = PageClient(app)
            let response = try await browser.post("/login?lang=de", form: ["email": "a@b.c", "password": "x"], csrf: false)
            #expect(response.status == .forbidden)
            #expect(response.htmlLang == "de")
            #expect(response.alertText?.hasPrefix("Dieses Formular ist abgelaufen") == true)
        }
    }

    @Test func pagesCarryAStrictContentSecurityPolicy() async throws {
        try await withTestApp { app, _ in
            var browser = PageClient(app)
            let page = try await browser.get("/login")
            let policy = try #require(page.headers.first(name: "Content-Security-Policy"))
            #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(page.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(page.headers.first(name: "Referrer-Policy") == "same-origin", "links and tokens in addresses never reach another site")
            #expect(page.headers.first(name: .cacheControl) == "no-store")
            #expect(!page.text.contains("<script>") && !page.text.contains("style=\""), "no inline script or style in the layout")
        }
    }

    @Test func staticFilesAreCachedByFingerprint() async throws {
        try await withTestApp { app, _ in
            let fingerprinted = app.staticAssets.url("app.css")
            #expect(fingerprinted.hasPrefix("/static/app.css?v="))
            let long = try await app.send(.GET, fingerprinted)
            #expect(long.status == .ok)
            #expect(long.headers.first(name: .cacheControl) == "public, max-age=31536000, immutable")
            #expect(long.headers.contentType?.subType == "css")
            let etag = try #require(long.headers.first(name: .eTag))

            let plain = try await app.send(.GET, "/static/app.css")
            #expect(plain.headers.first(name: .cacheControl) == "public, max-age=300")
            let revalidated = try await app.send(.GET, "/static/app.css", headers: ["If-None-Match": etag])
            #expect(revalidated.status == .notModified)
            #expect(revalidated.body.readableBytes == 0)

            #expect(try await app.send(.GET, "/static/../Views/layout.leaf").status == .notFound)
            #expect(try await app.send(.GET, "/static/nothing.css").status == .notFound)
            #expect(try await app.send(.GET, "/static/vendor/qrcode-generator/qrcode.js").headers.contentType?.subType == "javascript")
            #expect(try await app.send(.GET, "/static/terminal.webmanifest").headers.contentType?.subType == "manifest+json")
            #expect(try await app.send(.GET, "/static/icon-192.png").headers.contentType == .png)
        }
    }

    @Test func theLanguageIsChosenAndRemembered() async throws {
        try await withTestApp { app, _ in
            var browser = PageClient(app)
            browser.acceptLanguage = "de-LU, fr;q=0.8"
            #expect(try await browser.get("/login").htmlLang == "de")
            let switched = try await browser.get("/login?lang=lb")
            #expect(switched.htmlLang == "lb")
            #expect(switched.text.contains("Umeldung fir d'Personal"))
            #expect(try await browser.get("/login").htmlLang == "lb", "remembered in a cookie")
            #expect(try await browser.get("/login?lang=klingon").htmlLang == "lb")
        }
    }

    @Test func aStaffMembersLanguageFollowsThemToAnotherDevice() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant("M")
            let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
            var laptop = try await PageClient.signedIn(app, as: owner)
            #expect(try await laptop.get("/merchant?lang=fr").htmlLang == "fr")
            var tablet = try await PageClient.signedIn(app, as: owner)
            tablet.acceptLanguage = "de"
            #expect(try await tablet.get("/merchant").htmlLang == "fr")
        }
    }

    @Test func aWrongRoleGetsTheForbiddenPageAndNoSessionGoesToSignIn() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant("M")
            let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
            var browser = try await PageClient.signedIn(app, as: owner)
            let forbidden = try await browser.get("/admin?lang=fr")
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.alertText == "Votre compte n'a pas le droit de faire cela.")
            var anonymous = PageClient(app)
            #expect(try await anonymous.get("/admin?x=1").location == "/login?next=/admin%3Fx%3D1")
        }
    }
}

/// A browser on an address nothing answers gets a page; programs keep the API's JSON.
@Suite struct UnmatchedPageTests {
    @Test func aBrowserGetsAPageInItsLanguageAndAProgramJSON() async throws {
        try await withTestApp { app, _ in
            let browser = try await app.send(.GET, "/no/such/page", headers: ["Accept": "text/html,*/*", "Accept-Language": "fr"])
            #expect(browser.status == .notFound)
            #expect(browser.htmlLang == "fr")
            #expect(browser.headers.first(name: "Content-Security-Policy") != nil)
            let program = try await app.send(.GET, "/no/such/page")
            #expect(program.errorCode == "not_found")
            let api = try await app.send(.GET, "/api/v1/nothing", headers: ["Accept": "text/html"])
            #expect(api.errorCode == "not_found", "the API always answers JSON")
        }
    }
}
