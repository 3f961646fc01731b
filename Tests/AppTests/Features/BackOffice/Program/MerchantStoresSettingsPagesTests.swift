import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/merchant/stores` (list and create, through the onboarding service) and
/// `/merchant/settings` (read-only: the platform operator sets them).
@Suite struct MerchantStoresSettingsPagesTests {
    @Test func theStoresPageListsOnlyTheOwnersStoresWithTheirLinks() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            var client = try await PageClient.signedIn(app, as: counter.owner)
            let page = try await client.get("/merchant/stores")
            #expect(page.status == .ok)
            #expect(page.text.contains(counter.store.code))
            #expect(page.text.contains("/enroll/\(counter.store.code)"))
            #expect(page.text.contains("/store/poster?store=\(counter.store.id!.uuidString)"))
            #expect(page.text.contains("/store/terminal?store=\(counter.store.id!.uuidString)"))
            #expect(!page.text.contains(other.store.code), "another merchant's store is not listed")
        }
    }

    @Test func anOwnerAddsAStoreAndEveryWrongFieldIsNamed() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            var client = try await PageClient.signedIn(app, as: counter.owner)
            let created = try await client.post("/merchant/stores", form: [
                "name": "Gare", "code": "gare-1", "timezone": "Europe/Luxembourg", "address_line1": "1 Place de la Gare",
                "postal_code": "1616", "city": "Luxembourg", "country": "lu",
            ])
            #expect(created.status == .seeOther)
            #expect(created.location == "/merchant/stores?done=created")
            let store = try #require(try await StoreModel.query(on: app.db).filter(\.$code == "GARE-1").first())
            #expect(store.$merchant.id == counter.merchant.id)
            #expect(store.country == "LU" && store.city == "Luxembourg")
            let list = try await client.get("/merchant/stores?done=created")
            #expect(list.text.contains("The store was added."))
            #expect(list.text.contains("1 Place de la Gare, 1616 Luxembourg, LU"))

            let before = try await StoreModel.query(on: app.db).count()
            let wrong = try await client.post("/merchant/stores", form: [
                "name": " ", "code": "-x", "timezone": "Mars/Olympus", "country": "LUX", "address_line2": String(repeating: "a", count: 201),
            ])
            #expect(wrong.status == .unprocessableEntity)
            for (id, text) in [
                ("store-name-error", "Enter the store's name, at most 200 characters."),
                ("store-code-error", "Enter 3 to 32 letters, digits or dashes, not starting with a dash."),
                ("store-timezone-error", "Enter a time zone such as Europe/Luxembourg."),
                ("store-country-error", "Enter a two-letter country code such as LU."),
                ("store-address-error", "Each address line may hold at most 200 characters."),
            ] {
                #expect(wrong.text.contains("id=\"\(id)\">\(text)</p>"), "\(id)")
            }
            let taken = try await client.post("/merchant/stores", form: ["name": "Again", "code": counter.store.code])
            #expect(taken.status == .conflict)
            #expect(taken.text.contains("This store code is already taken; choose another."))
            #expect(try await StoreModel.query(on: app.db).count() == before)
            #expect(try await client.post("/merchant/stores", form: ["name": "Forged", "code": "FORGED"], csrf: false).status == .forbidden)
            #expect(try await StoreModel.query(on: app.db).count() == before)
        }
    }

    @Test func theSettingsPageShowsTheOperatorsSettingsReadOnly() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            _ = try await SettingsService(database: app.db).update(
                SettingsRequest(staffPinPolicy: "required", allowSelfEnrollment: false, storeVoidWindowDays: 2), merchantID: counter.merchant.id!)
            var client = try await PageClient.signedIn(app, as: counter.owner)
            let page = try await client.get("/merchant/settings")
            #expect(page.status == .ok)
            #expect(page.text.contains("Set by the platform operator"))
            #expect(page.text.contains("Always required"))
            #expect(page.text.contains("Up to 2 business days back"))
            #expect(!page.text.contains("<form method=\"post\" action=\"/merchant/settings"), "nothing to change here")
            let german = try await client.get("/merchant/settings?lang=de")
            #expect(german.text.contains("Vom Plattformbetreiber festgelegt"))
            // The program editor says who decides about PINs.
            #expect(try await client.get("/merchant/program?lang=en").text.contains("a PIN is always required"))

            var cashier = try await PageClient.signedIn(app, as: counter.cashier)
            for path in ["/merchant/settings", "/merchant/stores", "/merchant/program"] {
                #expect(try await cashier.get(path).status == .forbidden, "\(path)")
            }
        }
    }
}
