import Foundation

/// When activity is unusual enough to show the owner (decision 0027). Defaults are the
/// platform's; the admin changes them per merchant in the loyalty settings.
public struct FraudThresholds: Equatable, Sendable {
    /// A card's day counts as "near the limit" from this share of `max_daily_stamps` (percent).
    public var nearLimitPercent = 80
    /// ... and is a signal on at least this many days of the window.
    public var nearLimitDays = 5
    /// Voids by one staff member in the window.
    public var voidsPerStaff = 10
    /// Wrong PINs counted against one staff member in the window.
    public var pinFailuresPerStaff = 10
    /// A card used in another store within this many minutes of its last activity is a hop.
    public var hopMinutes = 30
    /// Hops of one card in the window.
    public var hopsPerCard = 3

    public init() {}

    public static let percentRange = 1...100
    public static let daysRange = 1...FraudRules.windowDays
    public static let countRange = 1...100_000
    public static let minutesRange = 1...1_440
}

public enum FraudRules {
    /// Signals look at the last 14 local days, today included.
    public static let windowDays = 14

    /// The stamps of a day from which the day counts as near the limit (at least 1).
    public static func nearLimitStamps(maxDailyStamps: Int, percent: Int) -> Int {
        max(1, (maxDailyStamps * percent + 99) / 100)
    }

    /// Whether the stamp that brought a card's day to `stampsToday` is the one crossing the
    /// near-limit line: exactly one event per card and day.
    public static func crossesNearLimit(stampsToday: Int, maxDailyStamps: Int, percent: Int) -> Bool {
        stampsToday == nearLimitStamps(maxDailyStamps: maxDailyStamps, percent: percent)
    }

    /// Whether an operation at `store` at `now` hops from the card's last activity elsewhere.
    public static func isHop<StoreID: Equatable>(
        previousStore: StoreID?, previousActivity: Date?, store: StoreID, now: Date, hopMinutes: Int
    ) -> Bool {
        guard let previousStore, let previousActivity, previousStore != store else { return false }
        let elapsed = now.timeIntervalSince(previousActivity)
        return elapsed >= 0 && elapsed <= TimeInterval(hopMinutes) * 60
    }

    /// The kinds of signal and the threshold each count is compared with.
    public enum Kind: String, CaseIterable, Sendable {
        case nearDailyLimit = "near_daily_limit"
        case manyVoids = "many_voids"
        case pinFailures = "pin_failures"
        case storeHopping = "store_hopping"

        public func threshold(in thresholds: FraudThresholds) -> Int {
            switch self {
            case .nearDailyLimit: thresholds.nearLimitDays
            case .manyVoids: thresholds.voidsPerStaff
            case .pinFailures: thresholds.pinFailuresPerStaff
            case .storeHopping: thresholds.hopsPerCard
            }
        }
    }

    /// Whether `value` (days, voids, failures or hops in the window) is a signal.
    public static func isSignal(_ kind: Kind, value: Int, thresholds: FraudThresholds) -> Bool {
        value >= kind.threshold(in: thresholds)
    }
}

/// What outstanding balances are worth (decision 0026).
public enum LiabilityRules {
    /// Outstanding stamps as a share of a full card, at the stamp reward's cost (rounded).
    public static func stampsValueCents(stamps: Int, target: Int, rewardCostCents: Int?) -> Int? {
        guard let rewardCostCents, target > 0 else { return nil }
        return Int((Double(stamps) * Double(rewardCostCents) / Double(target)).rounded())
    }

    /// The cost of one point: the cheapest cost per point among the active rewards that have a
    /// cost. The conservative figure: a customer may always pick that reward, so every point is
    /// worth at least that; dearer rewards are a choice, not an obligation.
    public static func costPerPointCents(rewards: [(pointsCost: Int, costCents: Int?, isActive: Bool)]) -> Double? {
        rewards.compactMap { reward -> Double? in
            guard reward.isActive, reward.pointsCost > 0, let cost = reward.costCents else { return nil }
            return Double(cost) / Double(reward.pointsCost)
        }.min()
    }

    public static func pointsValueCents(points: Int, costPerPointCents: Double?) -> Int? {
        costPerPointCents.map { Int((Double(points) * $0).rounded()) }
    }

    /// Allowed costs: up to 100 000 €.
    public static let costCentsRange = 0...10_000_000

    /// Points of cards last active on or before this UTC day expire within `withinDays` of
    /// `today` (the window counts from the instant of last activity; by day it is at most a
    /// day early, the conservative side for a liability).
    public static func expiringLastActivityCutoff(today: CalendarDate, expirationDays: Int, withinDays: Int) -> CalendarDate {
        today.adding(days: withinDays - expirationDays)
    }
}
