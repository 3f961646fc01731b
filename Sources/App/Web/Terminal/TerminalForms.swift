import Foundation
import LoyaltyCore
import Vapor

/// What the terminal's one form posts, to `/store/terminal` (an operation) or
/// `/store/terminal/void` (the void buttons of the last operations).
struct TerminalForm: Content {
    var card: String?
    var operation: String?
    var pin: String?
    var amount: String?
    var reward: String?
    var transactionId: String?
    var idempotencyKey: String?

    enum CodingKeys: String, CodingKey {
        case card, operation, pin, amount, reward
        case transactionId = "transaction_id"
        case idempotencyKey = "idempotency_key"
    }

    /// The PIN as the API's `staff_pin`: an empty field is no PIN.
    var staffPin: String? {
        guard let pin = pin?.trimmingCharacters(in: .whitespaces), !pin.isEmpty else { return nil }
        return pin
    }
}

/// The four operations of the terminal's buttons (WEB.md's fixed `value`s).
enum TerminalOperation: String, CaseIterable, Sendable {
    case stamp
    case stampRedeem = "stamp_redeem"
    case pointsEarn = "points_earn"
    case pointsRedeem = "points_redeem"
}

/// A refusal the terminal decides before calling a service (the form was not filled right).
struct TerminalInputError: Error {
    /// A catalog key of `terminal.json`.
    let key: String
    var status: HTTPStatus = .unprocessableEntity
}

enum TerminalCardField {
    /// The card the `card` field names: a card number (spaces and dashes allowed) or, failing
    /// that, a scanned QR payload, resolved as the API's lookup resolves `card_number` and
    /// `qr_code`.
    ///
    /// Sixteen digits with a wrong check digit are a mistyped number, said so, not looked up.
    static func reference(_ text: String) throws -> CardReference {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw TerminalInputError(key: "terminal.card.empty") }
        if let number = CardNumber(trimmed) { return .number(number) }
        let digits = trimmed.filter { $0 != " " && $0 != "-" }
        if digits.count == 16, digits.allSatisfy(\.isNumber) { throw TerminalInputError(key: "terminal.card.mistyped") }
        var errors = FieldErrors()
        guard let reference = CardReference.parse(cardID: nil, cardNumber: nil, qrCode: trimmed, into: &errors) else {
            throw TerminalInputError(key: "terminal.card.unknown", status: .notFound)
        }
        return reference
    }
}

extension EuroAmountError {
    /// The catalog key of the words for this refusal.
    var catalogKey: String {
        switch self {
        case .empty: "terminal.amount.empty"
        case .notANumber: "terminal.amount.not_a_number"
        case .negative: "terminal.amount.negative"
        case .tooManyDecimals: "terminal.amount.too_many_decimals"
        case .outOfRange: "terminal.amount.out_of_range"
        }
    }
}

extension Request {
    /// The form's `idempotency_key` as the API reads its `Idempotency-Key` header: the same
    /// limits, the same fingerprint of what is asked.
    func terminalIdempotency(_ key: String?, operation: String, content: some Encodable) throws -> IdempotencyRequest? {
        guard let key, !key.isEmpty else { return nil }
        guard key.count <= IdempotencyRequest.maximumKeyLength, key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw TerminalInputError(key: "terminal.form_expired", status: .badRequest)
        }
        return try IdempotencyRequest(key: key, operation: operation, content: content)
    }
}
