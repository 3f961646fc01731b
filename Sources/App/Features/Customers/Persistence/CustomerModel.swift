import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import Vapor

/// A shopper known to one merchant; the same person at two merchants is two customers.
///
/// `passwordHash` is set once the customer registers an account in the storefront; customers
/// enrolled at the counter have none.
final class CustomerModel: Model, @unchecked Sendable {
    static let schema = "customers"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Field(key: "name") var name: String
    /// Lower-cased; unique per merchant when present.
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "phone") var phone: String?
    /// `YYYY-MM-DD`: a calendar date, not an instant, so no time zone can shift it.
    @OptionalField(key: "birthday") var birthday: String?
    @Field(key: "locale") var locale: CustomerLocale
    @Field(key: "marketing_consent") var marketingConsent: Bool
    /// When consent was last given; kept as proof of consent.
    @OptionalField(key: "marketing_consent_at") var marketingConsentAt: Date?
    @OptionalField(key: "password_hash") var passwordHash: String?
    /// The address was entered by the merchant's staff, not given online: only such an address
    /// may match an existing customer at the counter. An address given at public enrollment or
    /// registration is unverified and never decides whose card it is (decision 0008).
    @Field(key: "email_from_staff") var emailFromStaff: Bool
    /// When the customer's personal data was erased; the row stays for the cards and ledger.
    @OptionalField(key: "erased_at") var erasedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(merchantID: UUID, name: String, email: String?, phone: String?, birthday: String?, locale: CustomerLocale) {
        self.$merchant.id = merchantID
        self.name = name
        self.email = email
        self.phone = phone
        self.birthday = birthday
        self.locale = locale
        self.marketingConsent = false
        self.emailFromStaff = false
    }
}
