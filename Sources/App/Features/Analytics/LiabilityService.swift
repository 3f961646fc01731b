import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// Outstanding balances and their value (decision 0026). Reads the 8 shard rows of
/// `loyalty_balance_totals`, the program and its rewards, and the points-by-activity-day
/// buckets older than the 90-day horizon (at most one row per day and shard).
struct LiabilityService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    static let horizons = [30, 60, 90]

    func report(merchantID: UUID) async throws -> LiabilityReport {
        struct Totals: Decodable {
            let stamps: Int?
            let points: Int?
        }
        let totals = try await database.sql.raw(
            """
            SELECT CAST(SUM(stamps) AS BIGINT) AS stamps, CAST(SUM(points) AS BIGINT) AS points
            FROM loyalty_balance_totals WHERE merchant_id = \(bind: merchantID)
            """
        ).first(decoding: Totals.self)
        let stamps = totals?.stamps ?? 0
        let points = totals?.points ?? 0

        let program = try await ProgramModel.query(on: database).filter(\.$merchant.$id == merchantID).first()
        var costPerPoint: Double?
        if let programID = program?.id {
            let rewards = try await RewardModel.query(on: database).filter(\.$program.$id == programID).all()
            costPerPoint = LiabilityRules.costPerPointCents(rewards: rewards.map { ($0.pointsCost, $0.costCents, $0.isActive) })
        }
        let stampsValue = program.flatMap {
            LiabilityRules.stampsValueCents(stamps: stamps, target: $0.stampsTarget, rewardCostCents: $0.stampsRewardCostCents)
        }
        let pointsValue = LiabilityRules.pointsValueCents(points: points, costPerPointCents: costPerPoint)

        var expiring = Self.horizons.map { ExpiringPoints(withinDays: $0, points: 0, valueCents: pointsValue.map { _ in 0 }) }
        if let days = program?.pointsExpirationDays {
            // Safe: every instant has a Gregorian date.
            let today = CalendarDate(now(), in: .gmt)!
            let cutoffs = Self.horizons.map { LiabilityRules.expiringLastActivityCutoff(today: today, expirationDays: days, withinDays: $0) }
            struct Bucket: Decodable {
                let day: String
                let points: Int
            }
            let buckets = try await database.sql.raw(
                """
                SELECT day, CAST(SUM(points) AS BIGINT) AS points FROM loyalty_points_by_activity_day
                WHERE merchant_id = \(bind: merchantID) AND day <= \(bind: cutoffs.last!.description) GROUP BY day
                """
            ).all(decoding: Bucket.self)
            expiring = zip(Self.horizons, cutoffs).map { horizon, cutoff in
                let due = buckets.filter { $0.day <= cutoff.description }.reduce(0) { $0 + $1.points }
                return ExpiringPoints(
                    withinDays: horizon, points: due, valueCents: LiabilityRules.pointsValueCents(points: due, costPerPointCents: costPerPoint))
            }
        }
        return LiabilityReport(
            merchantId: merchantID, outstandingStamps: stamps, outstandingPoints: points, stampsValueCents: stampsValue,
            pointsValueCents: pointsValue, totalValueCents: (stampsValue ?? 0) + (pointsValue ?? 0), costPerPointCents: costPerPoint,
            expiring: expiring)
    }
}
