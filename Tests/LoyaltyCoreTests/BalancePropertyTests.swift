import Foundation
import Testing

@testable import LoyaltyCore

/// Any sequence of operations, accepted or refused, keeps the card's balances equal to the sum
/// of the rows it wrote, and never negative.
@Suite struct BalancePropertyTests {
    enum Operation: CaseIterable { case stamp, redeemStamps, earn, redeemPoints, adjust, voidLast }

    @Test(arguments: 0..<40)
    func randomSequencesKeepBalancesEqualToTheLedger(seed: Int) throws {
        var generator = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9)
        let rules = ProgramRules(
            loyaltyType: .hybrid, stampsTarget: Int.random(in: 1...5, using: &generator), stampsRewardDescription: "Gift",
            pointsPerEuro: Int.random(in: 1...20, using: &generator), cooldownMinutes: Int.random(in: 0...2, using: &generator),
            maxDailyStamps: Int.random(in: 1...6, using: &generator))
        let zone = TimeZone(identifier: "Europe/Luxembourg")!
        var card = CardBalance()
        var rows: [(type: TransactionType, stamps: Int, points: Int, day: CalendarDate?)] = []
        var voided = Set<Int>()
        var now = Date(timeIntervalSince1970: 1_795_165_200)

        for _ in 0..<300 {
            now = now.addingTimeInterval(Double(Int.random(in: 0...4_000, using: &generator)))
            let before = card
            do {
                switch Operation.allCases.randomElement(using: &generator)! {
                case .stamp:
                    _ = try StampRules.addStamp(to: &card, rules: rules, at: now, timeZone: zone)
                    rows.append((.stampEarned, 1, 0, CalendarDate(now, in: zone)))
                case .redeemStamps:
                    _ = try StampRules.redeem(from: &card, rules: rules)
                    rows.append((.stampRedeemed, -rules.stampsTarget, 0, nil))
                case .earn:
                    let earned = try PointsRules.earn(on: &card, purchaseCents: Int.random(in: 1...20_000, using: &generator), rules: rules)
                    rows.append((.pointsEarned, 0, earned, nil))
                case .redeemPoints:
                    let cost = Int.random(in: 1...500, using: &generator)
                    try PointsRules.redeem(RewardTerms(pointsCost: cost, isActive: true), from: &card, rules: rules)
                    rows.append((.pointsRedeemed, 0, -cost, nil))
                case .adjust:
                    let delta = Int.random(in: -300...300, using: &generator)
                    guard delta != 0 else { continue }
                    try PointsRules.adjust(&card, by: delta)
                    rows.append((.pointsAdjusted, 0, delta, nil))
                case .voidLast:
                    guard let index = rows.indices.last(where: { !voided.contains($0) && rows[$0].type.voidType != nil }) else { continue }
                    let original = rows[index]
                    let family = original.type.voidType!
                    let deltas = try VoidRules.void(
                        VoidableEntry(type: original.type, stampsDelta: original.stamps, pointsDelta: original.points, stampDay: original.day),
                        family: family, on: &card)
                    voided.insert(index)
                    rows.append((family, deltas.stampsDelta, deltas.pointsDelta, nil))
                }
            } catch {
                // A refusal changes nothing.
                #expect(card == before)
            }
            #expect(card.stampCount == rows.reduce(0) { $0 + $1.stamps })
            #expect(card.pointsBalance == rows.reduce(0) { $0 + $1.points })
            #expect(card.stampCount >= 0 && card.pointsBalance >= 0)
            #expect(card.stampsToday <= rules.maxDailyStamps)
        }
    }
}
