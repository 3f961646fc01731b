/// Why a void is refused.
public enum VoidError: Error, Equatable, Sendable {
    /// The row is of a kind this endpoint does not void (a stamp void naming a points row, a void of a void).
    case notVoidable
    case alreadyVoided
    case insufficientStamps(balance: Int, needed: Int)
    case insufficientPoints(balance: Int, needed: Int)
}

/// The part of a ledger row a void needs.
public struct VoidableEntry: Equatable, Sendable {
    public let type: TransactionType
    public let stampsDelta: Int
    public let pointsDelta: Int
    /// The local business day the row's stamp counted toward, for stamps given "today".
    public let stampDay: CalendarDate?

    public init(type: TransactionType, stampsDelta: Int, pointsDelta: Int, stampDay: CalendarDate?) {
        self.type = type
        self.stampsDelta = stampsDelta
        self.pointsDelta = pointsDelta
        self.stampDay = stampDay
    }
}

/// Reversing a row with a compensating row.
public enum VoidRules {
    /// Applies the reverse of `original` to `card`, which must be of `family` (`.stampVoided`
    /// or `.pointsVoided`). Returns the compensating deltas. A void never takes a balance
    /// below zero: voiding a stamp that was already redeemed is refused.
    public static func void(
        _ original: VoidableEntry,
        family: TransactionType,
        on card: inout CardBalance
    ) throws(VoidError) -> (stampsDelta: Int, pointsDelta: Int) {
        guard original.type.voidType == family else { throw .notVoidable }
        let stamps = -original.stampsDelta
        let points = -original.pointsDelta
        if card.stampCount + stamps < 0 { throw .insufficientStamps(balance: card.stampCount, needed: -stamps) }
        if card.pointsBalance + points < 0 { throw .insufficientPoints(balance: card.pointsBalance, needed: -points) }
        card.stampCount += stamps
        card.pointsBalance += points
        switch original.type {
        case .stampEarned:
            card.totalStampsEarned -= original.stampsDelta
            // A stamp voided the day it was given no longer counts toward that day's limit.
            if let day = original.stampDay, card.stampsTodayDate == day {
                card.stampsToday = max(0, card.stampsToday - original.stampsDelta)
            }
        case .stampRedeemed:
            card.totalStampsRedeemed += original.stampsDelta
        case .pointsEarned:
            card.totalPointsEarned -= original.pointsDelta
        case .pointsRedeemed:
            card.totalPointsRedeemed += original.pointsDelta
        case .pointsAdjusted, .stampVoided, .pointsVoided, .pointsExpired, .cardTransferredOut, .cardTransferredIn:
            break
        }
        return (stamps, points)
    }
}
