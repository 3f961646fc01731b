import Fluent
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// Activity totals of one period.
struct PeriodStats: Content, Equatable {
    var cardsEnrolled = 0
    var stampsGiven = 0
    var stampsRedeemed = 0
    var pointsGiven = 0
    var pointsRedeemed = 0
    /// Points the expiry job took off inactive cards.
    var pointsExpired = 0
}

struct StatsResponse: Content {
    /// `store`, `merchant` or `platform`.
    let scope: String
    @NullEncoded var storeId: UUID?
    @NullEncoded var merchantId: UUID?
    /// The local day "today" is counted in (`date` in JSON).
    let today: String
    let cardsTotal: Int
    /// Cards with any activity in the last 30 days.
    let activeCards30Days: Int
    let todayStats: PeriodStats
    let last7Days: PeriodStats
    let last30Days: PeriodStats

    /// Spelled out: the snake_case converter would not split the digits ("last7_days").
    enum CodingKeys: String, CodingKey {
        case scope, storeId, merchantId, cardsTotal
        case today = "date"
        case activeCards30Days = "active_cards_30_days"
        case todayStats = "today"
        case last7Days = "last_7_days"
        case last30Days = "last_30_days"
    }
}

/// Statistics from `loyalty_daily_stats` (at most 30 rows per store) and two indexed counts,
/// never from the ledger.
struct StatsService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    func stats(for store: StoreContext, merchantWide: Bool) async throws -> StatsResponse {
        try await stats(merchantID: store.merchantID, storeID: merchantWide ? nil : store.storeID, timezone: store.timezone)
    }

    /// One store's statistics, the merchant's (`storeID == nil`) or the platform's (both
    /// `nil`); "today" is the local day in `timezone`.
    func stats(merchantID: UUID?, storeID: UUID?, timezone: String) async throws -> StatsResponse {
        let timeZone = TimeZone(identifier: timezone) ?? .gmt
        let now = now()
        // Safe: every instant has a Gregorian date.
        let today = CalendarDate(now, in: timeZone)!
        let days = (0..<30).map { CalendarDate(now.addingTimeInterval(-86_400 * Double($0)), in: timeZone)! }
        let week = Set(days.prefix(7).map(\.description))

        struct Row: Decodable {
            let day: String
            let cards_enrolled: Int
            let stamps_given: Int
            let stamps_redeemed: Int
            let points_given: Int
            let points_redeemed: Int
            let points_expired: Int
        }
        let query = database.sql.select()
            .columns("day", "cards_enrolled", "stamps_given", "stamps_redeemed", "points_given", "points_redeemed", "points_expired")
            .from("loyalty_daily_stats")
            .where("day", .greaterThanOrEqual, days.last?.description ?? today.description)
        if let storeID {
            query.where("store_id", .equal, storeID)
        } else if let merchantID {
            query.where("merchant_id", .equal, merchantID)
        }
        var (todayStats, weekStats, monthStats) = (PeriodStats(), PeriodStats(), PeriodStats())
        for row in try await query.all(decoding: Row.self) {
            let stats = PeriodStats(
                cardsEnrolled: row.cards_enrolled, stampsGiven: row.stamps_given, stampsRedeemed: row.stamps_redeemed,
                pointsGiven: row.points_given, pointsRedeemed: row.points_redeemed,
                pointsExpired: row.points_expired)
            monthStats.add(stats)
            if week.contains(row.day) { weekStats.add(stats) }
            if row.day == today.description { todayStats.add(stats) }
        }

        let cardsTotal = try await ListTotals.cards(merchantID: merchantID, on: database)
        let active = try await ActiveCards.count(merchantID: merchantID, now: now, on: database)
        return StatsResponse(
            scope: storeID != nil ? "store" : merchantID != nil ? "merchant" : "platform", storeId: storeID, merchantId: merchantID,
            today: today.description, cardsTotal: cardsTotal, activeCards30Days: active, todayStats: todayStats,
            last7Days: weekStats, last30Days: monthStats)
    }
}

extension PeriodStats {
    fileprivate mutating func add(_ other: PeriodStats) {
        cardsEnrolled += other.cardsEnrolled
        stampsGiven += other.stampsGiven
        stampsRedeemed += other.stampsRedeemed
        pointsGiven += other.pointsGiven
        pointsRedeemed += other.pointsRedeemed
        pointsExpired += other.pointsExpired
    }
}
