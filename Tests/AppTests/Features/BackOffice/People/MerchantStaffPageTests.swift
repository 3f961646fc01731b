import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/merchant/staff`: invite, deactivate, reactivate, reset a password.
@Suite struct MerchantStaffPageTests {
    /// The temporary password the page shows once.
    static func temporaryPassword(in page: TestingHTTPResponse) -> String? {
        guard let range = page.text.range(of: "<code id=\"temporary-password\">") else { return nil }
        return String(page.text[range.upperBound...].prefix { $0 != "<" })
    }

    /// Signs in through the page's form, as a person would.
    static func signIn(_ app: Application, email: String, password: String) async throws -> TestingHTTPResponse {
        var browser = PageClient(app)
        return try await browser.post("/login", form: ["email": email, "password": password])
    }

    @Test func theOwnerInvitesACashierWhoSignsInWithTheTemporaryPassword() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            let list = try await owner.get("/merchant/staff")
            #expect(list.status == .ok)
            #expect(list.text.contains(world.counter.cashier.email))
            #expect(!list.text.contains(world.other.cashier.email))

            let invited = try await owner.post(
                "/merchant/staff",
                form: ["name": "Nina Kremer", "email": "Nina@Example.test", "role": "store_manager", "store_id": world.store2.id!.uuidString, "language": "lb"])
            #expect(invited.status == .created)
            let password = try #require(Self.temporaryPassword(in: invited))
            #expect(password.count == 17)
            #expect(invited.text.contains("nina@example.test"))
            let user = try #require(try await UserModel.query(on: app.db).filter(\.$email == "nina@example.test").first())
            #expect(user.role == .storeManager)
            #expect(user.$store.id == world.store2.id)
            #expect(user.$merchant.id == world.counter.merchant.id)
            #expect(user.language == "lb")
            #expect(user.passwordHash != password)
            #expect(user.passwordChangeRequired)
            // The drawn password opens one page: the one that replaces it, then the terminal.
            #expect(
                try await Self.signIn(app, email: "nina@example.test", password: password).location
                    == "/account/password?next=/store/terminal")
            // Shown once: the list afterwards does not have it.
            #expect(Self.temporaryPassword(in: try await owner.get("/merchant/staff")) == nil)
        }
    }

    @Test func refusedInvitationsSayWhyAndCreateNothing() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            let before = try await UserModel.query(on: app.db).count()
            let store = world.counter.store.id!.uuidString
            let cases: [([String: String], HTTPStatus, String)] = [
                (["name": "A", "email": "not-an-address", "role": "store_staff", "store_id": store], .unprocessableEntity, "Enter a valid e-mail address."),
                (["name": "A", "email": world.counter.cashier.email, "role": "store_staff", "store_id": store], .conflict, "An account with this e-mail address already exists."),
                (["name": "A", "email": "a@example.test", "role": "store_staff", "store_id": ""], .unprocessableEntity, "Pick one of your stores."),
                (["name": "A", "email": "a@example.test", "role": "merchant_owner", "store_id": store], .unprocessableEntity, "Pick manager or cashier."),
                (["name": "A", "email": "a@example.test", "role": "platform_admin", "store_id": store], .unprocessableEntity, "Pick manager or cashier."),
                (["name": String(repeating: "n", count: 5_000), "email": "a@example.test", "role": "store_staff", "store_id": store], .unprocessableEntity, "Enter a name of at most 200 characters."),
            ]
            for (form, status, message) in cases {
                let refused = try await owner.post("/merchant/staff", form: form)
                #expect(refused.status == status, "\(form)")
                #expect(refused.alertText == message, "\(form)")
                #expect(Self.temporaryPassword(in: refused) == nil)
            }
            #expect(try await owner.post("/merchant/staff", form: ["name": "A", "email": "a@example.test", "role": "store_staff", "store_id": store], csrf: false).status == .forbidden)
            // Another merchant's store: not found.
            let foreign = try await owner.post(
                "/merchant/staff", form: ["name": "A", "email": "a@example.test", "role": "store_staff", "store_id": world.other.store.id!.uuidString])
            #expect(foreign.status == .notFound)
            #expect(try await UserModel.query(on: app.db).count() == before)
        }
    }

    @Test func deactivatingSignsTheAccountOutUntilItIsReactivated() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            var cashier = try await PageClient.signedIn(app, as: world.counter.cashier)
            #expect(try await cashier.get("/store/cards").status == .ok)
            let path = "/merchant/staff/\(world.counter.cashier.id!)"

            #expect(try await owner.post(path + "/deactivate", csrf: false).status == .forbidden)
            let deactivated = try await owner.post(path + "/deactivate")
            #expect(deactivated.location == "/merchant/staff?done=deactivated")
            #expect(try await UserModel.find(world.counter.cashier.id, on: app.db)?.isActive == false)
            #expect(try await cashier.get("/store/cards").location?.hasPrefix("/login") == true, "the open session ended")
            let refused = try await Self.signIn(app, email: world.counter.cashier.email, password: Application.fixturePassword)
            #expect(refused.status != .seeOther, "a deactivated account cannot sign in")
            #expect(try await owner.get("/merchant/staff?done=deactivated").text.contains("Deactivated"))

            #expect(try await owner.post(path + "/reactivate").location == "/merchant/staff?done=reactivated")
            #expect(try await Self.signIn(app, email: world.counter.cashier.email, password: Application.fixturePassword).status == .seeOther)
        }
    }

    @Test func theOwnerCannotDeactivateOrResetThemself() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            let path = "/merchant/staff/\(world.counter.owner.id!)"
            let refused = try await owner.post(path + "/deactivate")
            #expect(refused.status == .forbidden)
            #expect(refused.alertText == "You cannot do this to your own account.")
            #expect(try await owner.post(path + "/password").status == .forbidden)
            #expect(try await UserModel.find(world.counter.owner.id, on: app.db)?.isActive == true)
            #expect(try await owner.get("/merchant/staff").status == .ok, "still signed in")
        }
    }

    @Test func aResetGivesANewTemporaryPasswordAndEndsTheSessions() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            var cashier = try await PageClient.signedIn(app, as: world.counter.cashier)
            let reset = try await owner.post("/merchant/staff/\(world.counter.cashier.id!)/password")
            #expect(reset.status == .ok)
            let password = try #require(Self.temporaryPassword(in: reset))
            #expect(try await cashier.get("/store/cards").location?.hasPrefix("/login") == true)
            #expect(try await Self.signIn(app, email: world.counter.cashier.email, password: Application.fixturePassword).status != .seeOther)
            #expect(try await Self.signIn(app, email: world.counter.cashier.email, password: password).location?.hasPrefix("/account/password") == true)
            #expect(try await UserModel.find(world.counter.cashier.id, on: app.db)?.passwordChangeRequired == true)
        }
    }

    @Test func anotherMerchantsAccountIsNotFoundAndUnchanged() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            let victim = try #require(world.other.cashier.id)
            let hash = world.other.cashier.passwordHash
            for action in ["deactivate", "reactivate", "password"] {
                #expect(try await owner.post("/merchant/staff/\(victim)/\(action)").status == .notFound, "\(action)")
            }
            let after = try #require(try await UserModel.find(victim, on: app.db))
            #expect(after.isActive)
            #expect(after.passwordHash == hash)
        }
    }
}
