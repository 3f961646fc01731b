import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// Outstanding balances and their value (decision 0026). Reads the 8 shard rows of
/// `loyalty_balance_totals`, the program and its rewards, and the points-by-activity-day
/// buckets older than the 90-day horizon (at most one row per day and shard): four queries
/// whether for one merchant or for every merchant of a page.
struct LiabilityService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    static let horizons = [30, 60, 90]

    func report(merchantID: UUID) async throws -> LiabilityReport {
        // Safe: `reports` answers every merchant it is asked about.
        try await reports(merchantIDs: [merchantID])[merchantID]!
    }

    /// The report of each of `merchantIDs`.
    func reports(merchantIDs: [UUID]) async throws -> [UUID: LiabilityReport] {
        guard !merchantIDs.isEmpty else { return [:] }
        struct Totals: Decodable {
            let merchant_id: UUID
            let stamps: Int
            let points: Int
        }
        let totals = Dictionary(
            try await database.sql.raw(
                """
                SELECT merchant_id, CAST(SUM(stamps) AS BIGINT) AS stamps, CAST(SUM(points) AS BIGINT) AS points
                FROM loyalty_balance_totals WHERE merchant_id IN (\(binds: merchantIDs)) GROUP BY merchant_id
                """
            ).all(decoding: Totals.self).map { ($0.merchant_id, $0) }, uniquingKeysWith: { first, _ in first })

        let programs = Dictionary(
            try await ProgramModel.query(on: database).filter(\.$merchant.$id ~~ merchantIDs).all().map { ($0.$merchant.id, $0) },
            uniquingKeysWith: { first, _ in first })
        let programIDs = programs.values.compactMap(\.id)
        let rewards = programIDs.isEmpty ? [:] : Dictionary(
            grouping: try await RewardModel.query(on: database).filter(\.$program.$id ~~ programIDs).all(), by: \.$program.id)

        // Safe: every instant has a Gregorian date.
        let today = CalendarDate(now(), in: .gmt)!
        let cutoffs = programs.compactMapValues { program in
            program.pointsExpirationDays.map { days in
                Self.horizons.map { LiabilityRules.expiringLastActivityCutoff(today: today, expirationDays: days, withinDays: $0) }
            }
        }
        let buckets = try await pointsBuckets(of: Array(cutoffs.keys), through: cutoffs.values.compactMap(\.last).max())

        var reports: [UUID: LiabilityReport] = [:]
        for merchantID in merchantIDs {
            let stamps = totals[merchantID]?.stamps ?? 0
            let points = totals[merchantID]?.points ?? 0
            let program = programs[merchantID]
            let costPerPoint = program?.id.flatMap { id in
                LiabilityRules.costPerPointCents(rewards: (rewards[id] ?? []).map { ($0.pointsCost, $0.costCents, $0.isActive) })
            }
            let stampsValue = program.flatMap {
                LiabilityRules.stampsValueCents(stamps: stamps, target: $0.stampsTarget, rewardCostCents: $0.stampsRewardCostCents)
            }
            let pointsValue = LiabilityRules.pointsValueCents(points: points, costPerPointCents: costPerPoint)
            var expiring = Self.horizons.map { ExpiringPoints(withinDays: $0, points: 0, valueCents: pointsValue.map { _ in 0 }) }
            if let cutoffs = cutoffs[merchantID] {
                let mine = buckets[merchantID] ?? []
                expiring = zip(Self.horizons, cutoffs).map { horizon, cutoff in
                    let due = mine.filter { $0.day <= cutoff.description }.reduce(0) { $0 + $1.points }
                    return ExpiringPoints(
                        withinDays: horizon, points: due, valueCents: LiabilityRules.pointsValueCents(points: due, costPerPointCents: costPerPoint))
                }
            }
            reports[merchantID] = LiabilityReport(
                merchantId: merchantID, outstandingStamps: stamps, outstandingPoints: points, stampsValueCents: stampsValue,
                pointsValueCents: pointsValue, totalValueCents: (stampsValue ?? 0) + (pointsValue ?? 0), costPerPointCents: costPerPoint,
                expiring: expiring)
        }
        return reports
    }

    private struct Bucket: Decodable {
        let merchant_id: UUID
        let day: String
        let points: Int
    }

    /// Points of `merchantIDs` per merchant and activity day up to `lastDay` (none without a day).
    private func pointsBuckets(of merchantIDs: [UUID], through lastDay: CalendarDate?) async throws -> [UUID: [Bucket]] {
        guard let lastDay, !merchantIDs.isEmpty else { return [:] }
        let rows = try await database.sql.raw(
            """
            SELECT merchant_id, day, CAST(SUM(points) AS BIGINT) AS points FROM loyalty_points_by_activity_day
            WHERE merchant_id IN (\(binds: merchantIDs)) AND day <= \(bind: lastDay.description) GROUP BY merchant_id, day
            """
        ).all(decoding: Bucket.self)
        return Dictionary(grouping: rows, by: \.merchant_id)
    }
}
