import Foundation

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

/// Why a void is not this person's to make.
public enum VoidPermissionError: Error, Equatable, Sendable {
    /// An owner's manual adjustment: only an owner voids it.
    case ownerAdjustment
    /// A row recorded in another store than the one the store role works in.
    case otherStore
    /// A cashier voiding a row older than the merchant's window (`windowDays` business days back).
    case outsideWindow(windowDays: Int)
}

/// Who may void which ledger row (docs/decisions/0014-void-permissions.md):
///
/// - owners void any row of their merchant, at any time;
/// - owners' manual adjustments (`points_adjusted`) are voided by owners only;
/// - store managers and cashiers void only rows of their own store;
/// - cashiers only within the merchant's window, counted in business days of the store's
///   time zone (0: the same business day); managers beyond it.
public enum VoidPermission {
    /// The person asking for the void.
    public struct Actor: Equatable, Sendable {
        public let role: Role
        /// The store the request acts in.
        public let storeID: UUID

        public init(role: Role, storeID: UUID) {
            self.role = role
            self.storeID = storeID
        }
    }

    /// The part of the row to void that decides who may void it.
    public struct Target: Equatable, Sendable {
        public let type: TransactionType
        /// The store that recorded the row (`nil` for rows no store recorded).
        public let storeID: UUID?
        /// The recording store's business day of the row.
        public let businessDay: CalendarDate?

        public init(type: TransactionType, storeID: UUID?, businessDay: CalendarDate?) {
            self.type = type
            self.storeID = storeID
            self.businessDay = businessDay
        }
    }

    /// Throws when `actor` may not void `target` on the store's business day `today`.
    public static func check(_ actor: Actor, voiding target: Target, windowDays: Int, today: CalendarDate) throws(VoidPermissionError) {
        switch actor.role {
        case .merchantOwner, .platformAdmin:
            return
        case .storeManager, .storeStaff:
            if target.type == .pointsAdjusted { throw .ownerAdjustment }
            guard target.storeID == actor.storeID else { throw .otherStore }
            guard actor.role == .storeStaff else { return }
            // A row without a business day is older than the day's bookkeeping: outside any window.
            guard let day = target.businessDay, today.daysSince(day) <= windowDays else {
                throw .outsideWindow(windowDays: windowDays)
            }
        }
    }
}
