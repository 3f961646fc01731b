import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/admin/merchants/{id}/settings`: the merchant's loyalty settings through `SettingsService`.
@Suite struct AdminSettingsPageTests {
    /// The whole form as the page sends it, with the defaults, then `changes`.
    static func form(_ changes: [String: String]) -> [String: String] {
        [
            "staff_pin_policy": "optional", "allow_self_enrollment": "1", "allow_store_voids": "1", "allow_cross_store_redemption": "1",
            "store_void_window_days": "0", "fraud_near_limit_percent": "80", "fraud_near_limit_days": "5", "fraud_voids_per_staff": "10",
            "fraud_pin_failures_per_staff": "10", "fraud_hop_minutes": "30", "fraud_hops_per_card": "3",
        ].merging(changes) { _, new in new }
    }

    @Test func theAdminChangesTheSettingsAndTheAPIAndTheOwnerSeeThem() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            let path = "/admin/merchants/\(counter.merchant.id!.uuidString)/settings"
            let form = try await browser.get(path + "?lang=en")
            #expect(form.status == .ok)
            #expect(form.text.contains("value=\"optional\" selected"))

            var changes = Self.form(["staff_pin_policy": "required", "store_void_window_days": "3", "fraud_hop_minutes": "45"])
            changes["allow_self_enrollment"] = nil
            changes["allow_cross_store_redemption"] = nil
            let saved = try await browser.post(path, form: changes)
            #expect(saved.status == .seeOther)
            #expect(saved.location == path + "?done=saved")
            let settings = try await SettingsService.settings(of: counter.merchant.id!, on: app.db)
            #expect(settings.staffPinPolicy == .required)
            #expect(settings.allowSelfEnrollment == false, "an unticked box is off")
            #expect(settings.allowStoreVoids == true)
            #expect(settings.allowCrossStoreRedemption == false)
            #expect(settings.storeVoidWindowDays == 3)
            #expect(settings.fraud.hopMinutes == 45)
            #expect(settings.fraud.nearLimitPercent == 80)
            let after = try await browser.get(saved.location! + "&lang=en")
            #expect(after.text.contains("The settings were saved."))
            #expect(after.text.contains("value=\"required\" selected"))

            // The owner's API reads the same settings.
            let response = try await app.testing().sendRequest(
                .GET, "/api/v1/merchants/loyalty/settings", headers: ["Authorization": "Bearer \(counter.ownerToken)"])
            #expect(response.status == .ok)
            #expect(response.body.string.contains("\"staff_pin_policy\":\"required\""))
            #expect(response.body.string.contains("\"store_void_window_days\":3"))
            #expect(response.body.string.contains("\"fraud_hop_minutes\":45"))
        }
    }

    @Test(arguments: [
        (["staff_pin_policy": "always"], "staff_pin_policy"),
        (["store_void_window_days": "400"], "store_void_window_days"),
        (["store_void_window_days": "abc"], "store_void_window_days"),
        (["store_void_window_days": "-1"], "store_void_window_days"),
        (["store_void_window_days": ""], "store_void_window_days"),
        (["fraud_near_limit_percent": "101"], "fraud_near_limit_percent"),
        (["fraud_near_limit_days": "15"], "fraud_near_limit_days"),
        (["fraud_hop_minutes": "0"], "fraud_hop_minutes"),
        (["fraud_hops_per_card": "1e3"], "fraud_hops_per_card"),
    ])
    func aRefusedValueIsShownByItsFieldAndChangesNothing(form: [String: String], field: String) async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            let before = try await SettingsService.settings(of: counter.merchant.id!, on: app.db)
            let page = try await browser.post("/admin/merchants/\(counter.merchant.id!.uuidString)/settings?lang=lb", form: Self.form(form))
            #expect(page.status == .unprocessableEntity)
            #expect(page.htmlLang == "lb")
            #expect(page.alertText?.isEmpty == false)
            #expect(page.text.contains("aria-invalid=\"true\" aria-describedby=\"err-"), "the field is marked")
            #expect(page.text.contains("id=\"err-\(field)\""))
            #expect(page.text.components(separatedBy: "class=\"field-error\"").count == 2, "only the wrong field has a message")
            #expect(try await SettingsService.settings(of: counter.merchant.id!, on: app.db) == before)
        }
    }

    @Test func anUnknownMerchantIsNotFoundAndAForgedFormChangesNothing() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let admin = try await app.makeUser(.platformAdmin)
            var browser = try await PageClient.signedIn(app, as: admin)
            #expect(try await browser.get("/admin/merchants/\(UUID().uuidString)/settings").status == .notFound)
            let unknown = try await browser.post(
                "/admin/merchants/\(UUID().uuidString)/settings", form: Self.form(["staff_pin_policy": "required"]))
            #expect(unknown.status == .notFound)
            let forged = try await browser.post(
                "/admin/merchants/\(counter.merchant.id!.uuidString)/settings",
                form: Self.form(["staff_pin_policy": "disabled"]), csrf: false)
            #expect(forged.status == .forbidden)
            #expect(try await SettingsService.settings(of: counter.merchant.id!, on: app.db) == MerchantLoyaltySettings())
            var owner = try await PageClient.signedIn(app, as: counter.owner)
            let refused = try await owner.post(
                "/admin/merchants/\(counter.merchant.id!.uuidString)/settings", form: Self.form(["staff_pin_policy": "disabled"]))
            #expect(refused.status == .forbidden)
            #expect(try await SettingsService.settings(of: counter.merchant.id!, on: app.db) == MerchantLoyaltySettings())
        }
    }
}
