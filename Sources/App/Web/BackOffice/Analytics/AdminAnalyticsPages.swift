import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// The platform's analytics (`/admin/analytics`, CSV at `/admin/analytics.csv`): the same
/// `req.analytics.platform` report as the API's `/admin/loyalty/analytics` (days in UTC), one
/// row per merchant with what it owes and its open fraud signals.
struct AdminAnalyticsPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("analytics", use: show)
        routes.get("analytics.csv", use: csv)
    }

    struct MerchantRow: Encodable, Sendable {
        let name: String
        let cells: [ChartTable.Cell]
        let liability: String
        let signals: String
    }

    struct AdminAnalyticsPage: Encodable, Sendable {
        let from: String
        let to: String
        let error: String
        let period: String
        let tiles: [AnalyticsTile]
        let charts: [ChartTable]
        let columns: [String]
        let merchants: [MerchantRow]
        let merchantsCSV: String
    }

    /// The platform's days are UTC days (decision 0026).
    static let timezone = "UTC"

    static let columns: [MeasureColumn<AnalyticsMeasures>] = [
        .enrollments, .visits, .stampsGiven, .stampsRedeemed, .pointsGiven, .pointsRedeemed, .rewardsRedeemed,
    ]

    @Sendable
    func show(req: Request) async throws -> Response {
        let filters = AnalyticsFilters(req)
        let format = AnalyticsPageFormat(request: req, timeZone: .gmt)
        let range: ClosedRange<CalendarDate>
        do {
            range = try req.analytics.range(from: filters.fromOrNil, to: filters.toOrNil, timezone: Self.timezone)
        } catch let error as APIError {
            let page = AdminAnalyticsPage(
                from: filters.from, to: filters.to, error: req.t("analytics.error_dates"), period: "", tiles: [], charts: [],
                columns: [], merchants: [], merchantsCSV: "")
            return try await req.renderBackOffice(
                "backoffice/analytics/admin", title: "analytics.admin_title", page, status: error.status, script: "charts.js")
        }
        // Every merchant's liability and signals in one report each, not one per merchant, read
        // while the activity is: on PostgreSQL each on its own connection (SQLite's one
        // connection per event loop takes the statements in turn).
        async let liabilityReports = req.liability.everyMerchantsReports()
        async let signalReport = req.fraudSignals.report(merchantID: nil)
        let report = try await req.analytics.platform(range: range)
        func csv(_ table: String) -> String { "/admin/analytics.csv" + filters.csvQuery(table: table, range: range, storeID: nil) }

        // Every merchant, including those without activity in the period (the report lists
        // them all, by name).
        let merchants = report.merchants
        let liabilities = try await liabilityReports
        let signals = Dictionary(grouping: try await signalReport.signals, by: \.merchantId)
        let rows = merchants.map { merchant in
            MerchantRow(
                name: merchant.name, cells: Self.columns.map { format.cell($0.value(merchant.measures)) },
                liability: format.euros(cents: liabilities[merchant.merchantId]?.totalValueCents ?? 0),
                signals: format.number(signals[merchant.merchantId]?.count ?? 0))
        }

        let days = format.labelled(report.series)
        let page = AdminAnalyticsPage(
            from: range.lowerBound.description, to: range.upperBound.description, error: "",
            period: req.t("analytics.period", format.longDay(report.from), format.longDay(report.to)),
            tiles: [
                .init(value: format.number(merchants.count), label: req.t("analytics.merchants")),
                .init(value: format.number(report.totals.enrollments), label: req.t("analytics.m_enrollments")),
                .init(value: format.number(report.totals.visits), label: req.t("analytics.m_visits")),
                .init(value: format.number(report.totals.rewardsRedeemed), label: req.t("analytics.m_rewards_redeemed")),
                .init(value: format.rate(report.redemptionRate), label: req.t("analytics.redemption_rate")),
            ],
            charts: [
                format.series(
                    id: "chart-platform-activity", titleKey: "analytics.chart_activity", days, [.enrollments, .visits, .rewardsRedeemed],
                    csvURL: csv("series")),
                format.series(
                    id: "chart-platform-balances", titleKey: "analytics.chart_given", days, [.stampsGiven, .pointsGiven],
                    csvURL: csv("series")),
            ],
            columns: Self.columns.map { req.t($0.key) }, merchants: rows, merchantsCSV: csv("merchants"))
        return try await req.renderBackOffice("backoffice/analytics/admin", title: "analytics.admin_title", page, script: "charts.js")
    }

    /// `?table=series|merchants` (`stores` is read as merchants, as in the API).
    @Sendable
    func csv(req: Request) async throws -> Response {
        let filters = AnalyticsFilters(req)
        let name = req.query[String.self, at: "table"] ?? AnalyticsTable.series.rawValue
        guard let table = name == "merchants" ? .stores : AnalyticsTable(rawValue: name), table == .series || table == .stores else {
            throw APIError.validationFailed(["table": "must be series or merchants"])
        }
        let range = try req.analytics.range(from: filters.fromOrNil, to: filters.toOrNil, timezone: Self.timezone)
        let report = try await req.analytics.platform(range: range)
        let file = table == .series ? "series" : "merchants"
        return AnalyticsController.csvResponse(req.analytics.csv(table, of: report), named: "platform-\(file)-\(report.from)-\(report.to).csv")
    }
}
