import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// Who did an operation, for the per-staff rollup: the PIN identity, else the signed-in user.
struct StaffMember: Hashable, Sendable {
    /// `pin` or `user`.
    let kind: String
    let id: UUID

    init?(staffPinID: UUID?, userID: UUID?) {
        if let staffPinID {
            (kind, id) = ("pin", staffPinID)
        } else if let userID {
            (kind, id) = ("user", userID)
        } else {
            return nil
        }
    }
}

/// What one operation adds to one staff member's day.
struct StaffDayDelta: Equatable, Sendable {
    var operations = 0
    var stamps = 0
    var points = 0
    var redemptions = 0
    var voids = 0
    var pinFailures = 0

    var isZero: Bool { self == StaffDayDelta() }
}

/// The rollups beside `loyalty_daily_stats` (decision 0026), each written by an upsert in the
/// operation's own transaction. Rows that every operation of a merchant would touch (balance
/// totals, points by activity day) are spread over `DailyStats.shards` rows chosen by card;
/// staff and reward rows are per person or reward and day, so only that person's (or that
/// reward's) operations meet on them.
enum AnalyticsRollups {
    static func addStaff(
        _ delta: StaffDayDelta, staff: StaffMember, merchantID: UUID, storeID: UUID, day: CalendarDate, on tx: any Database
    ) async throws {
        guard !delta.isZero else { return }
        try await tx.sql.raw(
            """
            INSERT INTO loyalty_staff_daily_stats
                (merchant_id, store_id, day, staff_kind, staff_id, operations, stamps, points, redemptions, voids, pin_failures)
            VALUES (\(bind: merchantID), \(bind: storeID), \(bind: day.description), \(bind: staff.kind), \(bind: staff.id),
                \(bind: delta.operations), \(bind: delta.stamps), \(bind: delta.points), \(bind: delta.redemptions), \(bind: delta.voids),
                \(bind: delta.pinFailures))
            ON CONFLICT (store_id, day, staff_kind, staff_id) DO UPDATE SET
                operations = loyalty_staff_daily_stats.operations + excluded.operations,
                stamps = loyalty_staff_daily_stats.stamps + excluded.stamps,
                points = loyalty_staff_daily_stats.points + excluded.points,
                redemptions = loyalty_staff_daily_stats.redemptions + excluded.redemptions,
                voids = loyalty_staff_daily_stats.voids + excluded.voids,
                pin_failures = loyalty_staff_daily_stats.pin_failures + excluded.pin_failures
            """
        ).run()
    }

    /// `rewardKey`: the reward's id, or the program's id for the stamp card's reward.
    static func addReward(
        rewardKey: UUID, kind: String, redemptions: Int, pointsSpent: Int, merchantID: UUID, storeID: UUID, day: CalendarDate,
        on tx: any Database
    ) async throws {
        try await tx.sql.raw(
            """
            INSERT INTO loyalty_reward_daily_stats (merchant_id, store_id, day, reward_key, kind, redemptions, points_spent)
            VALUES (\(bind: merchantID), \(bind: storeID), \(bind: day.description), \(bind: rewardKey), \(bind: kind),
                \(bind: redemptions), \(bind: pointsSpent))
            ON CONFLICT (store_id, day, reward_key) DO UPDATE SET
                redemptions = loyalty_reward_daily_stats.redemptions + excluded.redemptions,
                points_spent = loyalty_reward_daily_stats.points_spent + excluded.points_spent
            """
        ).run()
    }

