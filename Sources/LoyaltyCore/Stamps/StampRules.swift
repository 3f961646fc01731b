import Foundation

/// Why a stamp operation is refused.
public enum StampError: Error, Equatable, Sendable {
    case programCollectsNoStamps
    case cooldownActive(nextStampAvailableAt: Date)
    case dailyLimitReached(maxDailyStamps: Int, resetsAt: Date)
    case insufficientStamps(balance: Int, needed: Int)
}

/// The result of a stamp that was given.
public struct StampOutcome: Equatable, Sendable {
    public let stampCount: Int
    /// Whether the card now holds enough stamps for a reward.
    public let rewardEarned: Bool
    public let rewardsAvailable: Int
    public let nextStampAvailableAt: Date
    public let stampsToday: Int
}

/// Adding and redeeming stamps.
public enum StampRules {
    /// Adds one stamp at `now`, in a store whose local day runs in `timeZone`.
    ///
    /// Refused inside the cooldown since the last stamp, and once the card has had
    /// `maxDailyStamps` stamps on the store's local day.
    public static func addStamp(
        to card: inout CardBalance,
        rules: ProgramRules,
        at now: Date,
        timeZone: TimeZone
    ) throws(StampError) -> StampOutcome {
        guard rules.loyaltyType.collectsStamps else { throw .programCollectsNoStamps }
        if let last = card.lastStampAt {
            let nextAllowed = last.addingTimeInterval(rules.cooldown)
            if now < nextAllowed { throw .cooldownActive(nextStampAvailableAt: nextAllowed) }
        }
        // Safe: `CalendarDate.init(_:in:)` only fails for dates outside the Gregorian calendar.
        let today = CalendarDate(now, in: timeZone)!
        let stampsToday = card.stamps(on: today)
        if stampsToday >= rules.maxDailyStamps {
            throw .dailyLimitReached(maxDailyStamps: rules.maxDailyStamps, resetsAt: startOfNextDay(after: now, in: timeZone))
        }
        card.stampCount += 1
        card.totalStampsEarned += 1
        card.lastStampAt = now
        card.stampsTodayDate = today
        card.stampsToday = stampsToday + 1
        return StampOutcome(
            stampCount: card.stampCount,
            rewardEarned: card.stampCount >= rules.stampsTarget,
            rewardsAvailable: rules.rewardsAvailable(stampCount: card.stampCount),
            nextStampAvailableAt: now.addingTimeInterval(rules.cooldown),
            stampsToday: card.stampsToday)
    }

    /// Takes `stampsTarget` stamps off the card for one reward; extra stamps carry over.
    /// Returns how many rewards the card still holds.
    public static func redeem(from card: inout CardBalance, rules: ProgramRules) throws(StampError) -> Int {
        guard rules.loyaltyType.collectsStamps else { throw .programCollectsNoStamps }
        guard card.stampCount >= rules.stampsTarget else {
            throw .insufficientStamps(balance: card.stampCount, needed: rules.stampsTarget)
        }
        card.stampCount -= rules.stampsTarget
        card.totalStampsRedeemed += rules.stampsTarget
        return rules.rewardsAvailable(stampCount: card.stampCount)
    }

    /// Midnight at the start of the next local day (DST-aware).
    public static func startOfNextDay(after instant: Date, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let startOfToday = calendar.startOfDay(for: instant)
        return calendar.date(byAdding: .day, value: 1, to: startOfToday) ?? instant.addingTimeInterval(86_400)
    }
}
