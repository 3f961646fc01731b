import Foundation
import Testing

@testable import LoyaltyCore

@Suite struct AnalyticsRulesTests {
    static func delta(
        _ type: TransactionType, stamps: Int = 0, points: Int = 0, voided: TransactionType? = nil, after: Int = 0, target: Int = 3,
        first: Bool = false
    ) -> AnalyticsRowDelta {
        AnalyticsRollupRules.delta(
            type: type, stampsDelta: stamps, pointsDelta: points, rewardID: nil, voidedType: voided, stampsBalanceAfter: after,
            stampsTarget: target, firstActivityOfDay: first)
    }

    @Test func aCardIsActiveOnceADayAndACounterOperationIsAVisit() {
        #expect(Self.delta(.stampEarned, stamps: 1, after: 1, first: true).activeCards == 1)
        #expect(Self.delta(.stampEarned, stamps: 1, after: 1, first: true).visits == 1)
        #expect(Self.delta(.stampEarned, stamps: 1, after: 2, first: false).activeCards == 0)
        // A void alone shows the card in use but brings no customer.
        let void = Self.delta(.stampVoided, stamps: -1, voided: .stampEarned, after: 0, first: true)
        #expect(void.activeCards == 1 && void.visits == 0)
        // An expiry is no activity.
        #expect(Self.delta(.pointsExpired, points: -10, first: true).activeCards == 0)
    }

    @Test func aStampFillingTheCardEarnsARewardAndItsVoidTakesItBack() {
        #expect(Self.delta(.stampEarned, stamps: 1, after: 2).rewardsEarned == 0)
        #expect(Self.delta(.stampEarned, stamps: 1, after: 3).rewardsEarned == 1)
        #expect(Self.delta(.stampEarned, stamps: 1, after: 6).rewardsEarned == 1)
        #expect(Self.delta(.stampVoided, stamps: -1, voided: .stampEarned, after: 2).rewardsEarned == -1)
        #expect(Self.delta(.stampVoided, stamps: -1, voided: .stampEarned, after: 1).rewardsEarned == 0)
    }

    @Test func redemptionsAndTheirVoids() {
        let stamp = Self.delta(.stampRedeemed, stamps: -3)
        #expect(stamp.rewardsRedeemed == 1 && stamp.rewardsEarned == 0 && stamp.staffRedemptions == 1)
        let points = Self.delta(.pointsRedeemed, points: -150)
        #expect(points.rewardsRedeemed == 1 && points.rewardsEarned == 1)
        let undone = Self.delta(.pointsVoided, points: 150, voided: .pointsRedeemed)
        #expect(undone.rewardsRedeemed == -1 && undone.rewardsEarned == -1 && undone.pointsVoided == 150 && undone.staffVoids == 1)
        let stampUndone = Self.delta(.stampVoided, stamps: 3, voided: .stampRedeemed, after: 3)
        #expect(stampUndone.rewardsRedeemed == -1 && stampUndone.stampsVoided == 3)
    }

    @Test func staffCountsOperationsButNotTheJobsOrTransfers() {
        #expect(Self.delta(.stampEarned, stamps: 1, after: 1).staffOperations == 1)
        #expect(Self.delta(.pointsEarned, points: 120).staffPoints == 120)
        #expect(Self.delta(.pointsExpired, points: -120).staffOperations == 0)
        #expect(Self.delta(.cardTransferredIn, stamps: 2).staffOperations == 0)
    }

    @Test func redemptionRate() {
        #expect(AnalyticsRollupRules.redemptionRate(redeemed: 1, earned: 4) == 0.25)
        #expect(AnalyticsRollupRules.redemptionRate(redeemed: 0, earned: 0) == nil)
    }

