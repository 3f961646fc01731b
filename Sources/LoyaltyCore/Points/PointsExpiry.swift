import Foundation

/// When a card's points expire: after `points_expiration_days` without activity
/// (docs/decisions/0020-points-expiry.md).
///
/// Activity is any ledger row but an expiry itself (`TransactionType.countsAsActivity`): a
/// stamp, an earn, a redemption, a void or an owner's adjustment all show the card is in use.
/// The window is counted in whole 24-hour periods from the instant of the last activity, so no
/// time zone or daylight-saving change moves it; the daily job realizes the expiry at its next
/// run, so a customer always keeps the points at least the full window.
public enum PointsExpiry {
    /// The instant from which the points of a card last active at `lastActivity` may expire.
    public static func expiresAt(lastActivity: Date, afterDays days: Int) -> Date {
        lastActivity.addingTimeInterval(TimeInterval(days) * 86_400)
    }

    /// Cards last active before this instant are due at `now` (for the candidate query).
    public static func cutoff(at now: Date, afterDays days: Int) -> Date {
        now.addingTimeInterval(-TimeInterval(days) * 86_400)
    }

    /// The points that expire now: the whole balance of a card inactive for the window, or 0
    /// (no window set, no balance, or recent activity).
    public static func pointsDue(balance: Int, lastActivity: Date?, afterDays days: Int?, at now: Date) -> Int {
        guard let days, balance > 0 else { return 0 }
        // A card with points has a ledger row, so it has an activity time; without one there is
        // nothing to measure the window from, and nothing is taken.
        guard let lastActivity, now >= expiresAt(lastActivity: lastActivity, afterDays: days) else { return 0 }
        return balance
    }

    /// Takes the due points off `card`; returns how many (0: nothing changed). Lifetime totals
    /// stay: expired points were earned, and were not redeemed.
    public static func expire(_ card: inout CardBalance, lastActivity: Date?, afterDays days: Int?, at now: Date) -> Int {
        let due = pointsDue(balance: card.pointsBalance, lastActivity: lastActivity, afterDays: days, at: now)
        card.pointsBalance -= due
        return due
    }
}

extension TransactionType {
    /// Whether a row of this type shows the card in use (and restarts the expiry window). An
    /// expiry does not: otherwise expiring would make the card look active.
    public var countsAsActivity: Bool { self != .pointsExpired }
}
