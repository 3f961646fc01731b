import Foundation

/// What one ledger row adds to the analytics rollups (decision 0026). The same function runs
/// in the operation (live) and over the ledger (backfill), so both agree by construction.
public struct AnalyticsRowDelta: Equatable, Sendable {
    public var activeCards = 0
    public var visits = 0
    public var stampsVoided = 0
    public var pointsVoided = 0
    /// Net: a voided redemption takes its reward back, like `stamps_redeemed` does.
    public var rewardsRedeemed = 0
    public var rewardsEarned = 0
    /// Per staff member.
    public var staffOperations = 0
    public var staffStamps = 0
    public var staffPoints = 0
    public var staffRedemptions = 0
    public var staffVoids = 0

    public init() {}
}

public enum AnalyticsRollupRules {
    /// The customer came to the counter: these rows can count as a visit.
    public static func isCounterOperation(_ type: TransactionType) -> Bool {
        switch type {
        case .stampEarned, .stampRedeemed, .pointsEarned, .pointsRedeemed: true
        default: false
        }
    }

    /// The deltas of one row.
    ///
    /// - `firstActivityOfDay`: the card had no activity (`countsAsActivity`) earlier that
    ///   local day. A card is active once per day; a visit is that first activity when it is a
    ///   counter operation (a void or an adjustment alone is no visit).
    /// - `stampsBalanceAfter`/`stampsTarget`: a stamp that fills a card to a multiple of the
    ///   target earns a reward; voiding such a stamp takes it back.
    /// - `voidedType`: for a void row, the type of the row it voids.
    public static func delta(
        type: TransactionType, stampsDelta: Int, pointsDelta: Int, rewardID: UUID?, voidedType: TransactionType?,
        stampsBalanceAfter: Int, stampsTarget: Int, firstActivityOfDay: Bool
    ) -> AnalyticsRowDelta {
        var delta = AnalyticsRowDelta()
        if type.countsAsActivity && firstActivityOfDay {
            delta.activeCards = 1
            if isCounterOperation(type) { delta.visits = 1 }
        }
        let target = max(stampsTarget, 1)
        switch type {
        case .stampEarned:
            if stampsBalanceAfter > 0 && stampsBalanceAfter % target == 0 { delta.rewardsEarned = 1 }
            delta.staffStamps = stampsDelta
        case .stampRedeemed:
            delta.rewardsRedeemed = 1
            delta.staffRedemptions = 1
        case .pointsEarned:
            delta.staffPoints = pointsDelta
        case .pointsRedeemed:
            // A points reward is earned and redeemed in one step.
            delta.rewardsRedeemed = 1
            delta.rewardsEarned = 1
            delta.staffRedemptions = 1
        case .stampVoided:
            delta.stampsVoided = abs(stampsDelta)
            delta.staffVoids = 1
            if voidedType == .stampRedeemed { delta.rewardsRedeemed = -1 }
            if voidedType == .stampEarned {
                let before = stampsBalanceAfter - stampsDelta
                if before > 0 && before % target == 0 { delta.rewardsEarned = -1 }
            }
        case .pointsVoided:
            delta.pointsVoided = abs(pointsDelta)
            delta.staffVoids = 1
            if voidedType == .pointsRedeemed { (delta.rewardsRedeemed, delta.rewardsEarned) = (-1, -1) }
        case .pointsAdjusted, .pointsExpired, .cardTransferredOut, .cardTransferredIn:
            break
        }
        if isCounterOperation(type) || type == .stampVoided || type == .pointsVoided || type == .pointsAdjusted {
            delta.staffOperations = 1
        }
        return delta
    }

    /// `rewards_redeemed ÷ rewards_earned`; `nil` when nothing was earned.
    public static func redemptionRate(redeemed: Int, earned: Int) -> Double? {
        earned > 0 ? Double(redeemed) / Double(earned) : nil
    }

    /// At most this many days in a report's range.
    public static let maximumRangeDays = 366
}
