import Foundation
import Testing

@testable import LoyaltyCore

@Suite struct CounterEligibilityTests {
    let luxembourg = TimeZone(identifier: "Europe/Luxembourg")!
    let noon = Date(timeIntervalSince1970: 1_795_000_000)
    let rules = ProgramRules(
        loyaltyType: .hybrid, stampsTarget: 10, stampsRewardDescription: "Coffee", cooldownMinutes: 15, maxDailyStamps: 5)
    let rewards = [RewardTerms(pointsCost: 150, isActive: true), RewardTerms(pointsCost: 90, isActive: true), RewardTerms(pointsCost: 500, isActive: true)]

    @Test func aFreshCardMayBeStampedAndAffordsWhatItsPointsPay() {
        var balance = CardBalance()
        balance.stampCount = 7
        balance.pointsBalance = 160
        let eligibility = CounterEligibility.evaluate(balance, rules: rules, rewards: rewards, at: noon, timeZone: luxembourg)
        #expect(eligibility.stamp == .possible(stampsToday: 0, maxDailyStamps: 5))
        #expect(eligibility.stampsToNextReward == 3)
        #expect(eligibility.stampRewardsAvailable == 0)
        #expect(eligibility.affordableRewards == [0, 1])
    }

    /// The forecast is the operation's own refusal: a stamp inside the cooldown names the
    /// same end time `StampRules.addStamp` would refuse with.
    @Test func insideTheCooldownTheNextStampTimeIsTheRulesOwn() throws {
        var balance = CardBalance()
        _ = try StampRules.addStamp(to: &balance, rules: rules, at: noon, timeZone: luxembourg)
        let later = noon.addingTimeInterval(60)
        let eligibility = CounterEligibility.evaluate(balance, rules: rules, rewards: [], at: later, timeZone: luxembourg)
        #expect(eligibility.stamp == .cooldown(until: noon.addingTimeInterval(15 * 60)))
        #expect(throws: StampError.cooldownActive(nextStampAvailableAt: noon.addingTimeInterval(15 * 60))) {
            var copy = balance
            _ = try StampRules.addStamp(to: &copy, rules: rules, at: later, timeZone: luxembourg)
        }
        let after = CounterEligibility.evaluate(balance, rules: rules, rewards: [], at: noon.addingTimeInterval(15 * 60), timeZone: luxembourg)
        #expect(after.stamp == .possible(stampsToday: 1, maxDailyStamps: 5))
    }

    @Test func theDailyLimitIsReportedWithTheStoresMidnight() throws {
        var balance = CardBalance()
        var now = noon
        for _ in 0..<5 {
            _ = try StampRules.addStamp(to: &balance, rules: rules, at: now, timeZone: luxembourg)
            now = now.addingTimeInterval(16 * 60)
        }
        let eligibility = CounterEligibility.evaluate(balance, rules: rules, rewards: [], at: now, timeZone: luxembourg)
        #expect(eligibility.stamp == .dailyLimitReached(maxDailyStamps: 5, resetsAt: StampRules.startOfNextDay(after: now, in: luxembourg)))
        #expect(eligibility.stampRewardsAvailable == 0)
    }

    @Test func aFullCardHasARewardAndAPointsProgramNoStamps() {
        var balance = CardBalance()
        balance.stampCount = 10
        #expect(CounterEligibility.evaluate(balance, rules: rules, rewards: [], at: noon, timeZone: luxembourg).stampRewardsAvailable == 1)
        let points = ProgramRules(loyaltyType: .points)
        let eligibility = CounterEligibility.evaluate(balance, rules: points, rewards: rewards, at: noon, timeZone: luxembourg)
        #expect(eligibility.stamp == .notOffered)
        #expect(eligibility.stampsToNextReward == 0)
        #expect(eligibility.affordableRewards == [])
    }

    @Test func anInactiveRewardIsNeverAffordable() {
        var balance = CardBalance()
        balance.pointsBalance = 1_000
        let eligibility = CounterEligibility.evaluate(
            balance, rules: rules, rewards: [RewardTerms(pointsCost: 10, isActive: false)], at: noon, timeZone: luxembourg)
        #expect(eligibility.affordableRewards == [])
    }
}
