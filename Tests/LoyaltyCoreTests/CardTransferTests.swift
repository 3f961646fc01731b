import Foundation
import Testing

@testable import LoyaltyCore

@Suite struct CardTransferTests {
    @Test(arguments: [(0, 0), (3, 0), (0, 250), (7, 1_234)])
    func theClosingRowEmptiesTheOldCardAndTheOpeningRowBringsItAll(stamps: Int, points: Int) {
        var balance = CardBalance()
        balance.stampCount = stamps
        balance.pointsBalance = points
        balance.totalStampsEarned = stamps + 10
        balance.totalPointsRedeemed = 99
        balance.lastStampAt = Date(timeIntervalSince1970: 1_795_000_000)
        balance.stampsToday = 2
        balance.stampsTodayDate = CalendarDate("2026-11-30")

        let plan = CardTransfer.plan(from: balance)
        #expect(plan.closingStampsDelta == -stamps && plan.closingPointsDelta == -points)
        #expect(balance.stampCount + plan.closingStampsDelta == plan.oldCard.stampCount)
        #expect(plan.oldCard.stampCount == 0 && plan.oldCard.pointsBalance == 0)
        #expect(plan.oldCard.totalStampsEarned == stamps + 10)
        #expect(plan.openingStampsDelta == plan.newCard.stampCount && plan.openingPointsDelta == plan.newCard.pointsBalance)
        // The anti-fraud counters move with the balance.
        #expect(plan.newCard == balance)
    }
}
