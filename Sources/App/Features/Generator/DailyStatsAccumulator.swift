import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// `loyalty_daily_stats` as the generated operations would have bumped it, summed in memory
/// (a few rows per store and day, whatever the number of ledger rows) and inserted at the end.
struct DailyStatsAccumulator {
    private struct Key: Hashable {
        let merchantID: UUID
        let storeID: UUID
        let day: String
        let shard: Int
    }

    private var rows: [Key: DailyStatsDelta] = [:]

    var count: Int { rows.count }

    mutating func add(enrollmentOf cardID: UUID, merchantID: UUID, storeID: UUID, day: CalendarDate) {
        let key = Key(merchantID: merchantID, storeID: storeID, day: day.description, shard: DailyStats.shard(for: cardID))
        rows[key, default: DailyStatsDelta()].cardsEnrolled += 1
    }

    mutating func add(_ row: SimulatedRow, merchantID: UUID) {
        guard let storeID = row.entry.storeID else { return }
        let key = Key(merchantID: merchantID, storeID: storeID, day: row.businessDay.description, shard: DailyStats.shard(for: row.entry.cardID))
        var delta = rows[key, default: DailyStatsDelta()]
        delta.stampsGiven += row.stats.stampsGiven
        delta.stampsRedeemed += row.stats.stampsRedeemed
        delta.pointsGiven += row.stats.pointsGiven
        delta.pointsRedeemed += row.stats.pointsRedeemed
        delta.pointsExpired += row.stats.pointsExpired
        rows[key] = delta
    }

    /// Adds the sums to the table (rows already there, from `--append`, are added to).
    func insert(on database: any Database, advanced: (Int) -> Void) async throws {
        let all = Array(rows)
        for batch in all.chunked(by: 500) {
            try await database.transaction { db in
                let insert = db.sql.insert(into: "loyalty_daily_stats").columns(
                    "merchant_id", "store_id", "day", "shard", "cards_enrolled", "stamps_given", "stamps_redeemed", "points_given",
                    "points_redeemed", "points_expired")
                for (key, delta) in batch {
                    insert.values(
                        SQLBind(key.merchantID), SQLBind(key.storeID), SQLBind(key.day), SQLBind(key.shard), SQLBind(delta.cardsEnrolled),
                        SQLBind(delta.stampsGiven), SQLBind(delta.stampsRedeemed), SQLBind(delta.pointsGiven), SQLBind(delta.pointsRedeemed),
                        SQLBind(delta.pointsExpired))
                }
                let columns = ["cards_enrolled", "stamps_given", "stamps_redeemed", "points_given", "points_redeemed", "points_expired"]
                try await insert.onConflict(with: ["store_id", "day", "shard"]) { update in
                    for column in columns {
                        update.set(column, to: SQLRaw("loyalty_daily_stats.\(column) + excluded.\(column)"))
                    }
                    return update
                }.run()
            }
            advanced(batch.count)
        }
    }
}
