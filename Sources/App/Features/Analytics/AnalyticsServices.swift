import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// Analytics from the rollups (decision 0026): never a ledger scan per request. A report
/// reads its daily series from the merchant-day sums of closed days and `loyalty_daily_stats`
/// after them (`MerchantDays`), its stores' sums from `loyalty_daily_stats` (at most stores ×
/// days × 8 shard rows, summed by the database), the staff and reward rollups of the range,
/// and the names.
struct AnalyticsService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    /// Parses `from`/`to` (`YYYY-MM-DD`, inclusive, at most 366 days; default: the last 30
    /// local days in `timezone`); throws a 422 for a bad range.
    func range(from: String?, to: String?, timezone: String) throws -> ClosedRange<CalendarDate> {
        let timeZone = TimeZone(identifier: timezone) ?? .gmt
        // Safe: every instant has a Gregorian date.
        let today = CalendarDate(now(), in: timeZone)!
        var errors: [String: String] = [:]
        let end = to.map { CalendarDate($0) } ?? today
        let start = from.map { CalendarDate($0) } ?? end.map { $0.adding(days: -29) }
        if end == nil || end?.isValid == false { errors["to"] = "must be a date YYYY-MM-DD" }
        if start == nil || start?.isValid == false { errors["from"] = "must be a date YYYY-MM-DD" }
        guard errors.isEmpty, let start, let end else { throw APIError.validationFailed(errors) }
        guard start <= end else { throw APIError.validationFailed(["from": "must not be after to"]) }
        guard end.daysSince(start) < AnalyticsRollupRules.maximumRangeDays else {
            throw APIError.validationFailed(["to": "the range is at most \(AnalyticsRollupRules.maximumRangeDays) days"])
        }
        return start...end
    }

    /// The time zone a merchant's days are counted in: its first store's (stores of one
    /// merchant share a zone in practice), else UTC.
    func timezone(merchantID: UUID, storeID: UUID? = nil) async throws -> String {
        let query = StoreModel.query(on: database).filter(\.$merchant.$id == merchantID)
        if let storeID { query.filter(\.$id == storeID) }
        return try await query.sort(\.$name).first()?.timezone ?? "UTC"
    }

    /// What a report names besides its figures: the merchant's stores (by name) and program.
    /// A page that has read them already passes them (each read is a query).
    struct Names: Sendable {
        let stores: [StoreModel]
        let program: ProgramModel?
    }

    /// One merchant's report, or one of its stores' (`storeID`, 404 when not the merchant's).
    /// `withTables: false` leaves out the tables per store, staff member and reward (empty),
    /// for the dashboard, which shows the series and totals only: five queries fewer.
    func report(
        merchantID: UUID, storeID: UUID?, range: ClosedRange<CalendarDate>, names known: Names? = nil, withTables: Bool = true
    ) async throws -> AnalyticsReport {
        let names: Names
        if let known {
            names = known
        } else {
            names = Names(
                stores: try await StoreModel.query(on: database).filter(\.$merchant.$id == merchantID).sort(\.$name).all(),
                program: try await ProgramModel.query(on: database).filter(\.$merchant.$id == merchantID).first())
        }
        let stores = names.stores
        if let storeID, !stores.contains(where: { $0.id == storeID }) { throw APIError.notFound("The store") }
        let timezone = stores.first(where: { storeID == nil || $0.id == storeID })?.timezone ?? "UTC"

        // The series and the tables are read at once: on PostgreSQL, each on its own connection
        // (SQLite's one connection per event loop takes them in turn).
        // A store's days are not compacted: its series sums its own rows.
        async let byDayRead = storeID == nil
            ? MerchantDays.byDay(merchantID: merchantID, range: range, on: database)
            : MeasureSums.sums(of: "loyalty_daily_stats", by: "day", as: String.self, merchantID: merchantID, storeID: storeID, range: range, on: database)
        var storeRows: [AnalyticsStoreRow] = []
        var staff: [AnalyticsStaffRow] = []
        var rewards: [AnalyticsRewardRow] = []
        if withTables {
            async let byStoreRead = MeasureSums.sums(
                of: "loyalty_daily_stats", by: "store_id", as: UUID.self, merchantID: merchantID, storeID: storeID, range: range, on: database)
            async let staffRead = staffRows(merchantID: merchantID, storeID: storeID, range: range)
            async let rewardsRead = rewardRows(merchantID: merchantID, storeID: storeID, range: range, program: names.program)
            let byStore = try await byStoreRead
            storeRows = try stores.compactMap { store -> AnalyticsStoreRow? in
                let id = try store.requireID()
                guard storeID == nil || id == storeID else { return nil }
                return AnalyticsStoreRow(storeId: id, name: store.name, measures: byStore[id] ?? .init())
            }
            (staff, rewards) = try await (staffRead, rewardsRead)
        }
        let byDay = try await byDayRead
        let totals = byDay.values.reduce(into: AnalyticsMeasures()) { $0.add($1) }
        return AnalyticsReport(
            scope: storeID == nil ? "merchant" : "store", merchantId: merchantID, storeId: storeID,
            from: range.lowerBound.description, to: range.upperBound.description, timezone: timezone, totals: totals,
            redemptionRate: AnalyticsRollupRules.redemptionRate(redeemed: totals.rewardsRedeemed, earned: totals.rewardsEarned),
            series: Self.series(range, byDay), stores: storeRows, staff: staff, rewards: rewards)
    }

    /// The platform across merchants (days as each store counts them).
    func platform(range: ClosedRange<CalendarDate>) async throws -> PlatformAnalyticsReport {
        // The merchants read alongside their figures (on PostgreSQL, on another connection).
        async let merchantRows = MerchantModel.query(on: database).sort(\.$name).all()
        let (byDay, byMerchant) = try await MerchantDays.platform(range: range, on: database)
        let totals = byDay.values.reduce(into: AnalyticsMeasures()) { $0.add($1) }
        let merchants = try await merchantRows
        return PlatformAnalyticsReport(
            from: range.lowerBound.description, to: range.upperBound.description, totals: totals,
            redemptionRate: AnalyticsRollupRules.redemptionRate(redeemed: totals.rewardsRedeemed, earned: totals.rewardsEarned),
            series: Self.series(range, byDay),
            merchants: try merchants.map {
                AnalyticsMerchantRow(merchantId: try $0.requireID(), name: $0.name, measures: byMerchant[try $0.requireID()] ?? .init())
            })
    }

    /// Every day of the range, zeros where nothing happened.
    static func series(_ range: ClosedRange<CalendarDate>, _ byDay: [String: AnalyticsMeasures]) -> [AnalyticsDay] {
        (0...range.upperBound.daysSince(range.lowerBound)).map {
            let day = range.lowerBound.adding(days: $0).description
            return AnalyticsDay(date: day, measures: byDay[day] ?? .init())
        }
    }

    private func staffRows(merchantID: UUID, storeID: UUID?, range: ClosedRange<CalendarDate>) async throws -> [AnalyticsStaffRow] {
        let totals = try await StaffRollupQueries.totals(
            merchantID: merchantID, storeID: storeID, days: range, on: database)
        return totals.map {
            AnalyticsStaffRow(
                kind: $0.identity.kind, staffId: $0.identity.id, name: $0.name, operations: $0.delta.operations,
                stamps: $0.delta.stamps, points: $0.delta.points, redemptions: $0.delta.redemptions, voids: $0.delta.voids,
                pinFailures: $0.delta.pinFailures)
        }.sorted { ($0.operations, $1.name) > ($1.operations, $0.name) }
    }

    private func rewardRows(merchantID: UUID, storeID: UUID?, range: ClosedRange<CalendarDate>, program: ProgramModel?) async throws
        -> [AnalyticsRewardRow]
    {
        struct Row: Decodable {
            let reward_key: UUID
            let kind: String
            let redemptions: Int
            let points_spent: Int
        }
        let filter = DayFilter.sql(days: range, merchantID: merchantID, storeID: storeID)
        let rows = try await database.sql.raw(
            """
            SELECT reward_key, kind, CAST(SUM(redemptions) AS BIGINT) AS redemptions, CAST(SUM(points_spent) AS BIGINT) AS points_spent
            FROM loyalty_reward_daily_stats WHERE \(filter) GROUP BY reward_key, kind
            """
        ).all(decoding: Row.self)
        var names: [UUID: String] = [:]
        // The points rewards' names; the stamp card's reward is the program's.
        if let programID = program?.id, rows.contains(where: { $0.kind != "stamps" }) {
            for reward in try await RewardModel.query(on: database).filter(\.$program.$id == programID).all() {
                if let id = reward.id { names[id] = reward.name }
            }
        }
        return rows.map { row in
            let isStamps = row.kind == "stamps"
            return AnalyticsRewardRow(
                kind: row.kind, rewardId: isStamps ? nil : row.reward_key,
                name: isStamps ? (program?.stampsRewardDescription ?? "") : (names[row.reward_key] ?? ""),
                redemptions: row.redemptions, pointsSpent: row.points_spent)
        }.sorted { ($0.redemptions, $1.name) > ($1.redemptions, $0.name) }
    }

    /// One table of a report as CSV (header row + rows).
    func csv(_ table: AnalyticsTable, of report: AnalyticsReport) -> String {
        switch table {
        case .series: AnalyticsCSV.series(report.series)
        case .stores: AnalyticsCSV.measures(report.stores.map { ($0.storeId.uuidString.lowercased(), $0.name, $0.measures) }, idHeader: "store_id")
        case .staff: AnalyticsCSV.staff(report.staff)
        case .rewards: AnalyticsCSV.rewards(report.rewards)
        }
    }

    /// The platform report as CSV: `series`, or `stores` for the table of merchants
    /// (`staff` and `rewards` are per merchant: answered with the merchants table too).
    func csv(_ table: AnalyticsTable, of report: PlatformAnalyticsReport) -> String {
        switch table {
        case .series: AnalyticsCSV.series(report.series)
        case .stores, .staff, .rewards:
            AnalyticsCSV.measures(report.merchants.map { ($0.merchantId.uuidString.lowercased(), $0.name, $0.measures) }, idHeader: "merchant_id")
        }
    }
}

