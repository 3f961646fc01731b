import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/admin/merchants/{id}/settings`: the merchant's loyalty settings and fraud-signal
/// thresholds, changed through `SettingsService.update` with the API's own checks
/// (`SettingsRequest`). Every refused value is shown next to its field and nothing changes; a
/// change answers `303` back to the form.
struct AdminSettingsPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("merchants", ":merchant_id", "settings", use: form)
        routes.post("merchants", ":merchant_id", "settings", use: save)
    }

    /// A whole-number setting: its form field, words, allowed range, and where it lives in the
    /// settings and in the API's request.
    struct NumberField: Sendable {
        let name: String
        let label: String
        let hint: String
        let range: ClosedRange<Int>
        let setting: any WritableKeyPath<MerchantLoyaltySettings, Int> & Sendable
        let request: any WritableKeyPath<SettingsRequest, Int?> & Sendable
    }

    static let counterFields = [
        NumberField(
            name: "store_void_window_days", label: "admin.field_void_window", hint: "admin.hint_void_window",
            range: MerchantLoyaltySettings.storeVoidWindowDaysRange, setting: \.storeVoidWindowDays, request: \.storeVoidWindowDays)
    ]

    /// The thresholds of the owner's fraud signals (decision 0027).
    static let fraudFields = [
        NumberField(
            name: "fraud_near_limit_percent", label: "admin.field_fraud_near_limit_percent", hint: "admin.hint_fraud_near_limit_percent",
            range: FraudThresholds.percentRange, setting: \.fraud.nearLimitPercent, request: \.fraudNearLimitPercent),
        NumberField(
            name: "fraud_near_limit_days", label: "admin.field_fraud_near_limit_days", hint: "admin.hint_fraud_window",
            range: FraudThresholds.daysRange, setting: \.fraud.nearLimitDays, request: \.fraudNearLimitDays),
        NumberField(
            name: "fraud_voids_per_staff", label: "admin.field_fraud_voids_per_staff", hint: "admin.hint_fraud_window",
            range: FraudThresholds.countRange, setting: \.fraud.voidsPerStaff, request: \.fraudVoidsPerStaff),
        NumberField(
            name: "fraud_pin_failures_per_staff", label: "admin.field_fraud_pin_failures_per_staff", hint: "admin.hint_fraud_window",
            range: FraudThresholds.countRange, setting: \.fraud.pinFailuresPerStaff, request: \.fraudPinFailuresPerStaff),
        NumberField(
            name: "fraud_hop_minutes", label: "admin.field_fraud_hop_minutes", hint: "admin.hint_fraud_hop_minutes",
            range: FraudThresholds.minutesRange, setting: \.fraud.hopMinutes, request: \.fraudHopMinutes),
        NumberField(
            name: "fraud_hops_per_card", label: "admin.field_fraud_hops_per_card", hint: "admin.hint_fraud_window",
            range: FraudThresholds.countRange, setting: \.fraud.hopsPerCard, request: \.fraudHopsPerCard),
    ]

    struct FormPage: Encodable, Sendable {
        struct Option: Encodable, Sendable {
            let value: String
            let label: String
            let selected: Bool
        }
        struct Number: Encodable, Sendable {
            let name: String
            let label: String
            let hint: String
            let value: String
            let min: Int
            let max: Int
            let error: String
        }
        let merchantID: String
        let merchantName: String
        var policies: [Option]
        var allowSelfEnrollment: Bool
        var allowStoreVoids: Bool
        var allowCrossStoreRedemption: Bool
        var counter: [Number]
        var fraud: [Number]
        var policyError = ""
        var error: String?
        var done = ""
    }

    @Sendable
    func form(req: Request) async throws -> Response {
        let merchant = try await req.tenancy.merchant(try req.parameters.uuid("merchant_id"))
        let settings = try await SettingsService.settings(of: try merchant.requireID(), on: req.db)
        var page = Self.page(merchant: merchant, settings: settings, typed: [:], errors: [], req: req)
        if req.query[String.self, at: "done"] == "saved" { page.done = req.t("admin.settings_saved") }
        return try await req.renderBackOffice("backoffice/admin/settings", title: "admin.settings_title", page)
    }

    @Sendable
    func save(req: Request) async throws -> Response {
        let merchant = try await req.tenancy.merchant(try req.parameters.uuid("merchant_id"))
        let merchantID = try merchant.requireID()
        let form = try req.content.decode([String: String].self)
        // A checkbox is absent when unticked: the form always sends the whole settings.
        var request = SettingsRequest(
            staffPinPolicy: form["staff_pin_policy"] ?? "", allowSelfEnrollment: form["allow_self_enrollment"] != nil,
            allowStoreVoids: form["allow_store_voids"] != nil, allowCrossStoreRedemption: form["allow_cross_store_redemption"] != nil)
        var wrong: Set<String> = []
        for field in Self.counterFields + Self.fraudFields {
            if let value = Int((form[field.name] ?? "").trimmingCharacters(in: .whitespaces)) {
                request[keyPath: field.request] = value
            } else {
                wrong.insert(field.name)
            }
        }
        do {
            do {
                try request.validate()
            } catch let error as APIError {
                if case .object(let fields)? = error.details["fields"] { wrong.formUnion(fields.keys) }
            }
            guard wrong.isEmpty else { throw APIError.validationFailed(Dictionary(uniqueKeysWithValues: wrong.map { ($0, "is not valid") })) }
            _ = try await req.settings.update(request, merchantID: merchantID)
            return req.redirect(to: "/admin/merchants/\(merchantID.uuidString)/settings?done=saved", redirectType: .normal)
        } catch let error as APIError where error.status == .unprocessableEntity {
            // The form again as it was sent, each refused field with its words.
            var settings = MerchantLoyaltySettings()
            settings.staffPinPolicy = StaffPinPolicy(rawValue: request.staffPinPolicy ?? "") ?? settings.staffPinPolicy
            settings.allowSelfEnrollment = request.allowSelfEnrollment ?? false
            settings.allowStoreVoids = request.allowStoreVoids ?? false
            settings.allowCrossStoreRedemption = request.allowCrossStoreRedemption ?? false
            var page = Self.page(merchant: merchant, settings: settings, typed: form, errors: wrong, req: req)
            if wrong.contains("staff_pin_policy") { page.policyError = req.t("admin.error_pin_policy") }
            page.error = req.t("admin.form_errors")
            return try await req.renderBackOffice("backoffice/admin/settings", title: "admin.settings_title", page, status: error.status)
        }
    }

    /// The form for `settings`; `typed` (what was sent) wins for the number fields, so a
    /// refused value is shown as it was typed.
    static func page(
        merchant: MerchantModel, settings: MerchantLoyaltySettings, typed: [String: String], errors: Set<String>, req: Request
    ) -> FormPage {
        func numbers(_ fields: [NumberField]) -> [FormPage.Number] {
            fields.map { field in
                FormPage.Number(
                    name: field.name, label: req.t(field.label), hint: req.t(field.hint),
                    value: typed[field.name].map { String($0.prefix(20)) } ?? String(settings[keyPath: field.setting]),
                    min: field.range.lowerBound, max: field.range.upperBound,
                    error: errors.contains(field.name)
                        ? req.t("admin.error_number_range", String(field.range.lowerBound), String(field.range.upperBound)) : "")
            }
        }
        return FormPage(
            merchantID: merchant.id?.uuidString ?? "", merchantName: merchant.name,
            policies: StaffPinPolicy.allCases.map {
                .init(value: $0.rawValue, label: req.t(AdminFormat.pinPolicyKey($0)), selected: $0 == settings.staffPinPolicy)
            },
            allowSelfEnrollment: settings.allowSelfEnrollment, allowStoreVoids: settings.allowStoreVoids,
            allowCrossStoreRedemption: settings.allowCrossStoreRedemption, counter: numbers(counterFields), fraud: numbers(fraudFields))
    }
}
