import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// Writes the analytics rollups of one ledger row inside its operation (decision 0026).
///
/// Statements added per operation: the staff row (1, when someone is identified), the
/// balance totals (1: the balances and the merchant's count of ledger rows, `ListTotals`), the
/// activity-day buckets (1, only when the card's points or its activity day changed: a card's
/// first activity of a day moves it, `ActiveCards`), the reward row (1, only for redemptions
/// and their voids) and signal events (only on a near-limit crossing or a hop, which costs one
/// indexed read of the card's previous row when its last activity was within the hop window).
/// The daily-stats columns ride on the existing upsert. A card's first stamp of a day on a
/// stamps program therefore costs 3 statements more than before analytics, later ones 2.
struct AnalyticsRecorder {
    let operation: CardOperation

    /// The card as it was before the row.
    struct Previous {
        let activity: Date?
        let points: Int
        let sequence: Int
    }

    /// Writes the rollups and returns the row's delta (its daily-stats part rides on `DailyStats.add`).
    func record(_ row: CardOperation.Row, entry: LedgerEntry, previous: Previous) async throws -> AnalyticsRowDelta {
        let op = operation
        let tx = op.tx
        let (merchantID, storeID, day, cardID) = (op.store.merchantID, op.store.storeID, op.businessDay, entry.cardID)
        let programID = try op.program.requireID()
        let firstActivityOfDay = previous.activity.map { op.store.businessDay(at: $0) != day } ?? true
        let delta = AnalyticsRollupRules.delta(
            type: row.type, stampsDelta: row.stampsDelta, pointsDelta: row.pointsDelta, rewardID: row.rewardID,
            voidedType: row.voidedType, stampsBalanceAfter: op.card.stampCount, stampsTarget: op.program.stampsTarget,
            firstActivityOfDay: firstActivityOfDay)

        if let staff = StaffMember(staffPinID: entry.staffPinID, userID: entry.userID) {
            try await AnalyticsRollups.addStaff(delta.staffDelta, staff: staff, merchantID: merchantID, storeID: storeID, day: day, on: tx)
        }
        if let reward = Self.rewardChange(row, programID: programID) {
            try await AnalyticsRollups.addReward(
                rewardKey: reward.key, kind: reward.kind, redemptions: reward.redemptions, pointsSpent: reward.pointsSpent,
                merchantID: merchantID, storeID: storeID, day: day, on: tx)
        }
        try await AnalyticsRollups.addBalance(
            stamps: row.stampsDelta, points: row.pointsDelta, ledgerRows: 1, merchantID: merchantID, cardID: cardID, on: tx)
        try await AnalyticsRollups.moveActivity(
            from: (AnalyticsRollups.activityDay(previous.activity), previous.points),
            to: (AnalyticsRollups.activityDay(op.card.lastActivityAt), op.card.pointsBalance),
            merchantID: merchantID, cardID: cardID, on: tx)

        let thresholds = op.settings.fraud
        if row.type == .stampEarned,
            FraudRules.crossesNearLimit(
                stampsToday: op.card.balance.stampsToday, maxDailyStamps: op.program.maxDailyStamps, percent: thresholds.nearLimitPercent)
        {
            try await AnalyticsRollups.addSignalEvent(.nearDailyLimit, merchantID: merchantID, storeID: storeID, day: day, cardID: cardID, on: tx)
        }
        if AnalyticsRollupRules.isCounterOperation(row.type), let last = previous.activity,
            op.now.timeIntervalSince(last) <= TimeInterval(thresholds.hopMinutes) * 60
        {
            let previousStore = try await Self.store(ofRow: previous.sequence, card: cardID, on: tx)
            if FraudRules.isHop(previousStore: previousStore, previousActivity: last, store: storeID, now: op.now, hopMinutes: thresholds.hopMinutes) {
                try await AnalyticsRollups.addSignalEvent(
                    .storeHopping, merchantID: merchantID, storeID: storeID, day: day, cardID: cardID, on: tx)
            }
        }
        return delta
    }

    /// The reward row a redemption (or the void of one) changes.
    static func rewardChange(_ row: CardOperation.Row, programID: UUID) -> (key: UUID, kind: String, redemptions: Int, pointsSpent: Int)? {
        switch row.type {
        case .stampRedeemed: (programID, "stamps", 1, 0)
        case .pointsRedeemed: row.rewardID.map { ($0, "points", 1, -row.pointsDelta) }
        case .stampVoided where row.voidedType == .stampRedeemed: (programID, "stamps", -1, 0)
        case .pointsVoided where row.voidedType == .pointsRedeemed: row.voidedRewardID.map { ($0, "points", -1, -row.pointsDelta) }
        default: nil
        }
    }

    /// The store of the card's row `sequence` (one indexed read).
    static func store(ofRow sequence: Int, card cardID: UUID, on tx: any Database) async throws -> UUID? {
        struct Row: Decodable { let store_id: UUID? }
        return try await tx.sql.select().column("store_id").from(TransactionModel.schema)
            .where("card_id", .equal, cardID).where("sequence", .equal, sequence)
            .first(decoding: Row.self)?.store_id
    }
}
