import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// A PATCH field: left out (unchanged), sent as `null` (cleared), or a new value.
enum PatchField<Value: Decodable & Sendable>: Sendable {
    case absent
    case clear
    case set(Value)
}

extension KeyedDecodingContainer {
    func decodePatch<Value: Decodable & Sendable>(_ type: Value.Type, forKey key: Key) throws -> PatchField<Value> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .clear }
        return .set(try decode(Value.self, forKey: key))
    }
}

/// `PATCH .../customers/{customer_id}` (owner, admin) and `PATCH /storefront/auth/me`: contact
/// data. A field left out stays; `null` clears `email`, `phone` or `birthday`.
struct UpdateCustomerRequest: Decodable, Sendable {
    var name: PatchField<String> = .absent
    var email: PatchField<String> = .absent
    var phone: PatchField<String> = .absent
    var birthday: PatchField<String> = .absent
    var locale: PatchField<String> = .absent
    var marketingConsent: PatchField<Bool> = .absent

    enum CodingKeys: String, CodingKey {
        case name, email, phone, birthday, locale, marketingConsent
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodePatch(String.self, forKey: .name)
        email = try container.decodePatch(String.self, forKey: .email)
        phone = try container.decodePatch(String.self, forKey: .phone)
        birthday = try container.decodePatch(String.self, forKey: .birthday)
        locale = try container.decodePatch(String.self, forKey: .locale)
        marketingConsent = try container.decodePatch(Bool.self, forKey: .marketingConsent)
    }

    /// The checked changes.
    struct Changes: Sendable {
        var name: String?
        var email: PatchField<String> = .absent
        var phone: PatchField<String> = .absent
        var birthday: PatchField<String> = .absent
        var locale: CustomerLocale?
        var marketingConsent: Bool?
    }

    func validated() throws -> Changes {
        var errors = FieldErrors()
        var changes = Changes()
        switch name {
        case .absent: break
        case .clear: errors.record("name", "must not be null")
        case .set(let value): changes.name = errors.requiredText(value, "name") { FieldRules.name($0) }
        }
        func optional(_ field: PatchField<String>, _ key: String, _ rule: (String) -> String?) -> PatchField<String> {
            switch field {
            case .absent: return .absent
            case .clear: return .clear
            case .set(let value): return errors.optionalText(value, key, rule).map { .set($0) } ?? .absent
            }
        }
        changes.email = optional(email, "email", FieldRules.email)
        if case .set(let address) = changes.email { changes.email = .set(address.lowercased()) }
        changes.phone = optional(phone, "phone", FieldRules.phone)
        changes.birthday = optional(birthday, "birthday") { FieldRules.birthday($0) }
        switch locale {
        case .absent: break
        case .clear: errors.record("locale", "must not be null")
        case .set(let value):
            changes.locale = CustomerLocale(rawValue: value)
            if changes.locale == nil {
                errors.record("locale", "must be one of " + CustomerLocale.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        switch marketingConsent {
        case .absent: break
        case .clear: errors.record("marketing_consent", "must be true or false")
        case .set(let value): changes.marketingConsent = value
        }
        try errors.throwIfAny()
        return changes
    }
}

/// Everything held about one customer (`GET .../export`): the profile, each card with its ledger
/// rows, and the devices that hold its Apple Wallet pass.
struct CustomerExportResponse: Content {
    struct Card: Content {
        let card: CardResponse
        let transactions: [Transaction]
        let appleWalletDevices: [Device]
    }

    /// A ledger row, without the staff and terminal details that are about the shop's people.
    struct Transaction: Content {
        let id: UUID
        let type: TransactionType
        let stampsDelta: Int
        let pointsDelta: Int
        let stampsBalanceAfter: Int
        let pointsBalanceAfter: Int
        @NullEncoded var purchaseAmountCents: Int?
        @NullEncoded var orderReference: String?
        @NullEncoded var rewardId: UUID?
        @NullEncoded var storeId: UUID?
        @NullEncoded var notes: String?
        let createdAt: Date

        init(_ row: TransactionModel) throws {
            id = try row.requireID()
            type = row.type
            stampsDelta = row.stampsDelta
            pointsDelta = row.pointsDelta
            stampsBalanceAfter = row.stampsBalanceAfter
            pointsBalanceAfter = row.pointsBalanceAfter
            purchaseAmountCents = row.purchaseAmountCents
            orderReference = row.orderReference
            rewardId = row.rewardID
            storeId = row.storeID
            notes = row.notes
            createdAt = row.createdAt
        }
    }

    struct Device: Content {
        let deviceLibraryIdentifier: String
        @NullEncoded var registeredAt: Date?
    }

    let exportedAt: Date
    let customer: CustomerResponse
    let cards: [Card]
}
