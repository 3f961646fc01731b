import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// The profile fields a customer is created with, at the counter or by registering.
struct CustomerProfileInput: Sendable {
    let name: String
    let email: String?
    let phone: String?
    let birthday: String?
    let locale: CustomerLocale
    let marketingConsent: Bool
}

/// `POST /store/customers`
struct CreateCustomerRequest: Content {
    var name: String?
    var email: String?
    var phone: String?
    var birthday: String?
    var locale: String?
    var marketingConsent: Bool?

    func validated() throws -> CustomerProfileInput {
        var errors = FieldErrors()
        let profile = validateProfile(into: &errors, emailRequired: false)
        try errors.throwIfAny()
        return profile
    }

    /// Checks the profile fields into `errors`; shared with storefront registration.
    func validateProfile(into errors: inout FieldErrors, emailRequired: Bool) -> CustomerProfileInput {
        let name = errors.requiredText(name, "name") { FieldRules.name($0) }
        let email =
            emailRequired
            ? errors.requiredText(email, "email", FieldRules.email)
            : errors.optionalText(email, "email", FieldRules.email)
        let phone = errors.optionalText(phone, "phone", FieldRules.phone)
        let birthday = errors.optionalText(birthday, "birthday") { FieldRules.birthday($0) }
        let localeText = errors.optionalText(locale, "locale") { value in
            CustomerLocale(rawValue: value) == nil
                ? "must be one of " + CustomerLocale.allCases.map(\.rawValue).joined(separator: ", ") : nil
        }
        return CustomerProfileInput(
            name: name, email: email?.lowercased(), phone: phone, birthday: birthday,
            locale: localeText.flatMap(CustomerLocale.init(rawValue:)) ?? .english,
            marketingConsent: marketingConsent ?? false)
    }
}

/// `GET /store/customers` filters.
struct CustomerSearchQuery: Content {
    /// Matches the start of the name or e-mail, or the phone number, case-insensitively.
    var q: String?
}

struct CustomerResponse: Content {
    let id: UUID
    let merchantId: UUID
    let name: String
    @NullEncoded var email: String?
    @NullEncoded var phone: String?
    @NullEncoded var birthday: String?
    let locale: CustomerLocale
    let marketingConsent: Bool
    @NullEncoded var marketingConsentAt: Date?
    let hasAccount: Bool
    /// Set once the customer's personal data was erased.
    @NullEncoded var erasedAt: Date?
    let createdAt: Date?

    init(_ customer: CustomerModel) throws {
        id = try customer.requireID()
        merchantId = customer.$merchant.id
        name = customer.name
        email = customer.email
        phone = customer.phone
        birthday = customer.birthday
        locale = customer.locale
        marketingConsent = customer.marketingConsent
        marketingConsentAt = customer.marketingConsentAt
        hasAccount = customer.passwordHash != nil
        erasedAt = customer.erasedAt
        createdAt = customer.createdAt
    }
}
