import Foundation

/// What a card may do at the counter right now, shown before anyone taps so that a refusal is
/// never a surprise.
///
/// Decided by running the operations' own rules (`StampRules`, `PointsRules`) on a copy of the
/// balance: the forecast and the operation cannot disagree, and no rule is written twice.
public struct CounterEligibility: Equatable, Sendable {
    /// Whether a stamp would be given now.
    public enum Stamp: Equatable, Sendable {
        /// The program collects no stamps.
        case notOffered
        /// A stamp is possible; `stampsToday` were already given today.
        case possible(stampsToday: Int, maxDailyStamps: Int)
        case cooldown(until: Date)
        case dailyLimitReached(maxDailyStamps: Int, resetsAt: Date)
    }

    public let stamp: Stamp
    /// Rewards the stamps pay for now (0 in a points program).
    public let stampRewardsAvailable: Int
    /// Stamps still missing for the next reward (0 in a points program).
    public let stampsToNextReward: Int
    /// Indexes into the `rewards` given, of those the points pay for now, in the given order.
    public let affordableRewards: [Int]

    /// The card's eligibility at `now` in a store whose day runs in `timeZone`.
    public static func evaluate(
        _ balance: CardBalance, rules: ProgramRules, rewards: [RewardTerms], at now: Date, timeZone: TimeZone
    ) -> CounterEligibility {
        let stamp: Stamp
        if rules.loyaltyType.collectsStamps {
            var copy = balance
            do throws(StampError) {
                let outcome = try StampRules.addStamp(to: &copy, rules: rules, at: now, timeZone: timeZone)
                stamp = .possible(stampsToday: outcome.stampsToday - 1, maxDailyStamps: rules.maxDailyStamps)
            } catch {
                switch error {
                case .cooldownActive(let next): stamp = .cooldown(until: next)
                case .dailyLimitReached(let max, let resetsAt): stamp = .dailyLimitReached(maxDailyStamps: max, resetsAt: resetsAt)
                case .programCollectsNoStamps, .insufficientStamps: stamp = .notOffered
                }
            }
        } else {
            stamp = .notOffered
        }
        let target = max(1, rules.stampsTarget)
        let affordable = rewards.indices.filter { index in
            var copy = balance
            do throws(PointsError) {
                try PointsRules.redeem(rewards[index], from: &copy, rules: rules)
                return true
            } catch { return false }
        }
        return CounterEligibility(
            stamp: stamp,
            stampRewardsAvailable: rules.rewardsAvailable(stampCount: balance.stampCount),
            stampsToNextReward: rules.loyaltyType.collectsStamps ? target - balance.stampCount % target : 0,
            affordableRewards: affordable)
    }
}
