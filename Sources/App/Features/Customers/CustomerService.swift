import Fluent
import FluentKit
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// Customers of one merchant: creation at the counter, search, and storefront accounts.
struct CustomerService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    func createCustomer(
        _ profile: CustomerProfileInput,
        merchantID: UUID,
        passwordHash: String? = nil,
        emailFromStaff: Bool = false
    ) async throws -> CustomerModel {
        let customer = CustomerModel(
            merchantID: merchantID, name: profile.name, email: profile.email, phone: profile.phone,
            birthday: profile.birthday, locale: profile.locale)
        if profile.marketingConsent {
            customer.marketingConsent = true
            customer.marketingConsentAt = now()
        }
        customer.passwordHash = passwordHash
        customer.emailFromStaff = emailFromStaff && profile.email != nil
        do {
            try await customer.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // The unique (merchant_id, email) index decides, race-free.
            throw APIError.alreadyExists(field: "email", message: "A customer with this e-mail address already exists.")
        }
        return customer
    }

    /// A customer of `merchantID`, or `not_found` (also for another merchant's customer).
    func customer(_ id: UUID, merchantID: UUID) async throws -> CustomerModel {
        guard let customer = try await CustomerModel.query(on: database)
            .filter(\.$id == id)
            .filter(\.$merchant.$id == merchantID)
            .first()
        else { throw APIError.notFound("The customer") }
        return customer
    }

    /// The customer of `merchantID` with this (lower-cased) e-mail address.
    func customer(email: String, merchantID: UUID) async throws -> CustomerModel? {
        try await CustomerModel.query(on: database)
            .filter(\.$merchant.$id == merchantID)
            .filter(\.$email == email)
            .first()
    }

    func customers(ofMerchant merchantID: UUID, matching text: String?, page: PageRequest) async throws -> Page<CustomerResponse> {
        let query = CustomerModel.query(on: database).filter(\.$merchant.$id == merchantID)
        if let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            let sqlite = database.isSQLite
            query.group(.or) { any in
                // lower() on both engines; e-mails are stored lower-case already.
                any.filter(.sql(PrefixMatch.name(text, sqlite: sqlite)))
                any.filter(.sql(PrefixMatch.email(text, sqlite: sqlite)))
                any.filter(\.$phone == text)
            }
        }
        return try await query.sort(\.$name).sort(\.$id).page(page, map: CustomerResponse.init)
    }

    /// `text%` for `LIKE … ESCAPE '!'`, with LIKE's wildcards in `text` taken literally.
    static func likePattern(prefix text: String) -> String {
        var pattern = ""
        for character in text {
            if character == "%" || character == "_" || character == "!" { pattern.append("!") }
            pattern.append(character)
        }
        return pattern + "%"
    }
}
