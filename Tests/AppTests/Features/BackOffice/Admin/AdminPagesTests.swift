import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// The platform admin's pages: who may open them, the programs dashboard, the merchants,
/// their accounts, the wallets page.
@Suite struct AdminPagesTests {
    static func pages(_ counter: Counter) -> [String] {
        let id = counter.merchant.id!.uuidString
        return [
            "/admin", "/admin?page=2", "/admin/merchants", "/admin/merchants?q=merch", "/admin/merchants/new", "/admin/merchants/\(id)",
            "/admin/merchants/\(id)/settings", "/admin/wallets",
        ]
    }

    @Test func everyPageOpensForTheAdminAndIsRefusedToOwnersAndCashiers() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            for path in Self.pages(counter) {
                let page = try await browser.get(path + (path.contains("?") ? "&" : "?") + "lang=de")
                #expect(page.status == .ok, "\(path)")
                #expect(page.htmlLang == "de", "\(path)")
            }
            for user in [counter.owner, counter.cashier] {
                var other = try await PageClient.signedIn(app, as: user)
                for path in Self.pages(counter) {
                    #expect(try await other.get(path).status == .forbidden, "\(path) as \(user.role)")
                }
                let merchants = try await MerchantModel.query(on: app.db).count()
                let refused = try await other.post("/admin/merchants/new", form: Self.onboardingForm())
                #expect(refused.status == .forbidden)
                #expect(try await MerchantModel.query(on: app.db).count() == merchants)
            }
            var anonymous = PageClient(app)
            #expect(try await anonymous.get("/admin/wallets").location == "/login?next=/admin/wallets")
        }
    }

    @Test func theDashboardShowsEachProgramWithTodaysActivityFromTheRollups() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let quiet = try await app.makeMerchant("Zz quiet merchant")
            let today = CalendarDate(clock.now, in: AdminFormat.platformTimeZone)!
            let yesterday = CalendarDate(clock.now.addingTimeInterval(-86_400), in: AdminFormat.platformTimeZone)!
            try await DailyStats.add(
                DailyStatsDelta(cardsEnrolled: 2, stampsGiven: 7, stampsRedeemed: 1, pointsGiven: 1234, pointsRedeemed: 150),
                merchantID: counter.merchant.id!, storeID: counter.store.id!, day: today, cardID: UUID(), on: app.db)
            try await DailyStats.add(
                DailyStatsDelta(stampsGiven: 3), merchantID: counter.merchant.id!, storeID: counter.store.id!, day: today, cardID: counter.card.id!,
                on: app.db)
            try await DailyStats.add(
                DailyStatsDelta(stampsGiven: 900), merchantID: counter.merchant.id!, storeID: counter.store.id!, day: yesterday, cardID: UUID(),
                on: app.db)
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            let page = try await browser.get("/admin?lang=en")
            #expect(page.status == .ok)
            let text = page.text
            #expect(text.contains("10 / 1"), "stamps given / redeemed today, summed over the shards; yesterday's 900 left out")
            #expect(text.contains("1,234 / 150"))
            #expect(text.contains("Stamps and points"))
            #expect(text.contains(quiet.name))
            #expect(text.contains("No program yet"))
            #expect(text.contains("/admin/merchants/\(counter.merchant.id!.uuidString)"))
        }
    }

    @Test func theDashboardAndTheMerchantsListArePaged() async throws {
        try await withTestApp { app, _ in
            for index in 0..<(AdminHomePage.perPage + 2) {
                _ = try await app.makeMerchant(String(format: "Shop %03d", index))
            }
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            let first = try await browser.get("/admin")
            #expect(first.text.contains("Shop 000"))
            #expect(!first.text.contains("Shop 051"))
            #expect(first.text.contains("href=\"/admin?page=2\""))
            let second = try await browser.get("/admin?page=2")
            #expect(second.text.contains("Shop 051"))
            #expect(!second.text.contains("Shop 000"))

            let list = try await browser.get("/admin/merchants?page=2")
            #expect(list.text.contains("Shop 050"))
            #expect(!list.text.contains("Shop 049"))
        }
    }

    @Test func merchantsAreSearchedByNameOrEmailWhateverTheCase() async throws {
        try await withTestApp { app, _ in
            let bakery = try await app.makeMerchant("Boulangerie Müller")
            _ = try await app.makeMerchant("Café 100%")
            _ = try await app.makeMerchant("Other shop")
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            let found = try await browser.get("/admin/merchants?q=BOULANGERIE")
            #expect(found.text.contains("Boulangerie Müller"))
            #expect(!found.text.contains("Other shop"))
            let byEmail = try await browser.get("/admin/merchants?q=" + bakery.contactEmail.uppercased())
            #expect(byEmail.text.contains("Boulangerie Müller"))
            let percent = try await browser.get("/admin/merchants?q=" + PageClient.formEncode("0%"))
            #expect(percent.text.contains("Café 100%"), "a % in the search is a character, not a wildcard")
            #expect(!percent.text.contains("Other shop"))
            #expect(!percent.text.contains("Boulangerie"))
        }
    }

    @Test func theMerchantPageShowsStoresAccountsProgramAndLinks() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            let id = counter.merchant.id!.uuidString
            let page = try await browser.get("/admin/merchants/\(id)?lang=en")
            #expect(page.status == .ok)
            let text = page.text
            #expect(text.contains(counter.store.code))
            #expect(text.contains(counter.cashier.email))
            #expect(text.contains(counter.owner.email))
            #expect(!text.contains(other.cashier.email), "only this merchant's accounts")
            #expect(text.contains("A reward after 3 stamps"))
            #expect(text.contains("/admin/analytics?merchant=\(id)"))
            #expect(text.contains("/admin/merchants/\(id)/settings"))
            #expect(try await browser.get("/admin/merchants/\(UUID().uuidString)").status == .notFound)
            #expect(try await browser.get("/admin/merchants/not-an-id").status.code < 500)
        }
    }

    @Test func theAdminDeactivatesReactivatesAndResetsAccountsOfTheMerchantOnly() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            let base = "/admin/merchants/\(counter.merchant.id!.uuidString)/users/\(counter.cashier.id!.uuidString)"

            let off = try await browser.post(base + "/deactivate")
            #expect(off.status == .seeOther)
            #expect(off.location == "/admin/merchants/\(counter.merchant.id!.uuidString)?done=deactivated")
            #expect(try await UserModel.find(counter.cashier.id, on: app.db)?.isActive == false)
            #expect(try await browser.get(off.location! + "&lang=en").text.contains("The account was deactivated"))
            #expect(try await browser.post(base + "/reactivate").status == .seeOther)
            #expect(try await UserModel.find(counter.cashier.id, on: app.db)?.isActive == true)

            let reset = try await browser.post(base + "/password")
            #expect(reset.status == .ok)
            let password = try #require(Self.secret(in: reset.text))
            var cashier = PageClient(app)
            let signIn = try await cashier.post("/login", form: ["email": counter.cashier.email, "password": password])
            #expect(signIn.location == "/account/password?next=/store/terminal", "the new password works, to be replaced first")
            var old = PageClient(app)
            #expect(try await old.post("/login", form: ["email": counter.cashier.email, "password": Application.fixturePassword]).status != .seeOther)

            // Another merchant's account under this merchant's address: not found, unchanged.
            let foreign = "/admin/merchants/\(counter.merchant.id!.uuidString)/users/\(other.cashier.id!.uuidString)"
            #expect(try await browser.post(foreign + "/deactivate").status == .notFound)
            #expect(try await browser.post(foreign + "/password").status == .notFound)
            let untouched = try await UserModel.find(other.cashier.id, on: app.db)
            #expect(untouched?.isActive == true)
            #expect(untouched?.passwordHash == other.cashier.passwordHash)
        }
    }

    @Test func theWalletsPageShowsStatusAndLooksUpACard() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            let page = try await browser.get("/admin/wallets?lang=en")
            #expect(page.status == .ok)
            #expect(page.text.contains("Not configured"))
            #expect(page.text.contains("LOYALTY_APPLE_PASS_TYPE_ID"), "the diagnostics say what to set")

            let byNumber = try await browser.get("/admin/wallets?lang=en&card=" + counter.card.cardNumber)
            #expect(byNumber.status == .ok)
            #expect(byNumber.text.contains("Apple Wallet is not set up on this platform."))
            #expect(byNumber.text.contains("Google Wallet is not set up on this platform."))
            let byID = try await browser.get("/admin/wallets?card=" + counter.card.id!.uuidString)
            #expect(byID.status == .ok)
            let unknown = try await browser.get("/admin/wallets?lang=fr&card=12345")
            #expect(unknown.status == .notFound)
            #expect(unknown.alertText == "Aucune carte ne porte ce numéro ou cet identifiant.")
        }
    }

    static func onboardingForm(_ changes: [String: String] = [:]) -> [String: String] {
        [
            "name": "Boulangerie Neu", "contact_email": "hello@neu.test", "store_name": "Neu Gare", "store_code": "neu-gare",
            "timezone": "Europe/Luxembourg", "city": "Luxembourg", "country": "lu", "owner_name": "Anna Neu",
            "owner_email": "Anna@Neu.test",
        ].merging(changes) { _, new in new }
    }

    /// The temporary password a page shows once.
    static func secret(in text: String) -> String? {
        guard let range = text.range(of: "data-secret=\"password\">") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "<" })
    }
}