    @Test func calendarArithmeticInvertsDaysSinceEpoch() {
        for days in [-800_000, -1, 0, 59, 60, 11_016, 20_775, 2_932_896] {
            #expect(CalendarDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(CalendarDate(year: 2024, month: 2, day: 28).adding(days: 1) == CalendarDate(year: 2024, month: 2, day: 29))
        #expect(CalendarDate(year: 2026, month: 12, day: 31).adding(days: 1) == CalendarDate(year: 2027, month: 1, day: 1))
        #expect(CalendarDate(year: 2026, month: 3, day: 1).adding(days: -1) == CalendarDate(year: 2026, month: 2, day: 28))
    }
}

@Suite struct FraudRulesTests {
    @Test(arguments: [(5, 80, 4), (10, 80, 8), (3, 80, 3), (1, 1, 1), (7, 50, 4)])
    func nearLimitLine(max: Int, percent: Int, line: Int) {
        #expect(FraudRules.nearLimitStamps(maxDailyStamps: max, percent: percent) == line)
        #expect(FraudRules.crossesNearLimit(stampsToday: line, maxDailyStamps: max, percent: percent))
        #expect(!FraudRules.crossesNearLimit(stampsToday: line + 1, maxDailyStamps: max, percent: percent))
    }

    @Test func aHopIsAnotherStoreWithinTheWindow() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(FraudRules.isHop(previousStore: "A", previousActivity: now.addingTimeInterval(-29 * 60), store: "B", now: now, hopMinutes: 30))
        #expect(FraudRules.isHop(previousStore: "A", previousActivity: now.addingTimeInterval(-30 * 60), store: "B", now: now, hopMinutes: 30))
        #expect(!FraudRules.isHop(previousStore: "A", previousActivity: now.addingTimeInterval(-31 * 60), store: "B", now: now, hopMinutes: 30))
        #expect(!FraudRules.isHop(previousStore: "A", previousActivity: now, store: "A", now: now, hopMinutes: 30))
        #expect(!FraudRules.isHop(previousStore: nil as String?, previousActivity: now, store: "B", now: now, hopMinutes: 30))
    }

    @Test func signalsStartAtTheThreshold() {
        var thresholds = FraudThresholds()
        thresholds.voidsPerStaff = 3
        #expect(!FraudRules.isSignal(.manyVoids, value: 2, thresholds: thresholds))
        #expect(FraudRules.isSignal(.manyVoids, value: 3, thresholds: thresholds))
        #expect(FraudRules.isSignal(.storeHopping, value: 3, thresholds: FraudThresholds()))
        #expect(!FraudRules.isSignal(.nearDailyLimit, value: 4, thresholds: FraudThresholds()))
    }
}

@Suite struct LiabilityRulesTests {
    @Test func stampsAreWorthTheirShareOfTheReward() {
        #expect(LiabilityRules.stampsValueCents(stamps: 25, target: 10, rewardCostCents: 400) == 1_000)
        #expect(LiabilityRules.stampsValueCents(stamps: 1, target: 3, rewardCostCents: 100) == 33)
        #expect(LiabilityRules.stampsValueCents(stamps: 5, target: 10, rewardCostCents: nil) == nil)
    }

    @Test func pointsAreWorthTheCheapestActiveCostPerPoint() {
        let rewards: [(pointsCost: Int, costCents: Int?, isActive: Bool)] = [
            (150, 90, true), (400, 400, true), (100, 10, false), (50, nil, true),
        ]
        #expect(LiabilityRules.costPerPointCents(rewards: rewards) == 0.6)
        #expect(LiabilityRules.pointsValueCents(points: 1_000, costPerPointCents: 0.6) == 600)
        #expect(LiabilityRules.costPerPointCents(rewards: [(50, nil, true)]) == nil)
        #expect(LiabilityRules.pointsValueCents(points: 10, costPerPointCents: nil) == nil)
    }

    @Test func expiringCutoff() {
        let today = CalendarDate(year: 2026, month: 12, day: 1)
        // Window 90: cards last active 60 days ago or earlier expire within 30 days.
        #expect(LiabilityRules.expiringLastActivityCutoff(today: today, expirationDays: 90, withinDays: 30) == today.adding(days: -60))
    }
}
