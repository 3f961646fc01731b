import Fluent
import Foundation
import LoyaltyCore
import SQLKit
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

    init(_ row: CardListRow, program: ProgramModel) {
        id = row.id
        cardNumber = CardNumber(row.card_number)?.formatted ?? row.card_number
        qrCodeData = row.qr_token
        customerId = row.customer_id
        customerName = row.customer_name
        customerEmail = row.customer_email
        programId = row.program_id
        stampCount = row.stamp_count
        stampsTarget = program.stampsTarget
        rewardsAvailable = program.rules.rewardsAvailable(stampCount: row.stamp_count)
        pointsBalance = row.points_balance
        totalStampsEarned = row.total_stamps_earned
        totalStampsRedeemed = row.total_stamps_redeemed
        totalPointsEarned = row.total_points_earned
        totalPointsRedeemed = row.total_points_redeemed
        lastStampAt = row.last_stamp_at
        lastActivityAt = row.last_activity_at
        enrolledStoreId = row.enrolled_store_id
        isActive = row.is_active
        status = CardStatus(blockedAt: row.blocked_at, replacedByCardID: row.replaced_by_card_id)
        blockedAt = row.blocked_at
        blockedReason = row.blocked_reason
        replacedByCardId = row.replaced_by_card_id
        replacesCardId = row.replaces_card_id
        createdAt = row.created_at
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

/// A card of a list with its customer's name and e-mail, as `CardService.cards` reads it with
/// SQLKit: the columns of `CardResponse`.
struct CardListRow: Decodable {
    static let columns: [any SQLExpression] =
        [
            "id", "customer_id", "program_id", "enrolled_store_id", "card_number", "qr_token", "stamp_count", "points_balance",
            "total_stamps_earned", "total_stamps_redeemed", "total_points_earned", "total_points_redeemed", "last_stamp_at",
            "last_activity_at", "is_active", "blocked_at", "blocked_reason", "replaced_by_card_id", "replaces_card_id", "created_at",
        ].map { SQLColumn($0, table: CardModel.schema) }
        + [
            SQLAlias(SQLColumn("name", table: CustomerModel.schema), as: SQLIdentifier("customer_name")),
            SQLAlias(SQLColumn("email", table: CustomerModel.schema), as: SQLIdentifier("customer_email")),
        ]

    let id: UUID
    let customer_id: UUID
    let program_id: UUID
    let enrolled_store_id: UUID?
    let card_number: String
    let qr_token: String
    let stamp_count: Int
    let points_balance: Int
    let total_stamps_earned: Int
    let total_stamps_redeemed: Int
    let total_points_earned: Int
    let total_points_redeemed: Int
    let last_stamp_at: Date?
    let last_activity_at: Date?
    let is_active: Bool
    let blocked_at: Date?
    let blocked_reason: String?
    let replaced_by_card_id: UUID?
    let replaces_card_id: UUID?
    let created_at: Date?
    let customer_name: String?
    let customer_email: String?
}
