import Foundation

/// Why `loyalty generate` refuses its arguments.
public struct GenerationPlanError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
}

/// The sizes `loyalty generate` was asked for, checked before anything is written.
public struct GenerationPlan: Equatable, Sendable {
    public let merchants: Int
    public let cards: Int
    public let transactions: Int

    /// At most this many ledger rows per card on average: beyond it a card's rows would be
    /// minutes apart for 400 days, which no counter does, and the cooldown would refuse them.
    public static let maxRowsPerCard = 1_000
    public static let merchantsRange = 1...10_000
    public static let cardsRange = 1...100_000_000

    /// Checks the three sizes; `nil` means the option was missing.
    public init(merchants: String?, cards: String?, transactions: String?) throws(GenerationPlanError) {
        let merchants = try Self.count("--merchants", merchants, in: Self.merchantsRange)
        let cards = try Self.count("--cards", cards, in: Self.cardsRange)
        let transactions = try Self.count("--transactions", transactions, in: 0...(Int(Int32.max)))
        guard cards >= merchants else {
            throw GenerationPlanError(description: "--cards (\(cards)) must be at least --merchants (\(merchants)): every merchant gets a card.")
        }
        guard transactions <= cards * Self.maxRowsPerCard else {
            throw GenerationPlanError(
                description: "--transactions (\(transactions)) may be at most \(Self.maxRowsPerCard) per card (\(cards * Self.maxRowsPerCard)).")
        }
        self.merchants = merchants
        self.cards = cards
        self.transactions = transactions
    }

    private static func count(_ name: String, _ text: String?, in range: ClosedRange<Int>) throws(GenerationPlanError) -> Int {
        guard let text else { throw GenerationPlanError(description: "\(name) is required.") }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw GenerationPlanError(description: "\(name) must be a whole number, not \"\(text)\".")
        }
        guard range.contains(value) else {
            throw GenerationPlanError(description: "\(name) must be between \(range.lowerBound) and \(range.upperBound), not \(value).")
        }
        return value
    }

    /// The cards of merchant `index` (0-based): spread evenly, the first merchants taking the
    /// remainder, so merchant 0 is the largest.
    public func cards(ofMerchant index: Int) -> Int {
        cards / merchants + (index < cards % merchants ? 1 : 0)
    }

    /// How many ledger rows card `index` (0-based, over all cards) gets, given the rows already
    /// handed out: near the even share with ±50 % jitter, and exactly `transactions` in total.
    public func rows(forCard index: Int, assignedSoFar: Int, using rng: inout some RandomNumberGenerator) -> Int {
        let left = transactions - assignedSoFar
        if index == cards - 1 { return left }
        let cardsLeft = cards - index
        let share = Double(left) / Double(cardsLeft)
        let wanted = Int((share * Double.random(in: 0.5...1.5, using: &rng)).rounded())
        // Never so many that the cards left would need more than their cap each.
        let floor = max(0, left - (cardsLeft - 1) * Self.maxRowsPerCard)
        return min(max(wanted, floor), min(left, Self.maxRowsPerCard))
    }
}

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same data.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}
