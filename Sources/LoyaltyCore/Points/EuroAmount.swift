import Foundation

/// Why a typed euro amount is refused.
public enum EuroAmountError: Error, Equatable, Sendable {
    case empty
    /// Not a number such as `12.50` or `12,50`.
    case notANumber
    case negative
    /// More than two decimals (`12.505`): a cent is the smallest unit.
    case tooManyDecimals
    /// Zero, or more than `PointsRules.maximumPurchaseCents`.
    case outOfRange
}

/// A purchase amount typed at the counter, in euros, read into whole cents without floating
/// point (`0.1 + 0.2` must never become 29 cents).
public enum EuroAmount {
    /// Longest text read at all: anything longer is refused before any arithmetic.
    static let maximumLength = 32

    /// Cents from `12.50`, `12,50`, `12`, `12.5`, `€ 12,50` or `1 234,50`: one decimal
    /// separator (point or comma), at most two decimals, spaces and a euro sign ignored.
    /// The result is from 1 cent to `PointsRules.maximumPurchaseCents`.
    public static func cents(from text: String) throws(EuroAmountError) -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.count <= maximumLength else { throw .outOfRange }
        var body = Substring(trimmed)
        // A sign anywhere but in front is not a number; in front it is a negative amount.
        if body.first == "-" || body.first == "−" { throw .negative }
        if body.first == "+" { body = body.dropFirst() }
        // Spaces group thousands (`1 234,50`); the euro sign may lead or trail.
        let kept = body.filter { $0 != " " && $0 != "\u{00A0}" && $0 != "\u{202F}" && $0 != "€" }
        let parts = kept.split(separator: kept.contains(",") ? "," : ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !(kept.contains(",") && kept.contains(".")) else { throw .notANumber }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty || !fraction.isEmpty else { throw .notANumber }
        guard whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit) else { throw .notANumber }
        guard fraction.count <= 2 else { throw .tooManyDecimals }
        // Leading zeros are harmless; the length bound above keeps the digits within Int.
        let euros = whole.drop { $0 == "0" }
        guard euros.count <= 9 else { throw .outOfRange }
        let cents = (Int(euros) ?? 0) * 100 + (Int(fraction.padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0)
        guard (1...PointsRules.maximumPurchaseCents).contains(cents) else { throw .outOfRange }
        return cents
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
