/// Why a points operation is refused.
public enum PointsError: Error, Equatable, Sendable {
    case programCollectsNoPoints
    case insufficientPoints(balance: Int, needed: Int)
    case rewardUnavailable
    /// A manual correction beyond `PointsRules.adjustmentRange`.
    case adjustmentOutOfRange
}

/// A reward of the catalog as the rules see it.
public struct RewardTerms: Equatable, Sendable {
    /// What a reward may cost.
    public static let pointsCostRange = 1...10_000_000

    public let pointsCost: Int
    public let isActive: Bool

    public init(pointsCost: Int, isActive: Bool) {
        self.pointsCost = pointsCost
        self.isActive = isActive
    }
}

/// Earning, spending and adjusting points. Integers only: a fraction of a point is never
/// earned, so balances stay exact.
public enum PointsRules {
    /// Largest purchase accepted in one operation: one million euros.
    public static let maximumPurchaseCents = 100_000_000

    /// A manual correction moves at most ten million points either way.
    public static let adjustmentRange = -10_000_000...10_000_000

    /// `floor(cents × pointsPerEuro / 100)`.
    public static func points(forPurchaseCents cents: Int, pointsPerEuro: Int) -> Int {
        // Both factors are bounded (cents ≤ 1e8, points per euro ≤ 1e4), so the product fits in Int64.
        cents * pointsPerEuro / 100
    }

    /// Credits a purchase; returns the points earned (possibly 0 for a small purchase).
    public static func earn(
        on card: inout CardBalance,
        purchaseCents: Int,
        rules: ProgramRules
    ) throws(PointsError) -> Int {
        guard rules.loyaltyType.collectsPoints else { throw .programCollectsNoPoints }
        let earned = points(forPurchaseCents: purchaseCents, pointsPerEuro: rules.pointsPerEuro)
        card.pointsBalance += earned
        card.totalPointsEarned += earned
        return earned
    }

    /// Spends a catalog reward's cost.
    public static func redeem(_ reward: RewardTerms, from card: inout CardBalance, rules: ProgramRules) throws(PointsError) {
        guard rules.loyaltyType.collectsPoints else { throw .programCollectsNoPoints }
        guard reward.isActive else { throw .rewardUnavailable }
        guard card.pointsBalance >= reward.pointsCost else {
            throw .insufficientPoints(balance: card.pointsBalance, needed: reward.pointsCost)
        }
        card.pointsBalance -= reward.pointsCost
        card.totalPointsRedeemed += reward.pointsCost
    }

    /// A manual correction by the owner; the balance never goes below zero. Lifetime earned
    /// and redeemed totals are left alone: a correction is neither.
    /// A delta outside `adjustmentRange` is refused before any arithmetic, so the sum below
    /// cannot overflow even if a caller skipped the request's check.
    public static func adjust(_ card: inout CardBalance, by delta: Int) throws(PointsError) {
        guard adjustmentRange.contains(delta) else { throw .adjustmentOutOfRange }
        guard card.pointsBalance + delta >= 0 else { throw .insufficientPoints(balance: card.pointsBalance, needed: -delta) }
        card.pointsBalance += delta
    }
}
