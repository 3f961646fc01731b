import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// The fields every counter operation carries: which card, and who is at the counter.
protocol CounterOperationRequest: Content {
    var cardId: UUID? { get }
    var cardNumber: String? { get }
    var qrCode: String? { get }
    var staffPin: String? { get }
    var staffPinId: UUID? { get }
}

extension CounterOperationRequest {
    /// The card reference, with problems recorded into `errors`.
    func cardReference(into errors: inout FieldErrors) -> CardReference? {
        CardReference.parse(cardID: cardId, cardNumber: cardNumber, qrCode: qrCode, into: &errors)
    }

    /// The operator of the request: PIN fields from the body, audit fields from the request.
    func operatorContext(for request: Request) -> OperatorContext {
        OperatorContext(request: request, staffPin: staffPin, staffPinID: staffPinId)
    }
}

/// `POST /stamp` and `POST /stamp/redeem`.
struct StampRequest: CounterOperationRequest {
    var cardId: UUID?
    var cardNumber: String?
    var qrCode: String?
    var staffPin: String?
    var staffPinId: UUID?
    var notes: String?

    func validated() throws -> (card: CardReference, notes: String?) {
        var errors = FieldErrors()
        let card = cardReference(into: &errors)
        let notes = errors.optionalText(notes, "notes") { $0.count > 500 ? "must be at most 500 characters" : nil }
        try errors.throwIfAny()
        guard let card else { throw APIError.validationFailed(["card": "is required"]) }
        return (card, notes)
    }
}

/// `POST /points/earn`
struct EarnPointsRequest: CounterOperationRequest {
    var cardId: UUID?
    var cardNumber: String?
    var qrCode: String?
    var staffPin: String?
    var staffPinId: UUID?
    var purchaseAmountCents: Int?
    var orderReference: String?
    var notes: String?

    func validated() throws -> (card: CardReference, cents: Int, orderReference: String?, notes: String?) {
        var errors = FieldErrors()
        let card = cardReference(into: &errors)
        let cents = purchaseAmountCents ?? 0
        if purchaseAmountCents == nil {
            errors.record("purchase_amount_cents", "is required")
        } else if !(1...PointsRules.maximumPurchaseCents).contains(cents) {
            errors.record("purchase_amount_cents", "must be from 1 to \(PointsRules.maximumPurchaseCents)")
        }
        let order = errors.optionalText(orderReference, "order_reference") { $0.count > 100 ? "must be at most 100 characters" : nil }
        let notes = errors.optionalText(notes, "notes") { $0.count > 500 ? "must be at most 500 characters" : nil }
        try errors.throwIfAny()
        guard let card else { throw APIError.validationFailed(["card": "is required"]) }
        return (card, cents, order, notes)
    }
}

/// `POST /points/redeem`
struct RedeemPointsRequest: CounterOperationRequest {
    var cardId: UUID?
    var cardNumber: String?
    var qrCode: String?
    var staffPin: String?
    var staffPinId: UUID?
    var rewardId: UUID?
    var notes: String?

    func validated() throws -> (card: CardReference, rewardID: UUID, notes: String?) {
        var errors = FieldErrors()
        let card = cardReference(into: &errors)
        if rewardId == nil { errors.record("reward_id", "is required") }
        let notes = errors.optionalText(notes, "notes") { $0.count > 500 ? "must be at most 500 characters" : nil }
        try errors.throwIfAny()
        guard let card, let rewardId else { throw APIError.validationFailed(["card": "is required"]) }
        return (card, rewardId, notes)
    }
}

/// `POST /stamp/void` and `POST /points/void`: the card is the voided row's.
struct VoidRequest: Content {
    var transactionId: UUID?
    var reason: String?
    var staffPin: String?
    var staffPinId: UUID?

    func validated() throws -> (transactionID: UUID, reason: String) {
        var errors = FieldErrors()
        if transactionId == nil { errors.record("transaction_id", "is required") }
        let reason = errors.requiredText(reason, "reason") { FieldRules.name($0, maxLength: 500) }
        try errors.throwIfAny()
        guard let transactionId else { throw APIError.validationFailed(["transaction_id": "is required"]) }
        return (transactionId, reason)
    }

    func operatorContext(for request: Request) -> OperatorContext {
        OperatorContext(request: request, staffPin: staffPin, staffPinID: staffPinId)
    }
}

extension VoidRequest {
    /// `POST /stamp/void` and `POST /points/void`: the same handler for either family.
    static func handle(_ req: Request, family: TransactionType) async throws -> Response {
        let input = try req.content.decode(VoidRequest.self)
        let (transactionID, reason) = try input.validated()
        let result = try await req.voids.void(
            transactionID, family: family, reason: reason, store: req.store,
            actor: VoidPermission.Actor(role: req.staff.role, storeID: req.store.storeID), by: input.operatorContext(for: req),
            idempotency: try req.idempotency(operation: family.rawValue, content: input))
        return try await result.encodeResponse(for: req)
    }
}

/// `POST /cards/{card_id}/points/adjust` (owners).
struct AdjustPointsRequest: Content {
    var pointsDelta: Int?
    var reason: String?

    func validated() throws -> (delta: Int, reason: String) {
        var errors = FieldErrors()
        let delta = pointsDelta ?? 0
        if pointsDelta == nil {
            errors.record("points_delta", "is required")
        } else if delta == 0 || !PointsRules.adjustmentRange.contains(delta) {
            // A range check, not `abs(delta)`: `abs(Int.min)` traps and would take the process down.
            errors.record("points_delta", "must be a non-zero whole number of at most \(PointsRules.adjustmentRange.upperBound) either way")
        }
        let reason = errors.requiredText(reason, "reason") { FieldRules.name($0, maxLength: 500) }
        try errors.throwIfAny()
        return (delta, reason)
    }
}

struct StampResponse: Content {
    let cardId: UUID
    let stampCount: Int
    let stampsTarget: Int
    let rewardEarned: Bool
    let rewardsAvailable: Int
    let nextStampAvailableAt: Date
    let stampsToday: Int
    let maxDailyStamps: Int
    let transactionId: UUID
}

struct StampRedeemResponse: Content {
    let cardId: UUID
    let stampCount: Int
    let stampsTarget: Int
    let rewardsAvailable: Int
    @NullEncoded var rewardDescription: String?
    let transactionId: UUID
}

struct VoidResponse: Content {
    let cardId: UUID
    let stampCount: Int
    let pointsBalance: Int
    let voidedTransactionId: UUID
    let transactionId: UUID
}

struct PointsEarnResponse: Content {
    let cardId: UUID
    let pointsEarned: Int
    let pointsBalance: Int
    let purchaseAmountCents: Int
    @NullEncoded var orderReference: String?
    let transactionId: UUID
}

struct PointsRedeemResponse: Content {
    let cardId: UUID
    let rewardId: UUID
    let rewardName: String
    let pointsSpent: Int
    let pointsBalance: Int
    let transactionId: UUID
}

struct PointsAdjustResponse: Content {
    let cardId: UUID
    let pointsDelta: Int
    let pointsBalance: Int
    let transactionId: UUID
}