extension AnalyticsMeasures {
    mutating func add(_ other: AnalyticsMeasures) {
        enrollments += other.enrollments
        activeCards += other.activeCards
        visits += other.visits
        stampsGiven += other.stampsGiven
        stampsRedeemed += other.stampsRedeemed
        stampsVoided += other.stampsVoided
        pointsGiven += other.pointsGiven
        pointsRedeemed += other.pointsRedeemed
        pointsVoided += other.pointsVoided
        pointsExpired += other.pointsExpired
        rewardsRedeemed += other.rewardsRedeemed
        rewardsEarned += other.rewardsEarned
    }

    func adding(_ other: AnalyticsMeasures) -> AnalyticsMeasures {
        var sum = self
        sum.add(other)
        return sum
    }

    /// Column names and values in a fixed order (CSV).
    static let columnNames = [
        "enrollments", "active_cards", "visits", "stamps_given", "stamps_redeemed", "stamps_voided", "points_given", "points_redeemed",
        "points_voided", "points_expired", "rewards_redeemed", "rewards_earned",
    ]

    var columnValues: [Int] {
        [
            enrollments, activeCards, visits, stampsGiven, stampsRedeemed, stampsVoided, pointsGiven, pointsRedeemed, pointsVoided,
            pointsExpired, rewardsRedeemed, rewardsEarned,
        ]
    }
}

extension Request {
    var analytics: AnalyticsService { AnalyticsService(database: db, now: application.clock) }
    var liability: LiabilityService { LiabilityService(database: db, now: application.clock) }
    var fraudSignals: FraudSignalService { FraudSignalService(database: db, now: application.clock) }
}
