import Foundation
import Testing

@testable import LoyaltyCore

@Suite struct StampRulesTests {
    let luxembourg = TimeZone(identifier: "Europe/Luxembourg")!
    let rules = ProgramRules(loyaltyType: .stamps, stampsTarget: 3, stampsRewardDescription: "Coffee", cooldownMinutes: 15, maxDailyStamps: 2)
    /// 2026-11-20 10:00 in Luxembourg (09:00 UTC).
    let morning = Date(timeIntervalSince1970: 1_795_165_200)

    @Test func aStampInsideTheCooldownIsRefusedWithTheNextAvailableTime() throws {
        var card = CardBalance()
        let first = try StampRules.addStamp(to: &card, rules: rules, at: morning, timeZone: luxembourg)
        #expect(first.nextStampAvailableAt == morning.addingTimeInterval(900))
        #expect(throws: StampError.cooldownActive(nextStampAvailableAt: morning.addingTimeInterval(900))) {
            try StampRules.addStamp(to: &card, rules: rules, at: morning.addingTimeInterval(899), timeZone: luxembourg)
        }
        #expect(card.stampCount == 1)
        _ = try StampRules.addStamp(to: &card, rules: rules, at: morning.addingTimeInterval(900), timeZone: luxembourg)
        #expect(card.stampCount == 2)
    }

    @Test func theDailyLimitCountsTheStoresLocalDay() throws {
        var card = CardBalance()
        _ = try StampRules.addStamp(to: &card, rules: rules, at: morning, timeZone: luxembourg)
        _ = try StampRules.addStamp(to: &card, rules: rules, at: morning.addingTimeInterval(3_600), timeZone: luxembourg)
        // 23:30 local is still the same day: refused until local midnight (23:00 UTC).
        let lateEvening = Date(timeIntervalSince1970: 1_795_213_800)
        let midnight = Date(timeIntervalSince1970: 1_795_215_600)
        #expect(throws: StampError.dailyLimitReached(maxDailyStamps: 2, resetsAt: midnight)) {
            try StampRules.addStamp(to: &card, rules: rules, at: lateEvening, timeZone: luxembourg)
        }
        // 00:30 local the next day (23:30 UTC, still the 20th in UTC) is a new local day.
        let stamp = try StampRules.addStamp(to: &card, rules: rules, at: midnight.addingTimeInterval(1_800), timeZone: luxembourg)
        #expect(stamp.stampsToday == 1)
    }

    @Test func midnightFollowsDaylightSavingTime() {
        // 2026-03-29 is the spring change in Luxembourg: the next midnight is 22:00 UTC, not 23:00.
        let day = Date(timeIntervalSince1970: 1_774_778_400)  // 2026-03-29 10:00 UTC
        #expect(StampRules.startOfNextDay(after: day, in: luxembourg) == Date(timeIntervalSince1970: 1_774_821_600))
    }

    @Test func redeemingTakesTheTargetAndCarriesTheRestOver() throws {
        var card = CardBalance()
        card.stampCount = 7
        #expect(try StampRules.redeem(from: &card, rules: rules) == 1)
        #expect(card.stampCount == 4)
        #expect(try StampRules.redeem(from: &card, rules: rules) == 0)
        #expect(card.stampCount == 1)
        #expect(throws: StampError.insufficientStamps(balance: 1, needed: 3)) { try StampRules.redeem(from: &card, rules: rules) }
        #expect(card.totalStampsRedeemed == 6)
    }

    @Test func aRewardIsEarnedAtTheTarget() throws {
        var card = CardBalance()
        card.stampCount = 2
        let stamp = try StampRules.addStamp(to: &card, rules: rules, at: morning, timeZone: luxembourg)
        #expect(stamp.rewardEarned)
        #expect(stamp.rewardsAvailable == 1)
    }

    @Test func pointsProgramsCollectNoStamps() {
        var card = CardBalance()
        #expect(throws: StampError.programCollectsNoStamps) {
            try StampRules.addStamp(to: &card, rules: ProgramRules(loyaltyType: .points), at: morning, timeZone: luxembourg)
        }
    }
}
