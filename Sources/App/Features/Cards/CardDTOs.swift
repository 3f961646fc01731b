import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// How a request names a card: exactly one of `card_id`, `card_number` or `qr_code`.
enum CardReference: Sendable, Equatable {
    case id(UUID)
    case number(CardNumber)
    case qrCode(String)

    /// Reads the reference from a request's fields into `errors`; `nil` when absent or wrong.
    static func parse(cardID: UUID?, cardNumber: String?, qrCode: String?, into errors: inout FieldErrors) -> CardReference? {
        let given = [cardID != nil, cardNumber != nil, qrCode != nil].filter { $0 }.count
        guard given == 1 else {
            errors.record("card", given == 0 ? "name the card with card_id, card_number or qr_code" : "give only one of card_id, card_number, qr_code")
            return nil
        }
        if let cardID { return .id(cardID) }
        if let cardNumber {
            guard let number = CardNumber(cardNumber) else {
                errors.record("card_number", "is not a valid card number (16 digits with a correct check digit)")
                return nil
            }
            return .number(number)
        }
        guard let qrCode = qrCode?.trimmingCharacters(in: .whitespaces), !qrCode.isEmpty, FieldRules.storableText(qrCode, maxLength: 200) == nil else {
            errors.record("qr_code", "must not be empty")
            return nil
        }
        return .qrCode(qrCode)
    }
}

/// `POST /cards/enroll`: an existing customer, or a new one described inline.
struct EnrollRequest: Content {
    var customerId: UUID?
    var customer: CreateCustomerRequest?

    enum Target: Sendable {
        case existing(UUID)
        case new(CustomerProfileInput)
    }

    func validated() throws -> Target {
        if let customerId, customer == nil { return .existing(customerId) }
        if let customer, customerId == nil {
            var profileErrors = FieldErrors()
            let profile = customer.validateProfile(into: &profileErrors, emailRequired: false)
            var errors = FieldErrors()
            errors.merge(profileErrors, prefix: "customer.")
            try errors.throwIfAny()
            return .new(profile)
        }
        throw APIError.validationFailed(["customer": "give either customer_id or a customer object"])
    }
}

/// `POST /cards/lookup`
struct CardLookupRequest: Content {
    var cardId: UUID?
    var cardNumber: String?
    var qrCode: String?

    func validated() throws -> CardReference {
        var errors = FieldErrors()
        let reference = CardReference.parse(cardID: cardId, cardNumber: cardNumber, qrCode: qrCode, into: &errors)
        try errors.throwIfAny()
        guard let reference else { throw APIError.validationFailed(["card": "is required"]) }
        return reference
    }
}

/// `GET /cards` filters.
struct CardSearchQuery: Content {
    /// Start of the customer's name or e-mail, or of the card number.
    var q: String?
    /// `active`, `blocked` or `replaced`.
    var status: String?

    /// The `status` filter, checked.
    func checkedStatus() throws -> CardStatus? {
        guard let status, !status.isEmpty else { return nil }
        guard let value = CardStatus(rawValue: status) else { throw APIError.validationFailed(["status": "must be one of active, blocked, replaced"]) }
        return value
    }
}

struct CardResponse: Content {
    let id: UUID
    let cardNumber: String
    let qrCodeData: String
    let customerId: UUID
    @NullEncoded var customerName: String?
    @NullEncoded var customerEmail: String?
    let programId: UUID
    let stampCount: Int
    let stampsTarget: Int
    let rewardsAvailable: Int
    let pointsBalance: Int
    let totalStampsEarned: Int
    let totalStampsRedeemed: Int
    let totalPointsEarned: Int
    let totalPointsRedeemed: Int
    @NullEncoded var lastStampAt: Date?
    @NullEncoded var lastActivityAt: Date?
    @NullEncoded var enrolledStoreId: UUID?
    let isActive: Bool
    /// `active`, `blocked` or `replaced` (reissued: `replaced_by_card_id` is the new card).
    let status: CardStatus
    @NullEncoded var blockedAt: Date?
    @NullEncoded var blockedReason: String?
    @NullEncoded var replacedByCardId: UUID?
    @NullEncoded var replacesCardId: UUID?
    let createdAt: Date?

    init(_ card: CardModel, program: ProgramModel, customer: CustomerModel?) throws {
        id = try card.requireID()
        cardNumber = card.printedNumber
        qrCodeData = card.qrToken
        customerId = card.$customer.id
        customerName = customer?.name
        customerEmail = customer?.email
        programId = card.$program.id
        stampCount = card.stampCount
        stampsTarget = program.stampsTarget
        rewardsAvailable = program.rules.rewardsAvailable(stampCount: card.stampCount)
        pointsBalance = card.pointsBalance
        totalStampsEarned = card.totalStampsEarned
        totalStampsRedeemed = card.totalStampsRedeemed
        totalPointsEarned = card.totalPointsEarned
        totalPointsRedeemed = card.totalPointsRedeemed
        lastStampAt = card.lastStampAt
        lastActivityAt = card.lastActivityAt
        enrolledStoreId = card.$enrolledStore.id
        isActive = card.isActive
        status = card.status
        blockedAt = card.blockedAt
        blockedReason = card.blockedReason
        replacedByCardId = card.replacedByCardID
        replacesCardId = card.replacesCardID
        createdAt = card.createdAt
    }
}

/// `POST /cards/{card_id}/block`
struct BlockCardRequest: Content {
    var reason: String?

    func validated() throws -> String {
        var errors = FieldErrors()
        let reason = errors.requiredText(reason, "reason") { FieldRules.name($0, maxLength: 200) }
        try errors.throwIfAny()
        return reason
    }
}

/// `POST /cards/{card_id}/reissue`: why, for the ledger (optional).
struct ReissueCardRequest: Content {
    var reason: String?

    func validated() throws -> String? {
        var errors = FieldErrors()
        let reason = errors.optionalText(reason, "reason") { FieldRules.name($0, maxLength: 200) }
        try errors.throwIfAny()
        return reason
    }
}

/// The new card of a reissue, and its private link when the old card had one: shown once.
struct ReissueCardResponse: Content {
    let card: CardResponse
    let previousCardId: UUID
    @NullEncoded var cardLink: String?
}
