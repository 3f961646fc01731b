import Fluent
import Foundation
import LoyaltyCore
import Vapor

// Requests carry optionals so that a missing field is reported with the others, by name,
// instead of failing the whole decode at the first one.

/// `POST /admin/merchants`
struct CreateMerchantRequest: Content {
    var name: String?
    var contactEmail: String?

    func validated() throws -> (name: String, contactEmail: String) {
        var errors = FieldErrors()
        let name = errors.requiredText(name, "name") { FieldRules.name($0) }
        let email = errors.requiredText(contactEmail, "contact_email", FieldRules.email)
        try errors.throwIfAny()
        return (name, email.lowercased())
    }
}

/// A postal address as the API shows it.
struct AddressDTO: Content, Equatable {
    @NullEncoded var line1: String?
    @NullEncoded var line2: String?
    @NullEncoded var postalCode: String?
    @NullEncoded var city: String?
    /// ISO 3166-1 alpha-2.
    @NullEncoded var country: String?
}

/// `POST .../stores`
struct CreateStoreRequest: Content {
    static let defaultTimezone = "Europe/Luxembourg"

    var name: String?
    var code: String?
    var timezone: String?
    var address: AddressDTO?

    func validated() throws -> NewStore {
        var errors = FieldErrors()
        let name = errors.requiredText(name, "name") { FieldRules.name($0) }
        let code = errors.requiredText(code, "code", FieldRules.storeCode)
        let timezone = errors.optionalText(timezone, "timezone", FieldRules.timeZone) ?? Self.defaultTimezone
        var address = address ?? AddressDTO()
        if let country = errors.optionalText(address.country, "address.country", { value in
            value.count == 2 && value.allSatisfy(\.isLetter) ? nil : "must be a two-letter country code such as LU"
        }) {
            address.country = country.uppercased()
        }
        for (field, value) in [("address.line1", address.line1), ("address.line2", address.line2),
            ("address.postal_code", address.postalCode), ("address.city", address.city)]
        {
            errors.record(field, (value?.count ?? 0) > 200 ? "must be at most 200 characters" : nil)
        }
        try errors.throwIfAny()
        return NewStore(name: name, code: code.uppercased(), timezone: timezone, address: address)
    }
}

/// A store to create, checked.
struct NewStore: Sendable {
    let name: String
    let code: String
    let timezone: String
    let address: AddressDTO
}

/// `POST .../users`
struct CreateUserRequest: Content {
    var email: String?
    var password: String?
    var name: String?
    var role: String?
    var storeId: UUID?
    /// The pages' language of the new account; absent: the browser's.
    var language: String?

    func validated(allowedRoles: [Role]) throws -> NewUser {
        var errors = FieldErrors()
        let email = errors.requiredText(email, "email", FieldRules.email)
        let password = errors.requiredText(password, "password", FieldRules.password)
        let name = errors.optionalText(name, "name") { FieldRules.name($0) }
        let roleText = errors.requiredText(role, "role")
        let role = Role(rawValue: roleText)
        if !roleText.isEmpty, role.map(allowedRoles.contains) != true {
            errors.record("role", "must be one of " + allowedRoles.map(\.rawValue).joined(separator: ", "))
        }
        if let role, let problem = role.validateScope(hasMerchant: true, hasStore: storeId != nil) {
            errors.record(problem.field, problem.message)
        }
        let language = language.flatMap { $0.isEmpty ? nil : $0 }
        if let language, Language(rawValue: language) == nil {
            errors.record("language", "must be one of " + Language.allCases.map(\.rawValue).joined(separator: ", "))
        }
        try errors.throwIfAny()
        guard let role else { throw APIError.validationFailed(["role": "is required"]) }
        return NewUser(email: email.lowercased(), password: password, name: name, role: role, storeID: storeId, language: language)
    }
}

/// A staff account to create, checked.
struct NewUser: Sendable {
    let email: String
    let password: String
    let name: String?
    let role: Role
    let storeID: UUID?
    var language: String? = nil
    /// Drawn by the server to be handed over: the account chooses its own at its first page.
    var isTemporaryPassword = false
}

struct MerchantResponse: Content {
    let id: UUID
    let name: String
    let contactEmail: String
    let createdAt: Date?

    init(_ merchant: MerchantModel) throws {
        id = try merchant.requireID()
        name = merchant.name
        contactEmail = merchant.contactEmail
        createdAt = merchant.createdAt
    }
}

struct StoreResponse: Content {
    let id: UUID
    let merchantId: UUID
    let name: String
    let code: String
    let timezone: String
    let address: AddressDTO
    let createdAt: Date?

    init(_ store: StoreModel) throws {
        id = try store.requireID()
        merchantId = store.$merchant.id
        name = store.name
        code = store.code
        timezone = store.timezone
        address = AddressDTO(
            line1: store.addressLine1, line2: store.addressLine2, postalCode: store.postalCode,
            city: store.city, country: store.country)
        createdAt = store.createdAt
    }
}

struct UserResponse: Content {
    let id: UUID
    let email: String
    @NullEncoded var name: String?
    let role: Role
    @NullEncoded var merchantId: UUID?
    @NullEncoded var storeId: UUID?
    let isActive: Bool
    let createdAt: Date?

    init(_ user: UserModel) throws {
        id = try user.requireID()
        email = user.email
        name = user.name
        role = user.role
        merchantId = user.$merchant.id
        storeId = user.$store.id
        isActive = user.isActive
        createdAt = user.createdAt
    }
}
