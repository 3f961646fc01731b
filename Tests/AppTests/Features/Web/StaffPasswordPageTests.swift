import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/account/password`: a staff member's own password, and the change a drawn password asks for
/// before any other page (decision 0041).
@Suite struct StaffPasswordPageTests {
    static let newPassword = "a sentence of my own"

    /// A cashier the owner invited on the pages, signed in with the drawn password.
    static func invitedCashier(_ app: Application) async throws -> (world: PeoplePagesWorld, browser: PageClient, password: String) {
        let world = try await PeoplePagesWorld.make(in: app)
        var owner = try await world.owner(app)
        let invited = try await owner.post(
            "/merchant/staff",
            form: ["name": "Nina", "email": "nina@example.test", "role": "store_staff", "store_id": world.counter.store.id!.uuidString])
        let password = try #require(MerchantStaffPageTests.temporaryPassword(in: invited))
        var browser = PageClient(app)
        let signIn = try await browser.post("/login", form: ["email": "nina@example.test", "password": password])
        #expect(signIn.location == "/account/password?next=/store/terminal")
        return (world, browser, password)
    }

    static func nina(_ app: Application) async throws -> UserModel {
        try #require(try await UserModel.query(on: app.db).filter(\.$email == "nina@example.test").first())
    }

    @Test func aDrawnPasswordOpensOnlyThePageThatReplacesItThenTheWayOn() async throws {
        try await withTestApp { app, _ in
            var (_, browser, password) = try await Self.invitedCashier(app)
            // Every other page sends here first, and says where it would have gone.
            #expect(try await browser.get("/store/cards?q=12").location == "/account/password?next=/store/cards%3Fq%3D12")
            #expect(try await browser.get("/").location == "/store/terminal")
            // A form sent meanwhile is not carried out, nor replayed later.
            let sent = try await browser.post("/store/enroll", form: ["name": "Someone", "email": "someone@example.test"])
            #expect(sent.location == "/account/password")
            #expect(try await CustomerModel.query(on: app.db).filter(\.$email == "someone@example.test").count() == 0)

            let page = try await browser.get("/account/password?next=/store/terminal")
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"password-required\""))
            #expect(page.text.contains("nina@example.test"))
            #expect(page.hiddenField("next") == "/store/terminal")

            let changed = try await browser.post(
                "/account/password",
                form: ["current_password": password, "new_password": Self.newPassword, "new_password_again": Self.newPassword, "next": "/store/terminal"])
            #expect(changed.status == .seeOther)
            #expect(changed.location == "/store/terminal")
            #expect(try await browser.get("/store/terminal").status == .ok)
            #expect(try await Self.nina(app).passwordChangeRequired == false)

            // The drawn password is gone; the chosen one signs in straight to the terminal.
            var again = PageClient(app)
            #expect(try await again.post("/login", form: ["email": "nina@example.test", "password": password]).status == .unauthorized)
            #expect(try await again.post("/login", form: ["email": "nina@example.test", "password": Self.newPassword]).location == "/store/terminal")
        }
    }

    @Test func refusalsSayWhyAndChangeNothing() async throws {
        try await withTestApp { app, _ in
            var (_, browser, password) = try await Self.invitedCashier(app)
            let hashBefore = try await Self.nina(app).passwordHash
            let cases: [([String: String], String)] = [
                (["current_password": "", "new_password": Self.newPassword, "new_password_again": Self.newPassword], "Enter your current password."),
                (["current_password": password, "new_password": "short", "new_password_again": "short"],
                 "At least 10 characters; a sentence of a few words is easy to remember."),
                (["current_password": password, "new_password": String(repeating: "é", count: 40), "new_password_again": String(repeating: "é", count: 40)],
                 "At least 10 characters; a sentence of a few words is easy to remember."),
                (["current_password": password, "new_password": Self.newPassword, "new_password_again": Self.newPassword + "!"],
                 "The two new passwords differ. Type the same one twice."),
                (["current_password": password, "new_password": password, "new_password_again": password],
                 "The new password must differ from the current one."),
                (["current_password": "not-the-password", "new_password": Self.newPassword, "new_password_again": Self.newPassword],
                 "The current password is wrong."),
                ([:], "Enter your current password."),
            ]
            for (form, message) in cases {
                let refused = try await browser.post("/account/password?lang=en", form: form)
                #expect(refused.status == .unprocessableEntity, "\(form.keys.sorted())")
                #expect(refused.alertText == message)
                #expect(refused.text.contains("id=\"password-required\""), "still required")
            }
            #expect(try await browser.post("/account/password", form: ["current_password": password], csrf: false).status == .forbidden)
            let after = try await Self.nina(app)
            #expect(after.passwordHash == hashBefore)
            #expect(after.passwordChangeRequired)
            #expect(try await browser.get("/store/terminal").location?.hasPrefix("/account/password") == true)
        }
    }

    @Test func absurdInputIsRefusedOrIgnoredNeverAFailure() async throws {
        try await withTestApp { app, _ in
            var (_, browser, password) = try await Self.invitedCashier(app)
            let huge = String(repeating: "x", count: 60_000)
            let long = try await browser.post(
                "/account/password?lang=en", form: ["current_password": huge, "new_password": Self.newPassword, "new_password_again": Self.newPassword])
            #expect(long.status == .unprocessableEntity)
            #expect(long.alertText == "The current password is wrong.")
            let nul = try await browser.post(
                "/account/password?lang=en",
                form: ["current_password": password + "\u{0}", "new_password": "a\u{0}b\u{0}c\u{0}d\u{0}e\u{0}f", "new_password_again": "a\u{0}b\u{0}c\u{0}d\u{0}e\u{0}f"])
            #expect(nul.status.code < 500)
            // A `next` that is not a path of this site, or carries control characters, is dropped.
            for next in ["https://evil.example/", "//evil.example", "/store/terminal\u{0}x", "/" + huge] {
                let page = try await browser.get("/account/password?next=" + PageClient.formEncode(next))
                #expect(page.status == .ok)
                #expect(page.hiddenField("next") == nil, "\(next.prefix(40))")
            }
            #expect(try await Self.nina(app).passwordChangeRequired)
        }
    }

    @Test func wrongCurrentPasswordsCountAgainstTheLoginThrottle() async throws {
        try await withTestApp { app, _ in
            var (_, browser, password) = try await Self.invitedCashier(app)
            var last: TestingHTTPResponse?
            for _ in 0..<12 {
                last = try await browser.post(
                    "/account/password",
                    form: ["current_password": "guess-\(UUID())", "new_password": Self.newPassword, "new_password_again": Self.newPassword])
                if last?.status == .tooManyRequests { break }
            }
            let limited = try #require(last)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers.first(name: "Retry-After") != nil)
            // Even the right one waits now, and nothing changed.
            let right = try await browser.post(
                "/account/password", form: ["current_password": password, "new_password": Self.newPassword, "new_password_again": Self.newPassword])
            #expect(right.status == .tooManyRequests)
            #expect(try await Self.nina(app).passwordChangeRequired)
        }
    }

    @Test func anOwnerChangesTheirPasswordAndTheirOtherSessionsEnd() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var here = try await world.owner(app)
            var elsewhere = try await world.owner(app)
            var other = try await PageClient.signedIn(app, as: world.other.owner)
            let page = try await here.get("/account/password?lang=fr")
            #expect(page.status == .ok)
            #expect(page.htmlLang == "fr")
            #expect(page.text.contains("Changer votre mot de passe"))
            #expect(!page.text.contains("id=\"password-required\""), "nobody asked for it")
            #expect(try await here.get("/merchant").text.contains("href=\"/account/password\""), "the header links here")

            let changed = try await here.post(
                "/account/password",
                form: ["current_password": Application.fixturePassword, "new_password": Self.newPassword, "new_password_again": Self.newPassword])
            #expect(changed.location == "/account/password?done=changed")
            #expect(try await here.get("/account/password?done=changed&lang=en").text.contains("Your password is changed."))
            #expect(try await here.get("/merchant").status == .ok, "this session stays")
            #expect(try await elsewhere.get("/merchant").location?.hasPrefix("/login") == true, "the other one ended")
            #expect(try await other.get("/merchant").status == .ok, "another account is untouched")
            let otherOwner = try #require(try await UserModel.find(world.other.owner.id, on: app.db))
            #expect(try await app.passwordHashing.verify(Application.fixturePassword, against: otherOwner.passwordHash))
        }
    }

    @Test func onlyPasswordsTheServerDrewAskForAChange() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            let owner = try await app.token(for: world.counter.owner)
            let cashier = world.counter.cashier
            // The API's reset takes the password the caller chose: no change asked.
            let reset = try await app.send(
                .POST, "/api/v1/merchants/users/\(cashier.id!)/password", token: owner, json: ["password": "the-reset-password"])
            #expect(reset.status == .noContent)
            #expect(try await UserModel.find(cashier.id, on: app.db)?.passwordChangeRequired == false)

            // The pages' reset draws one; the API's own change ends the request as the page's does.
            var ownerPages = try await world.owner(app)
            let drawn = try await ownerPages.post("/merchant/staff/\(cashier.id!)/password")
            let password = try #require(MerchantStaffPageTests.temporaryPassword(in: drawn))
            #expect(try await UserModel.find(cashier.id, on: app.db)?.passwordChangeRequired == true)
            let login = try await app.send(.POST, "/api/v1/auth/login", json: ["email": .string(cashier.email), "password": .string(password)])
            let token = try #require(try login.json["access_token"]?.string)
            let changed = try await app.send(
                .POST, "/api/v1/auth/password", token: token, json: ["current_password": .string(password), "new_password": .string(Self.newPassword)])
            #expect(changed.status == .noContent)
            #expect(try await UserModel.find(cashier.id, on: app.db)?.passwordChangeRequired == false)
        }
    }

    @Test func visitorsAndCustomersAreSentToSignIn() async throws {
        try await withTestApp { app, _ in
            var anonymous = PageClient(app)
            let opened = try await anonymous.get("/account/password")
            #expect(opened.location == "/login?next=/account/password")
            let posted = try await anonymous.post("/account/password", form: ["current_password": "x"])
            #expect(posted.location?.hasPrefix("/login") == true)
        }
    }
}
