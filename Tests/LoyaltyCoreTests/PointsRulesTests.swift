import Foundation
import Testing

@testable import LoyaltyCore

@Suite struct PointsRulesTests {
    @Test(arguments: [(2_500, 10, 250), (99, 10, 9), (9, 10, 0), (1_999, 3, 59), (100_000_000, 10_000, 10_000_000_000), (1, 1, 0)])
    func pointsAreTheFloorOfCentsTimesRateOverAHundred(cents: Int, rate: Int, expected: Int) {
        #expect(PointsRules.points(forPurchaseCents: cents, pointsPerEuro: rate) == expected)
    }

    @Test func redemptionNeedsTheBalanceAndAnActiveReward() throws {
        let rules = ProgramRules(loyaltyType: .points)
        var card = CardBalance()
        _ = try PointsRules.earn(on: &card, purchaseCents: 1_500, rules: rules)
        #expect(card.pointsBalance == 150)
        #expect(throws: PointsError.insufficientPoints(balance: 150, needed: 200)) {
            try PointsRules.redeem(RewardTerms(pointsCost: 200, isActive: true), from: &card, rules: rules)
        }
        #expect(throws: PointsError.rewardUnavailable) {
            try PointsRules.redeem(RewardTerms(pointsCost: 10, isActive: false), from: &card, rules: rules)
        }
        try PointsRules.redeem(RewardTerms(pointsCost: 150, isActive: true), from: &card, rules: rules)
        #expect(card.pointsBalance == 0)
        #expect(card.totalPointsRedeemed == 150)
    }

    @Test func adjustmentsNeverGoBelowZero() throws {
        var card = CardBalance()
        try PointsRules.adjust(&card, by: 40)
        #expect(throws: PointsError.insufficientPoints(balance: 40, needed: 41)) { try PointsRules.adjust(&card, by: -41) }
        try PointsRules.adjust(&card, by: -40)
        #expect(card.pointsBalance == 0)
    }

    @Test func stampProgramsCollectNoPoints() {
        var card = CardBalance()
        #expect(throws: PointsError.programCollectsNoPoints) {
            try PointsRules.earn(on: &card, purchaseCents: 100, rules: ProgramRules(loyaltyType: .stamps))
        }
    }

    @Test func batchesAreSpentOldestFirst() {
        let day = { (n: Double) in Date(timeIntervalSince1970: n * 86_400) }
        let remaining = PointsBatches.remaining(after: [(100, day(1)), (50, day(2)), (-120, day(3)), (30, day(4)), (-10, day(5))])
        #expect(remaining == [PointsBatches.Batch(earnedAt: day(2), remaining: 20), PointsBatches.Batch(earnedAt: day(4), remaining: 30)])
    }
}