    /// Outstanding balances of the merchant, kept as running totals, with its counts of cards
    /// and ledger rows (`ListTotals`).
    static func addBalance(
        stamps: Int, points: Int, cards: Int = 0, ledgerRows: Int = 0, merchantID: UUID, cardID: UUID, on tx: any Database
    ) async throws {
        guard stamps != 0 || points != 0 || cards != 0 || ledgerRows != 0 else { return }
        try await tx.sql.raw(
            """
            INSERT INTO loyalty_balance_totals (merchant_id, shard, stamps, points, cards, ledger_rows)
            VALUES (\(bind: merchantID), \(bind: DailyStats.shard(for: cardID)), \(bind: stamps), \(bind: points), \(bind: cards), \(bind: ledgerRows))
            ON CONFLICT (merchant_id, shard) DO UPDATE SET
                stamps = loyalty_balance_totals.stamps + excluded.stamps,
                points = loyalty_balance_totals.points + excluded.points,
                cards = loyalty_balance_totals.cards + excluded.cards,
                ledger_rows = loyalty_balance_totals.ledger_rows + excluded.ledger_rows
            """
        ).run()
    }

    /// The UTC day a card's points and the card itself are bucketed under: the day of its last
    /// activity.
    static func activityDay(_ lastActivity: Date?) -> String? {
        lastActivity.flatMap { CalendarDate($0, in: .gmt)?.description }
    }

    /// Moves a card between activity-day buckets: `before` and `after` are its (bucket,
    /// points). The bucket counts the card (`ActiveCards`) and holds its points (their expiry);
    /// a card without activity is in no bucket (it is not active and its points never expire).
    /// One statement, of one or two rows, when anything moves.
    static func moveActivity(
        from before: (day: String?, points: Int), to after: (day: String?, points: Int), merchantID: UUID, cardID: UUID,
        on tx: any Database
    ) async throws {
        var moves: [String: (points: Int, cards: Int)] = [:]
        if let day = before.day { moves[day, default: (0, 0)].points -= before.points }
        if let day = after.day { moves[day, default: (0, 0)].points += after.points }
        if before.day != after.day {
            if let day = before.day { moves[day, default: (0, 0)].cards -= 1 }
            if let day = after.day { moves[day, default: (0, 0)].cards += 1 }
        }
        let rows = moves.filter { $0.value != (0, 0) }
        guard !rows.isEmpty else { return }
        // Two rows of one statement never share a key (their days differ), as PostgreSQL requires.
        let insert = tx.sql.insert(into: "loyalty_points_by_activity_day").columns("merchant_id", "day", "shard", "points", "cards")
        for (day, move) in rows {
            insert.values(SQLBind(merchantID), SQLBind(day), SQLBind(DailyStats.shard(for: cardID)), SQLBind(move.points), SQLBind(move.cards))
        }
        try await insert.onConflict(with: ["merchant_id", "day", "shard"]) {
            $0.set("points", to: SQLRaw("loyalty_points_by_activity_day.points + excluded.points"))
                .set("cards", to: SQLRaw("loyalty_points_by_activity_day.cards + excluded.cards"))
        }.run()
    }

    /// One card event a signal counts (a near-limit day, a store hop); rare by design.
    static func addSignalEvent(
        _ kind: FraudRules.Kind, merchantID: UUID, storeID: UUID, day: CalendarDate, cardID: UUID, on tx: any Database
    ) async throws {
        try await tx.sql.raw(
            """
            INSERT INTO loyalty_signal_events (id, merchant_id, store_id, day, kind, card_id)
            VALUES (\(bind: UUID()), \(bind: merchantID), \(bind: storeID), \(bind: day.description), \(bind: kind.rawValue), \(bind: cardID))
            """
        ).run()
    }
}

extension AnalyticsRowDelta {
    var staffDelta: StaffDayDelta {
        StaffDayDelta(
            operations: staffOperations, stamps: staffStamps, points: staffPoints, redemptions: staffRedemptions, voids: staffVoids)
    }

    /// The daily-stats columns this row adds.
    func added(to stats: DailyStatsDelta) -> DailyStatsDelta {
        var stats = stats
        stats.activeCards += activeCards
        stats.visits += visits
        stats.stampsVoided += stampsVoided
        stats.pointsVoided += pointsVoided
        stats.rewardsRedeemed += rewardsRedeemed
        stats.rewardsEarned += rewardsEarned
        return stats
    }
}
