import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/admin/merchants/new`: onboards a merchant with its first store and its owner in one
/// transaction (`TenancyService.onboard`). The checks are the API's own
/// (`CreateMerchantRequest`, `CreateStoreRequest`, the owner's e-mail rule); every wrong field
/// is shown next to itself at once. The answer shows the owner's temporary password once.
struct AdminOnboardingPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("merchants", "new", use: form)
        routes.post("merchants", "new", use: create)
    }

    struct Form: Content {
        var name: String?
        var contactEmail: String?
        var storeName: String?
        var storeCode: String?
        var timezone: String?
        var city: String?
        var country: String?
        var ownerName: String?
        var ownerEmail: String?

        enum CodingKeys: String, CodingKey {
            case name, timezone, city, country
            case contactEmail = "contact_email"
            case storeName = "store_name"
            case storeCode = "store_code"
            case ownerName = "owner_name"
            case ownerEmail = "owner_email"
        }
    }

    struct FormPage: Encodable, Sendable {
        var values: [String: String] = ["timezone": CreateStoreRequest.defaultTimezone, "country": "LU"]
        /// Field name → what is wrong with it, in the page's language.
        var errors: [String: String] = [:]
        var error: String?
        var timezones: [String] = AdminOnboardingPage.timezones
    }

    /// The zones a merchant of this platform is likely in; the field takes any IANA name.
    static let timezones = ["Europe/Luxembourg", "Europe/Paris", "Europe/Berlin", "Europe/Brussels", "Europe/Amsterdam", "Europe/Zurich", "UTC"]

    struct DonePage: Encodable, Sendable {
        let merchantID: String
        let merchantName: String
        let storeCode: String
        let ownerEmail: String
        let password: String
    }

    @Sendable
    func form(req: Request) async throws -> Response {
        try await req.renderBackOffice("backoffice/admin/new", title: "admin.new_title", FormPage())
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        do {
            let onboarding = try Self.checked(form)
            let done = try await req.tenancy.onboard(onboarding, writeGate: req.application.writeGate)
            let page = DonePage(
                merchantID: try done.merchant.requireID().uuidString, merchantName: done.merchant.name, storeCode: done.store.code,
                ownerEmail: done.owner.email, password: done.temporaryPassword)
            return try await req.renderBackOffice("backoffice/admin/onboarded", title: "admin.onboarded_title", page, status: .created)
        } catch let error as APIError where error.status == .unprocessableEntity || error.code == "already_exists" {
            var page = FormPage()
            for (field, value) in Self.echo(form) { page.values[field] = value }
            page.errors = Self.fieldWords(for: error, req: req)
            page.error = req.t("admin.form_errors")
            return try await req.renderBackOffice("backoffice/admin/new", title: "admin.new_title", page, status: error.status)
        }
    }

    /// The form checked by the API's own rules, every wrong field at once, named as the form
    /// names it.
    static func checked(_ form: Form) throws -> NewMerchantOnboarding {
        var fields: [String: String] = [:]
        func collect<T>(_ prefix: [String: String], _ body: () throws -> T) -> T? {
            do {
                return try body()
            } catch let error as APIError {
                if case .object(let wrong)? = error.details["fields"] {
                    for (name, _) in wrong { fields[prefix[name] ?? name] = error.code }
                }
                return nil
            } catch {
                return nil
            }
        }
        let merchant = collect([:]) { try CreateMerchantRequest(name: form.name, contactEmail: form.contactEmail).validated() }
        let address = AddressDTO(line1: nil, line2: nil, postalCode: nil, city: Self.blankIsNil(form.city), country: Self.blankIsNil(form.country))
        let store = collect(["name": "store_name", "code": "store_code", "address.country": "country", "address.city": "city"]) {
            try CreateStoreRequest(name: form.storeName, code: form.storeCode, timezone: Self.blankIsNil(form.timezone), address: address).validated()
        }
        var errors = FieldErrors()
        let ownerEmail = errors.requiredText(form.ownerEmail, "owner_email", FieldRules.email).lowercased()
        let ownerName = errors.optionalText(Self.blankIsNil(form.ownerName), "owner_name") { FieldRules.name($0) }
        _ = collect([:]) { try errors.throwIfAny() }
        guard fields.isEmpty, let merchant, let store else {
            throw APIError.validationFailed(fields.mapValues { _ in "is not valid" })
        }
        return NewMerchantOnboarding(name: merchant.name, contactEmail: merchant.contactEmail, store: store, ownerEmail: ownerEmail, ownerName: ownerName)
    }

    static func blankIsNil(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }

    /// What the admin typed, back into the fields (bounded: a page never echoes a megabyte).
    static func echo(_ form: Form) -> [String: String] {
        let values: [String: String?] = [
            "name": form.name, "contact_email": form.contactEmail, "store_name": form.storeName, "store_code": form.storeCode,
            "timezone": form.timezone, "city": form.city, "country": form.country, "owner_name": form.ownerName,
            "owner_email": form.ownerEmail,
        ]
        return values.compactMapValues { $0.map { String($0.prefix(300)) } }
    }

    /// Each wrong field's words: a taken store code or e-mail has its own.
    static func fieldWords(for error: APIError, req: Request) -> [String: String] {
        if error.code == "already_exists", case .string(let field)? = error.details["field"] {
            switch field {
            case "code": return ["store_code": req.t("admin.error_store_code_taken")]
            default: return ["owner_email": req.t("admin.error_email_taken")]
            }
        }
        guard case .object(let wrong)? = error.details["fields"] else { return [:] }
        let keys = [
            "name": "admin.error_name", "contact_email": "admin.error_email", "store_name": "admin.error_name",
            "store_code": "admin.error_store_code", "timezone": "admin.error_timezone", "country": "admin.error_country",
            "city": "admin.error_city", "owner_email": "admin.error_email", "owner_name": "admin.error_name",
        ]
        var words: [String: String] = [:]
        for field in wrong.keys { words[field] = req.t(keys[field] ?? "admin.error_field") }
        return words
    }
}
