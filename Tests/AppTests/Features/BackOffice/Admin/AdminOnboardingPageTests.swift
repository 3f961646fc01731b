import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/admin/merchants/new`: a merchant, its first store and its owner in one transaction.
@Suite struct AdminOnboardingPageTests {
    struct Counts: Equatable {
        let merchants: Int
        let stores: Int
        let users: Int

        static func of(_ app: Application) async throws -> Counts {
            Counts(
                merchants: try await MerchantModel.query(on: app.db).count(), stores: try await StoreModel.query(on: app.db).count(),
                users: try await UserModel.query(on: app.db).count())
        }
    }

    @Test func onboardingCreatesMerchantStoreAndOwnerWhoSignsInWithTheTemporaryPassword() async throws {
        try await withTestApp { app, _ in
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            #expect(try await browser.get("/admin/merchants/new").status == .ok)
            let done = try await browser.post("/admin/merchants/new?lang=en", form: AdminPagesTests.onboardingForm())
            #expect(done.status == .created)
            #expect(done.headers.first(name: .cacheControl) == "no-store")
            let password = try #require(AdminPagesTests.secret(in: done.text))
            #expect(FieldRules.password(password) == nil)

            let merchant = try #require(try await MerchantModel.query(on: app.db).filter(\.$name == "Boulangerie Neu").first())
            #expect(merchant.contactEmail == "hello@neu.test")
            let store = try #require(try await StoreModel.query(on: app.db).filter(\.$merchant.$id == merchant.id!).first())
            #expect(store.code == "NEU-GARE")
            #expect(store.country == "LU")
            #expect(store.city == "Luxembourg")
            let owner = try #require(try await UserModel.query(on: app.db).filter(\.$merchant.$id == merchant.id!).first())
            #expect(owner.role == .merchantOwner)
            #expect(owner.email == "anna@neu.test")
            #expect(owner.name == "Anna Neu")
            #expect(owner.$store.id == nil)
            #expect(owner.passwordHash != password)
            #expect(done.text.contains("/admin/merchants/\(merchant.id!.uuidString)"))

            var ownerBrowser = PageClient(app)
            let signIn = try await ownerBrowser.post("/login", form: ["email": "anna@neu.test", "password": password])
            #expect(signIn.status == .seeOther)
            #expect(signIn.location == "/account/password?next=/merchant")
            #expect(owner.passwordChangeRequired)
        }
    }

    @Test func everyWrongFieldIsNamedAtOnceAndNothingIsCreated() async throws {
        try await withTestApp { app, _ in
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            let before = try await Counts.of(app)
            let page = try await browser.post(
                "/admin/merchants/new?lang=fr",
                form: AdminPagesTests.onboardingForm([
                    "name": " ", "contact_email": "nope", "store_code": "-x", "timezone": "Mars/Olympus", "country": "Lux",
                    "owner_email": "",
                ]))
            #expect(page.status == .unprocessableEntity)
            #expect(page.htmlLang == "fr")
            #expect(page.alertText == "Certains champs sont à revoir : voyez les messages à côté.")
            let text = page.text
            for field in ["name", "contact_email", "store_code", "timezone", "country", "owner_email"] {
                #expect(text.contains("id=\"err-\(field)\""), "\(field) has its message")
            }
            #expect(!text.contains("id=\"err-store_name\""), "a right field has none")
            #expect(text.contains("Saisissez un fuseau horaire comme Europe/Luxembourg."))
            #expect(text.contains("value=\"Mars/Olympus\""), "what was typed is kept")
            #expect(try await Counts.of(app) == before)
        }
    }

    @Test func aTakenStoreCodeLeavesNothingBehind() async throws {
        try await withTestApp { app, _ in
            let existing = try await app.makeStore(of: try await app.makeMerchant("First"), code: "NEU-GARE")
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            let before = try await Counts.of(app)
            let page = try await browser.post("/admin/merchants/new?lang=en", form: AdminPagesTests.onboardingForm(["store_code": existing.code]))
            #expect(page.status == .conflict)
            #expect(page.text.contains("This store code is already taken."))
            #expect(page.text.contains("id=\"err-store_code\""))
            #expect(try await Counts.of(app) == before, "the merchant created before the store was rolled back")
            #expect(try await MerchantModel.query(on: app.db).filter(\.$name == "Boulangerie Neu").count() == 0)
        }
    }

    /// The owner is the last row written: a taken e-mail fails after the merchant and the store
    /// are in, and all of it rolls back.
    @Test func aTakenOwnerEmailFailsHalfWayAndRollsBackTheMerchantAndTheStore() async throws {
        try await withTestApp { app, _ in
            _ = try await app.makeUser(.merchantOwner, merchant: try await app.makeMerchant("First"), email: "anna@neu.test")
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            let before = try await Counts.of(app)
            let page = try await browser.post("/admin/merchants/new?lang=de", form: AdminPagesTests.onboardingForm())
            #expect(page.status == .conflict)
            #expect(page.text.contains("Ein Konto mit dieser E-Mail-Adresse gibt es bereits."))
            #expect(page.text.contains("id=\"err-owner_email\""))
            #expect(try await Counts.of(app) == before)
            #expect(try await StoreModel.query(on: app.db).filter(\.$code == "NEU-GARE").count() == 0)

            // The same form with another e-mail then goes through: nothing was left half-made.
            let retry = try await browser.post("/admin/merchants/new", form: AdminPagesTests.onboardingForm(["owner_email": "anna2@neu.test"]))
            #expect(retry.status == .created)
        }
    }

    @Test func theServiceRollsBackWhenTheOwnerCannotBeWritten() async throws {
        try await withTestApp { app, _ in
            _ = try await app.makeUser(.merchantOwner, merchant: try await app.makeMerchant("First"), email: "taken@neu.test")
            let before = try await Counts.of(app)
            let store = try CreateStoreRequest(name: "S", code: "ROLLBACK-1", timezone: nil, address: nil).validated()
            let service = TenancyService(database: app.db, passwords: app.passwordHashing)
            await #expect(throws: APIError.self) {
                _ = try await service.onboard(
                    NewMerchantOnboarding(name: "Half", contactEmail: "half@neu.test", store: store, ownerEmail: "taken@neu.test", ownerName: nil),
                    writeGate: app.writeGate)
            }
            #expect(try await Counts.of(app) == before)
        }
    }

    @Test func aFormWithoutItsTokenIsRefusedAndCreatesNothing() async throws {
        try await withTestApp { app, _ in
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            let before = try await Counts.of(app)
            let forged = try await browser.post("/admin/merchants/new", form: AdminPagesTests.onboardingForm(), csrf: false)
            #expect(forged.status == .forbidden)
            #expect(try await Counts.of(app) == before)
        }
    }

    @Test func temporaryPasswordsAreLongAndDifferent() {
        let passwords = (0..<50).map { _ in TemporaryPassword.make() }
        #expect(Set(passwords).count == 50)
        for password in passwords {
            #expect(password.count == 17)
            #expect(FieldRules.password(password) == nil)
            #expect(!password.contains(where: { "0O1lI".contains($0) }))
        }
    }
}
