import Foundation
import Testing

@testable import LoyaltyCore

/// Which program changes the owner is warned about, and which cards each one touches.
@Suite struct ProgramChangeImpactTests {
    static let coffeeID = UUID()
    static let cakeID = UUID()

    static let hybrid = ProgramFace(
        rules: ProgramRules(
            loyaltyType: .hybrid, stampsTarget: 10, stampsRewardDescription: "Free coffee", pointsPerEuro: 10, cooldownMinutes: 15,
            maxDailyStamps: 5, requireStaffPin: true, pointsExpirationDays: 365),
        cardName: "Café", cardColor: "#4F46E5", logoURL: nil,
        rewards: [
            .init(id: coffeeID, name: "Coffee", pointsCost: 100, isActive: true),
            .init(id: cakeID, name: "Cake", pointsCost: 300, isActive: false),
        ])

    static func changed(_ change: (inout ProgramFace) -> Void) -> ProgramFace {
        var face = hybrid
        change(&face)
        return face
    }

    @Test func counterRulesAloneAffectNoIssuedCard() {
        let new = Self.changed {
            $0.rules.cooldownMinutes = 0
            $0.rules.maxDailyStamps = 1
            $0.rules.requireStaffPin = false
            $0.rules.pointsPerEuro = 20
            $0.rules.pointsExpirationDays = 400
        }
        #expect(ProgramChangeImpact.effects(from: Self.hybrid, to: new).isEmpty)
        #expect(ProgramChangeImpact.effects(from: Self.hybrid, to: Self.hybrid).isEmpty)
    }

    @Test func aLowerTargetHandsRewardsToCardsAtTheNewTargetAndUpdatesPasses() {
        let effects = ProgramChangeImpact.effects(from: Self.hybrid, to: Self.changed { $0.rules.stampsTarget = 6 })
        #expect(effects == [.stampsTargetLowered(from: 10, to: 6), .walletPassesUpdated])
        #expect(effects[0].audience == .stampsAtLeast(6))
        #expect(effects[1].audience == .allCards)
    }

    @Test func aHigherTargetTouchesCardsHoldingStamps() {
        let effects = ProgramChangeImpact.effects(from: Self.hybrid, to: Self.changed { $0.rules.stampsTarget = 12 })
        #expect(effects.first == .stampsTargetRaised(from: 10, to: 12))
        #expect(effects.first?.audience == .stampsAtLeast(1))
    }

    @Test(arguments: [
        (LoyaltyType.points, [ProgramChangeImpact.Effect.stampsNoLongerCollected, .walletPassesUpdated]),
        (.stamps, [.pointsNoLongerCollected, .walletPassesUpdated]),
    ])
    func changingTheTypeTouchesWhatCardsStopCollecting(type: LoyaltyType, expected: [ProgramChangeImpact.Effect]) {
        #expect(ProgramChangeImpact.effects(from: Self.hybrid, to: Self.changed { $0.rules.loyaltyType = type }) == expected)
    }

    @Test func deactivatingOrDroppingAnActiveRewardTouchesCardsThatCouldTakeIt() {
        let deactivated = Self.changed { $0.rewards[0].isActive = false }
        let effects = ProgramChangeImpact.effects(from: Self.hybrid, to: deactivated)
        #expect(effects == [.rewardDeactivated(name: "Coffee", pointsCost: 100), .walletPassesUpdated])
        #expect(effects[0].audience == .pointsAtLeast(100))
        let dropped = Self.changed { $0.rewards.removeFirst() }
        #expect(ProgramChangeImpact.effects(from: Self.hybrid, to: dropped).first == .rewardDeactivated(name: "Coffee", pointsCost: 100))
        // An inactive reward going away changes nothing a card can see.
        #expect(ProgramChangeImpact.effects(from: Self.hybrid, to: Self.changed { $0.rewards.removeLast() }).isEmpty)
    }

    @Test func aDearerRewardTouchesCardsThatCouldJustAffordIt() {
        let effects = ProgramChangeImpact.effects(from: Self.hybrid, to: Self.changed { $0.rewards[0].pointsCost = 150 })
        #expect(effects == [.rewardCostRaised(name: "Coffee", from: 100, to: 150), .walletPassesUpdated])
        #expect(effects[0].audience == .pointsInRange(from: 100, below: 150))
        // Cheaper, renamed or added rewards take nothing away; the passes still change.
        let kinder = Self.changed {
            $0.rewards[0].pointsCost = 50
            $0.rewards.append(.init(id: nil, name: "Tea", pointsCost: 80, isActive: true))
        }
        #expect(ProgramChangeImpact.effects(from: Self.hybrid, to: kinder) == [.walletPassesUpdated])
    }

    @Test func shorterOrNewPointsExpiryTouchesCardsHoldingPoints() {
        let shorter = ProgramChangeImpact.effects(from: Self.hybrid, to: Self.changed { $0.rules.pointsExpirationDays = 90 })
        #expect(shorter == [.pointsExpiryShortened(from: 365, to: 90)])
        #expect(shorter[0].audience == .pointsAtLeast(1))
        var never = Self.hybrid
        never.rules.pointsExpirationDays = nil
        #expect(ProgramChangeImpact.effects(from: never, to: Self.hybrid) == [.pointsExpiryShortened(from: nil, to: 365)])
        #expect(ProgramChangeImpact.effects(from: Self.hybrid, to: never).isEmpty, "points that never expire take nothing away")
    }

    @Test(arguments: ["card_name", "card_color", "logo_url", "stamps_reward_description"])
    func whatThePassShowsUpdatesEveryPass(field: String) {
        let new = Self.changed { face in
            switch field {
            case "card_name": face.cardName = "Café du Coin"
            case "card_color": face.cardColor = "#112233"
            case "logo_url": face.logoURL = "https://example.test/logo.png"
            default: face.rules.stampsRewardDescription = "Free cake"
            }
        }
        #expect(ProgramChangeImpact.effects(from: Self.hybrid, to: new) == [.walletPassesUpdated])
    }

    @Test func whatARewardCostsTheMerchantIsNoCustomersConcern() {
        let costed = Self.changed {
            $0.rewards[0].costCents = 120
            $0.stampsRewardCostCents = 250
        }
        #expect(ProgramChangeImpact.effects(from: Self.hybrid, to: costed).isEmpty)
    }

    @Test func aColourWrittenInOtherLettersIsTheSameColour() {
        #expect(ProgramChangeImpact.effects(from: Self.hybrid, to: Self.changed { $0.cardColor = "#4f46e5" }).isEmpty)
    }
}
