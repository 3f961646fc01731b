import Foundation

/// What an owner sees of a program before and after a change: the rules, the card's face and
/// the rewards catalog.
public struct ProgramFace: Equatable, Sendable {
    /// A reward of the catalog; `id` is `nil` for one the change adds.
    public struct Reward: Equatable, Sendable {
        public var id: UUID?
        public var name: String
        public var pointsCost: Int
        public var isActive: Bool
        /// What the reward costs the merchant (cents), for the liability: no card sees it.
        public var costCents: Int?

        public init(id: UUID?, name: String, pointsCost: Int, isActive: Bool, costCents: Int? = nil) {
            self.id = id
            self.name = name
            self.pointsCost = pointsCost
            self.isActive = isActive
            self.costCents = costCents
        }
    }

    public var rules: ProgramRules
    /// What a full stamp card's reward costs the merchant (cents): no card sees it.
    public var stampsRewardCostCents: Int?
    public var cardName: String?
    public var cardColor: String?
    public var logoURL: String?
    public var rewards: [Reward]

    public init(
        rules: ProgramRules, cardName: String?, cardColor: String?, logoURL: String?, rewards: [Reward], stampsRewardCostCents: Int? = nil
    ) {
        self.rules = rules
        self.stampsRewardCostCents = stampsRewardCostCents
        self.cardName = cardName
        self.cardColor = cardColor
        self.logoURL = logoURL
        self.rewards = rewards
    }
}

/// Which changes of a program touch the cards already issued, and which cards each touches
/// (decision 0028). The owner is warned, with a count, before such a change is saved.
///
/// A card holds its balances whatever the program says; a change can still take something
/// from its holder (a reward they were saving for), hand them something at once (a lower
/// target), or change every wallet pass on their phones.
public enum ProgramChangeImpact {
    /// The cards a change touches, as a count the database answers from an index on the
    /// card's balances.
    public enum Audience: Equatable, Sendable {
        /// Every live card of the merchant.
        case allCards
        /// Cards holding at least this many stamps.
        case stampsAtLeast(Int)
        /// Cards holding at least this many points.
        case pointsAtLeast(Int)
        /// Cards holding at least `from` and fewer than `below` points.
        case pointsInRange(from: Int, below: Int)
    }

    /// One consequence of a change for issued cards.
    public enum Effect: Equatable, Sendable {
        /// Cards at or above the new target have a stamp reward ready at once.
        case stampsTargetLowered(from: Int, to: Int)
        /// Cards holding stamps are further from their reward.
        case stampsTargetRaised(from: Int, to: Int)
        /// The program stops collecting stamps: cards keep them but can no longer add to them.
        case stampsNoLongerCollected
        /// The program stops collecting points: cards keep them but can no longer earn more.
        case pointsNoLongerCollected
        /// A reward leaves the catalog: cards that could take it now cannot.
        case rewardDeactivated(name: String, pointsCost: Int)
        /// A reward costs more: cards that could just afford it cannot.
        case rewardCostRaised(name: String, from: Int, to: Int)
        /// Points expire sooner (or start to expire at all).
        case pointsExpiryShortened(from: Int?, to: Int)
        /// What the wallet passes show changes: every pass is updated.
        case walletPassesUpdated

        /// The cards this effect touches.
        public var audience: Audience {
            switch self {
            case .stampsTargetLowered(_, let to): .stampsAtLeast(to)
            case .stampsTargetRaised: .stampsAtLeast(1)
            case .stampsNoLongerCollected: .stampsAtLeast(1)
            case .pointsNoLongerCollected: .pointsAtLeast(1)
            case .rewardDeactivated(_, let cost): .pointsAtLeast(cost)
            case .rewardCostRaised(_, let from, let to): .pointsInRange(from: from, below: to)
            case .pointsExpiryShortened: .pointsAtLeast(1)
            case .walletPassesUpdated: .allCards
            }
        }
    }

    /// The effects of going from `old` to `new`, in the order a person reads them; empty when
    /// no issued card can notice the change (cooldowns, daily limits, PIN: counter rules only).
    public static func effects(from old: ProgramFace, to new: ProgramFace) -> [Effect] {
        var effects: [Effect] = []
        let (was, will) = (old.rules, new.rules)
        if was.loyaltyType.collectsStamps, !will.loyaltyType.collectsStamps {
            effects.append(.stampsNoLongerCollected)
        } else if was.loyaltyType.collectsStamps, will.loyaltyType.collectsStamps {
            if will.stampsTarget < was.stampsTarget {
                effects.append(.stampsTargetLowered(from: was.stampsTarget, to: will.stampsTarget))
            } else if will.stampsTarget > was.stampsTarget {
                effects.append(.stampsTargetRaised(from: was.stampsTarget, to: will.stampsTarget))
            }
        }
        if was.loyaltyType.collectsPoints, !will.loyaltyType.collectsPoints {
            effects.append(.pointsNoLongerCollected)
        }
        if was.loyaltyType.collectsPoints, will.loyaltyType.collectsPoints {
            effects += rewardEffects(old.rewards, new.rewards)
            if let days = will.pointsExpirationDays, days < (was.pointsExpirationDays ?? Int.max) {
                effects.append(.pointsExpiryShortened(from: was.pointsExpirationDays, to: days))
            }
        }
        if changesPasses(old, new) { effects.append(.walletPassesUpdated) }
        return effects
    }

    /// Rewards that were active and are no longer (deactivated or left out), or cost more.
    static func rewardEffects(_ old: [ProgramFace.Reward], _ new: [ProgramFace.Reward]) -> [Effect] {
        let after = Dictionary(new.compactMap { reward in reward.id.map { ($0, reward) } }, uniquingKeysWith: { first, _ in first })
        return old.filter(\.isActive).compactMap { reward in
            guard let id = reward.id, let next = after[id], next.isActive else {
                return .rewardDeactivated(name: reward.name, pointsCost: reward.pointsCost)
            }
            return next.pointsCost > reward.pointsCost
                ? .rewardCostRaised(name: next.name, from: reward.pointsCost, to: next.pointsCost) : nil
        }
    }

    /// Whether a wallet pass (Apple's fields, Google's class) shows something that changed:
    /// name, colour, logo, type, target, stamp reward, or the active catalog.
    static func changesPasses(_ old: ProgramFace, _ new: ProgramFace) -> Bool {
        // The merchant's costs are not on the pass.
        func catalog(_ face: ProgramFace) -> [ProgramFace.Reward] {
            face.rules.loyaltyType.collectsPoints
                ? face.rewards.filter(\.isActive).map { reward in
                    var shown = reward
                    shown.costCents = nil
                    return shown
                } : []
        }
        return old.cardName != new.cardName || old.cardColor?.lowercased() != new.cardColor?.lowercased()
            || old.logoURL != new.logoURL || old.rules.loyaltyType != new.rules.loyaltyType
            || (new.rules.loyaltyType.collectsStamps
                && (old.rules.stampsTarget != new.rules.stampsTarget
                    || old.rules.stampsRewardDescription != new.rules.stampsRewardDescription))
            || catalog(old) != catalog(new)
    }
}
