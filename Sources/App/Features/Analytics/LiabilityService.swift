import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// Outstanding balances and their value (decision 0026). Reads the 8 shard rows of
/// `loyalty_balance_totals`, the program with its rewards, and the points-by-activity-day
/// buckets older than the 90-day horizon (at most one row per day and shard): three queries
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
        return try await reports(of: merchantIDs)
    }

    /// The report of every merchant with a program or a balance (the platform's page; one
    /// without either owes nothing), read without a list of ids, so that it needs no list of
    /// merchants first.
    func everyMerchantsReports() async throws -> [UUID: LiabilityReport] {
        try await reports(of: nil)
    }

    /// `merchantIDs == nil`: every merchant's.
    private func reports(of merchantIDs: [UUID]?) async throws -> [UUID: LiabilityReport] {
        func only(_ column: String) -> SQLQueryString {
            merchantIDs.map { SQLQueryString("WHERE \(unsafeRaw: column) IN (\(binds: $0))") } ?? SQLQueryString("")
        }
        struct Totals: Decodable {
            let merchant_id: UUID
            let stamps: Int
            let points: Int
        }
        let totals = Dictionary(
            try await database.sql.raw(
                """
                SELECT merchant_id, CAST(SUM(stamps) AS BIGINT) AS stamps, CAST(SUM(points) AS BIGINT) AS points
                FROM loyalty_balance_totals \(only("merchant_id")) GROUP BY merchant_id
                """
            ).all(decoding: Totals.self).map { ($0.merchant_id, $0) }, uniquingKeysWith: { first, _ in first })

        // The few columns the values need, with SQLKit (the platform page reads every
        // merchant's program, and Fluent's models were a tenth of its profile), each program
        // with its rewards in one statement.
        var programs: [UUID: ProgramCosts] = [:]
        var rewards: [UUID: [RewardCost]] = [:]
        for row in try await database.sql.raw(
            """
            SELECT p.id, p.merchant_id, p.stamps_target, p.stamps_reward_cost_cents, p.points_expiration_days,
                r.points_cost, r.cost_cents, r.is_active
            FROM \(ident: ProgramModel.schema) p LEFT JOIN \(ident: RewardModel.schema) r ON r.program_id = p.id
            \(only("p.merchant_id"))
            """
        ).all(decoding: ProgramRewardRow.self) {
            guard programs[row.merchant_id].map({ $0.id == row.id }) ?? true else { continue }
            programs[row.merchant_id] = ProgramCosts(
                id: row.id, stamps_target: row.stamps_target, stamps_reward_cost_cents: row.stamps_reward_cost_cents,
                points_expiration_days: row.points_expiration_days)
            if let pointsCost = row.points_cost, let isActive = row.is_active {
                rewards[row.id, default: []].append(RewardCost(points_cost: pointsCost, cost_cents: row.cost_cents, is_active: isActive))
            }
        }

        // Safe: every instant has a Gregorian date.
        let today = CalendarDate(now(), in: .gmt)!
        let cutoffs = programs.compactMapValues { program in
            program.points_expiration_days.map { days in
                Self.horizons.map { LiabilityRules.expiringLastActivityCutoff(today: today, expirationDays: days, withinDays: $0) }
            }
        }
        let due = try await pointsDue(by: cutoffs)

        var reports: [UUID: LiabilityReport] = [:]
        for merchantID in merchantIDs ?? Array(Set(totals.keys).union(programs.keys)) {
            let stamps = totals[merchantID]?.stamps ?? 0
            let points = totals[merchantID]?.points ?? 0
            let program = programs[merchantID]
            let costPerPoint = program.flatMap { program in
                LiabilityRules.costPerPointCents(rewards: (rewards[program.id] ?? []).map { ($0.points_cost, $0.cost_cents, $0.is_active) })
            }
            let stampsValue = program.flatMap {
                LiabilityRules.stampsValueCents(stamps: stamps, target: $0.stamps_target, rewardCostCents: $0.stamps_reward_cost_cents)
            }
            let pointsValue = LiabilityRules.pointsValueCents(points: points, costPerPointCents: costPerPoint)
            var expiring = Self.horizons.map { ExpiringPoints(withinDays: $0, points: 0, valueCents: pointsValue.map { _ in 0 }) }
            if cutoffs[merchantID] != nil {
                let mine = due[merchantID] ?? Self.horizons.map { _ in 0 }
                expiring = zip(Self.horizons, mine).map { horizon, points in
                    ExpiringPoints(
                        withinDays: horizon, points: points, valueCents: LiabilityRules.pointsValueCents(points: points, costPerPointCents: costPerPoint))
                }
            }
            reports[merchantID] = LiabilityReport(
                merchantId: merchantID, outstandingStamps: stamps, outstandingPoints: points, stampsValueCents: stampsValue,
                pointsValueCents: pointsValue, totalValueCents: (stampsValue ?? 0) + (pointsValue ?? 0), costPerPointCents: costPerPoint,
                expiring: expiring)
        }
        return reports
    }

    /// A program and one of its rewards (none: the reward's columns are null).
    private struct ProgramRewardRow: Decodable {
        let id: UUID
        let merchant_id: UUID
        let stamps_target: Int
        let stamps_reward_cost_cents: Int?
        let points_expiration_days: Int?
        let points_cost: Int?
        let cost_cents: Int?
        let is_active: Bool?
    }

    /// What a program's liability needs: its stamp card's size and reward cost, and how long
    /// points live.
    private struct ProgramCosts {
        let id: UUID
        let stamps_target: Int
        let stamps_reward_cost_cents: Int?
        let points_expiration_days: Int?
    }

    private struct RewardCost {
        let points_cost: Int
        let cost_cents: Int?
        let is_active: Bool
    }

    /// Per merchant, the points whose last activity is on or before each of its cutoffs (one
    /// per horizon), summed by the database: the buckets of every day before the horizon were
    /// decoded and filtered in Swift, a tenth of the platform analytics page.
    private func pointsDue(by cutoffs: [UUID: [CalendarDate]]) async throws -> [UUID: [Int]] {
        guard !cutoffs.isEmpty else { return [:] }
        let horizons = Self.horizons.indices
        let sums = horizons.map { "CAST(SUM(CASE WHEN b.day <= c.h\($0) THEN b.points ELSE 0 END) AS BIGINT) AS h\($0)" }.joined(separator: ", ")
        // One row of cutoffs per merchant, joined to its buckets.
        var values = SQLQueryString("")
        for (index, (merchantID, days)) in cutoffs.enumerated() {
            values = values + SQLQueryString(index == 0 ? "(" : ", (") + SQLQueryString("\(bind: merchantID)")
            for day in days { values = values + SQLQueryString(", \(bind: day.description)") }
            values = values + SQLQueryString(")")
        }
        let columns = horizons.map { "h\($0)" }.joined(separator: ", ")
        let rows = try await database.sql.raw(
            """
            WITH c (merchant_id, \(unsafeRaw: columns)) AS (VALUES \(values))
            SELECT b.merchant_id, \(unsafeRaw: sums) FROM loyalty_points_by_activity_day b JOIN c ON c.merchant_id = b.merchant_id
            WHERE b.day <= c.h\(unsafeRaw: String(Self.horizons.count - 1)) GROUP BY b.merchant_id
            """
        ).all()
        return Dictionary(
            try rows.map { row in
                (try row.decode(column: "merchant_id", as: UUID.self), try horizons.map { try row.decode(column: "h\($0)", as: Int.self) })
            }, uniquingKeysWith: { first, _ in first })
    }
}
