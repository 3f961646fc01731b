import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/merchant/settings`: the merchant's loyalty settings as `GET /merchants/loyalty/settings`
/// answers them. The platform operator sets them (the admin pages change them), so the owner
/// only reads them here; the program's own rules are the program editor's.
struct MerchantSettingsPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("settings", use: show)
    }

    struct SettingsPage: Encodable, Sendable {
        struct Fact: Encodable, Sendable {
            let label: String
            let value: String
            let hint: String
        }

        let merchantName: String
        let contactEmail: String
        let facts: [Fact]
        let fraud: [Fact]
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let merchant = try await MerchantProgramPages.merchant(req)
        let settings = try await req.settings.settings(of: try merchant.requireID())
        let yes = req.t("program.yes")
        let no = req.t("program.no")
        let policies: [StaffPinPolicy: String] = [
            .required: "program.pin_policy_required", .programDecides: "program.pin_policy_optional", .disabled: "program.pin_policy_disabled",
        ]
        let window = settings.storeVoidWindowDays == 0
            ? req.t("program.void_window_same_day") : req.t("program.void_window_days", String(settings.storeVoidWindowDays))
        let facts: [SettingsPage.Fact] = [
            .init(label: req.t("program.setting_pin_policy"), value: req.t(policies[settings.staffPinPolicy] ?? ""), hint: req.t("program.setting_pin_policy_hint")),
            .init(label: req.t("program.setting_self_enrollment"), value: settings.allowSelfEnrollment ? yes : no, hint: req.t("program.setting_self_enrollment_hint")),
            .init(label: req.t("program.setting_store_voids"), value: settings.allowStoreVoids ? yes : no, hint: req.t("program.setting_store_voids_hint")),
            .init(label: req.t("program.setting_void_window"), value: window, hint: req.t("program.setting_void_window_hint")),
            .init(
                label: req.t("program.setting_cross_store"), value: settings.allowCrossStoreRedemption ? yes : no,
                hint: req.t("program.setting_cross_store_hint")),
        ]
        // The thresholds of the fraud signals (decision 0027).
        let fraud: [SettingsPage.Fact] = [
            .init(label: req.t("program.fraud_near_limit"), value: req.t("program.fraud_near_limit_value", String(settings.fraudNearLimitPercent), String(settings.fraudNearLimitDays)), hint: ""),
            .init(label: req.t("program.fraud_voids"), value: String(settings.fraudVoidsPerStaff), hint: ""),
            .init(label: req.t("program.fraud_pin_failures"), value: String(settings.fraudPinFailuresPerStaff), hint: ""),
            .init(label: req.t("program.fraud_hops"), value: req.t("program.fraud_hops_value", String(settings.fraudHopsPerCard), String(settings.fraudHopMinutes)), hint: ""),
        ]
        let page = SettingsPage(merchantName: merchant.name, contactEmail: merchant.contactEmail, facts: facts, fraud: fraud)
        return try await req.renderBackOffice("backoffice/program/settings", title: "program.settings_title", page)
    }
}
