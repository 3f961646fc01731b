import Foundation

/// What a card holds, and the running totals and dates the rules need.
///
/// The ledger is the truth; this is its sum, kept on the card row so a stamp reads one row
/// instead of the card's history. `LedgerVerifier` checks the two agree.
public struct CardBalance: Equatable, Sendable {
    public var stampCount: Int = 0
    public var pointsBalance: Int = 0
    public var totalStampsEarned: Int = 0
    public var totalStampsRedeemed: Int = 0
    public var totalPointsEarned: Int = 0
    public var totalPointsRedeemed: Int = 0
    public var lastStampAt: Date?
    /// Stamps given on `stampsTodayDate`, the local business day of the store that stamped.
    public var stampsToday: Int = 0
    public var stampsTodayDate: CalendarDate?

    public init() {}

    /// Stamps given on `day`: the counter is only valid for the day it was kept for.
    public func stamps(on day: CalendarDate) -> Int {
        stampsTodayDate == day ? stampsToday : 0
    }
}
