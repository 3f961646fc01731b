import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `POST /storefront/auth/register`: an account with the merchant that runs `store_code`.
struct CustomerRegisterRequest: Content {
    var storeCode: String?
    var email: String?
    var password: String?
    var name: String?
    var phone: String?
    var birthday: String?
    var locale: String?
    var marketingConsent: Bool?

    func validated() throws -> (storeCode: String, password: String, profile: CustomerProfileInput) {
        var errors = FieldErrors()
        let storeCode = errors.requiredText(storeCode, "store_code")
        let password = errors.requiredText(password, "password", FieldRules.password)
        let profile = CreateCustomerRequest(
            name: name, email: email, phone: phone, birthday: birthday, locale: locale, marketingConsent: marketingConsent
        ).validateProfile(into: &errors, emailRequired: true)
        try errors.throwIfAny()
        return (storeCode.uppercased(), password, profile)
    }
}

/// `POST /storefront/auth/login`
struct CustomerLoginRequest: Content {
    var storeCode: String?
    var email: String?
    var password: String?

    func validated() throws -> (storeCode: String, email: String, password: String) {
        var errors = FieldErrors()
        let storeCode = errors.requiredText(storeCode, "store_code")
        let email = errors.requiredText(email, "email")
        if password?.isEmpty ?? true { errors.record("password", "is required") }
        try errors.throwIfAny()
        return (storeCode.uppercased(), email.lowercased(), password ?? "")
    }
}

/// The answer to a customer's registration or login.
struct CustomerTokenResponse: Content {
    let accessToken: String
    let tokenType: String
    let expiresAt: Date
    let customer: CustomerResponse

    init(_ token: TokenService.IssuedToken, customer: CustomerModel) throws {
        accessToken = token.value
        tokenType = "bearer"
        expiresAt = token.expiresAt
        self.customer = try CustomerResponse(customer)
    }
}
