import Foundation
import Vapor

/// Every measure the analytics rollups keep, for one day or summed over a period.
/// JSON is snake_case like the rest of the API (`stamps_given`, ...).
struct AnalyticsMeasures: Content, Equatable {
    var enrollments = 0
    /// Distinct cards with any balance-changing activity that day (a card counts once per day).
    var activeCards = 0
    /// Counter visits: the first stamp or points operation of a card on a local day.
    var visits = 0
    var stampsGiven = 0
    var stampsRedeemed = 0
    var stampsVoided = 0
    var pointsGiven = 0
    var pointsRedeemed = 0
    var pointsVoided = 0
    var pointsExpired = 0
    /// Rewards handed out (a stamp card completed and redeemed, or a points reward).
    var rewardsRedeemed = 0
    /// Rewards earned: stamp cards filled to the target (points rewards count when redeemed).
    var rewardsEarned = 0
}

/// One local day of a series; days without activity are present with zeros.
struct AnalyticsDay: Content, Equatable {
    /// `YYYY-MM-DD`, the merchant's local day.
    let date: String
    let measures: AnalyticsMeasures
}

struct AnalyticsStoreRow: Content, Equatable {
    let storeId: UUID
    let name: String
    let measures: AnalyticsMeasures
}

/// One staff member: a PIN identity (`kind` = `pin`) or a signed-in user (`kind` = `user`).
struct AnalyticsStaffRow: Content, Equatable {
    let kind: String
    let staffId: UUID
    let name: String
    var operations = 0
    var stamps = 0
    var points = 0
    var redemptions = 0
    var voids = 0
    var pinFailures = 0
}

/// One reward: the stamp card's reward (`kind` = `stamps`, `reward_id` null) or a points reward.
struct AnalyticsRewardRow: Content, Equatable {
    let kind: String
    @NullEncoded var rewardId: UUID?
    let name: String
    var redemptions = 0
    var pointsSpent = 0
}

/// `GET /api/v1/merchants/loyalty/analytics`: one merchant (or one of its stores) over a period.
struct AnalyticsReport: Content, Equatable {
    /// `merchant` or `store`.
    let scope: String
    let merchantId: UUID
    @NullEncoded var storeId: UUID?
    /// Inclusive local days `YYYY-MM-DD`.
    let from: String
    let to: String
    let timezone: String
    let totals: AnalyticsMeasures
    /// rewards_redeemed ÷ rewards_earned over the period; null when nothing was earned.
    @NullEncoded var redemptionRate: Double?
    let series: [AnalyticsDay]
    let stores: [AnalyticsStoreRow]
    let staff: [AnalyticsStaffRow]
    let rewards: [AnalyticsRewardRow]
}

struct AnalyticsMerchantRow: Content, Equatable {
    let merchantId: UUID
    let name: String
    let measures: AnalyticsMeasures
}

/// `GET /api/v1/admin/loyalty/analytics`: the platform across merchants (days in UTC).
struct PlatformAnalyticsReport: Content, Equatable {
    let from: String
    let to: String
    let totals: AnalyticsMeasures
    @NullEncoded var redemptionRate: Double?
    let series: [AnalyticsDay]
    let merchants: [AnalyticsMerchantRow]
}

/// Which table of a report `analytics.csv?table=` exports.
enum AnalyticsTable: String, CaseIterable, Sendable {
    case series, stores, staff, rewards
}

/// Points that expire within `within_days` if their cards stay inactive.
struct ExpiringPoints: Content, Equatable {
    let withinDays: Int
    let points: Int
    @NullEncoded var valueCents: Int?
}

/// `GET /api/v1/merchants/loyalty/liability`: what the merchant owes in outstanding balances.
struct LiabilityReport: Content, Equatable {
    let merchantId: UUID
    let outstandingStamps: Int
    let outstandingPoints: Int
    /// Outstanding stamps ÷ target × `stamps_reward_cost_cents`; null without a cost.
    @NullEncoded var stampsValueCents: Int?
    /// Points × the cheapest cost per point of the active points rewards; null without costs.
    @NullEncoded var pointsValueCents: Int?
    /// Sum of the known values (0 when none is known).
    let totalValueCents: Int
    /// The cost of one point used above (cents, fractional).
    @NullEncoded var costPerPointCents: Double?
    /// 30, 60 and 90 days.
    let expiring: [ExpiringPoints]
}

/// One unusual pattern on a card or a staff member.
struct FraudSignal: Content, Equatable {
    /// The merchant of the card or staff member (the admin's view spans merchants).
    let merchantId: UUID
    /// `near_daily_limit`, `many_voids`, `pin_failures` or `store_hopping`.
    let kind: String
    /// `card` or `staff`.
    let subject: String
    @NullEncoded var cardId: UUID?
    /// `pin` or `user` for a staff subject.
    @NullEncoded var staffKind: String?
    @NullEncoded var staffId: UUID?
    /// Card number or staff name, for display.
    let label: String
    /// The measured figure (days, voids, failures, hops) and the threshold it reached.
    let value: Int
    let threshold: Int
    /// Last local day it was seen.
    let lastSeen: String
}

/// `GET /api/v1/merchants/loyalty/signals`: signals over the last `window_days` local days.
struct FraudSignalsReport: Content, Equatable {
    /// Null for the admin's all-merchants view.
    @NullEncoded var merchantId: UUID?
    let from: String
    let to: String
    let windowDays: Int
    let signals: [FraudSignal]
}
