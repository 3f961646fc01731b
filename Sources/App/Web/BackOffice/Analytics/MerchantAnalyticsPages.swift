import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// The owner's analytics (`/merchant/analytics`, its CSV at `/merchant/analytics.csv`): the
/// same `req.analytics` report as the API's `/merchants/loyalty/analytics`, filtered by a GET
/// form that works without JavaScript. The CSV is a page route because a browser on the page
/// holds a session cookie, not an API token (decision 0032). Fraud signals are in
/// `MerchantSignalsPage`.
struct MerchantAnalyticsPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("analytics", use: show)
        routes.get("analytics.csv", use: csv)
        try routes.register(collection: MerchantSignalsPage())
    }

    struct StoreOption: Encodable, Sendable {
        let id: String
        let name: String
        let selected: Bool
    }

    struct AnalyticsPage: Encodable, Sendable {
        let from: String
        let to: String
        let stores: [StoreOption]
        /// Why the filters show no figures, in the page's language; empty when they are fine.
        let error: String
        let period: String
        let tiles: [AnalyticsTile]
        let charts: [ChartTable]
        let tables: [ChartTable]
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        let filters = AnalyticsFilters(req)
        let format = AnalyticsPageFormat(request: req, timeZone: scope.timeZone)
        func options(selected: String) -> [StoreOption] {
            scope.stores.compactMap { store in
                store.id.map { StoreOption(id: $0.uuidString, name: store.name, selected: $0.uuidString.lowercased() == selected.lowercased()) }
            }
        }
        func refused(_ key: String, status: HTTPStatus) async throws -> Response {
            let page = AnalyticsPage(
                from: filters.from, to: filters.to, stores: options(selected: filters.store), error: req.t(key), period: "",
                tiles: [], charts: [], tables: [])
            return try await req.renderBackOffice("backoffice/analytics/analytics", title: "analytics.title", page, status: status, script: "charts.js")
        }

        let store: StoreModel?
        switch filters.storeID {
        case .failure(let error): return try await refused("analytics.error_store", status: error.status)
        case .success(let id):
            do { store = try scope.store(id) } catch let error as APIError { return try await refused("analytics.error_store", status: error.status) }
        }
        let storeID = try store?.requireID()
        let range: ClosedRange<CalendarDate>
        do {
            range = try req.analytics.range(from: filters.fromOrNil, to: filters.toOrNil, timezone: scope.timezone(of: store))
        } catch let error as APIError {
            return try await refused("analytics.error_dates", status: error.status)
        }
        let program = try await ProgramModel.query(on: req.db).filter(\.$merchant.$id == scope.merchantID).first()
        let report = try await req.analytics.report(
            merchantID: scope.merchantID, storeID: storeID, range: range, names: .init(stores: scope.stores, program: program))
        let type = program?.loyaltyType ?? .hybrid

        let page = AnalyticsPage(
            from: range.lowerBound.description, to: range.upperBound.description,
            stores: options(selected: storeID?.uuidString ?? ""), error: "",
            period: req.t("analytics.period", format.longDay(report.from), format.longDay(report.to)),
            tiles: Self.tiles(report, type: type, format: format),
            charts: Self.charts(report, type: type, format: format) { table in "/merchant/analytics.csv" + filters.csvQuery(table: table, range: range, storeID: storeID) },
            tables: Self.tables(report, type: type, format: format) { table in "/merchant/analytics.csv" + filters.csvQuery(table: table, range: range, storeID: storeID) })
        return try await req.renderBackOffice("backoffice/analytics/analytics", title: "analytics.title", page, script: "charts.js")
    }

    static func tiles(_ report: AnalyticsReport, type: LoyaltyType, format: AnalyticsPageFormat) -> [AnalyticsTile] {
        var tiles = [
            AnalyticsTile(value: format.number(report.totals.enrollments), label: format.t("analytics.m_enrollments")),
            AnalyticsTile(value: format.number(report.totals.visits), label: format.t("analytics.m_visits")),
        ]
        if type.collectsStamps { tiles.append(.init(value: format.number(report.totals.stampsGiven), label: format.t("analytics.m_stamps_given"))) }
        if type.collectsPoints { tiles.append(.init(value: format.number(report.totals.pointsGiven), label: format.t("analytics.m_points_given"))) }
        tiles.append(.init(value: format.number(report.totals.rewardsRedeemed), label: format.t("analytics.m_rewards_redeemed")))
        tiles.append(.init(value: format.rate(report.redemptionRate), label: format.t("analytics.redemption_rate")))
        return tiles
    }

    /// The daily charts: cards, visits, then stamps and points where the program has them.
    static func charts(
        _ report: AnalyticsReport, type: LoyaltyType, format: AnalyticsPageFormat, csv: (String) -> String
    ) -> [ChartTable] {
        let days = format.labelled(report.series)
        var charts = [
            format.series(id: "chart-cards", titleKey: "analytics.chart_cards", days, [.enrollments, .activeCards], csvURL: csv("series")),
            format.series(
                id: "chart-visits", titleKey: "analytics.chart_visits", days, [.visits, .rewardsEarned, .rewardsRedeemed],
                csvURL: csv("series")),
        ]
        if type.collectsStamps {
            charts.append(
                format.series(
                    id: "chart-stamps", titleKey: "analytics.chart_stamps", days, [.stampsGiven, .stampsRedeemed, .stampsVoided],
                    csvURL: csv("series")))
        }
        if type.collectsPoints {
            charts.append(
                format.series(
                    id: "chart-points", titleKey: "analytics.chart_points", days,
                    [.pointsGiven, .pointsRedeemed, .pointsVoided, .pointsExpired], csvURL: csv("series")))
        }
        return charts
    }

    /// Per store, per staff member, per reward.
    static func tables(
        _ report: AnalyticsReport, type: LoyaltyType, format: AnalyticsPageFormat, csv: (String) -> String
    ) -> [ChartTable] {
        var storeColumns: [MeasureColumn<AnalyticsStoreRow>] = [
            .init(key: "analytics.m_enrollments") { $0.measures.enrollments }, .init(key: "analytics.m_visits") { $0.measures.visits },
        ]
        if type.collectsStamps {
            storeColumns += [
                .init(key: "analytics.m_stamps_given") { $0.measures.stampsGiven },
                .init(key: "analytics.m_stamps_redeemed") { $0.measures.stampsRedeemed },
            ]
        }
        if type.collectsPoints {
            storeColumns += [
                .init(key: "analytics.m_points_given") { $0.measures.pointsGiven },
                .init(key: "analytics.m_points_redeemed") { $0.measures.pointsRedeemed },
            ]
        }
        storeColumns.append(.init(key: "analytics.m_rewards_redeemed") { $0.measures.rewardsRedeemed })
        let staffColumns: [MeasureColumn<AnalyticsStaffRow>] = [
            .init(key: "analytics.s_operations") { $0.operations }, .init(key: "analytics.s_stamps") { $0.stamps },
            .init(key: "analytics.s_points") { $0.points }, .init(key: "analytics.s_redemptions") { $0.redemptions },
            .init(key: "analytics.s_voids") { $0.voids }, .init(key: "analytics.s_pin_failures") { $0.pinFailures },
        ]
        let rewardColumns: [MeasureColumn<AnalyticsRewardRow>] = [
            .init(key: "analytics.r_redemptions") { $0.redemptions }, .init(key: "analytics.r_points_spent") { $0.pointsSpent },
        ]
        return [
            format.table(
                id: "table-stores", titleKey: "analytics.table_stores", labelKey: "analytics.store", report.stores, label: \.name,
                storeColumns, csvURL: csv("stores")),
            format.table(
                id: "table-staff", titleKey: "analytics.table_staff", labelKey: "analytics.staff_member", report.staff,
                label: { row in row.kind == "pin" ? format.t("analytics.staff_pin", row.name) : row.name }, staffColumns,
                csvURL: csv("staff")),
            format.table(
                id: "table-rewards", titleKey: "analytics.table_rewards", labelKey: "analytics.reward", report.rewards, label: \.name,
                rewardColumns, csvURL: csv("rewards")),
        ]
    }

    /// The same report as the page, one table as CSV (`?table=series|stores|staff|rewards`).
    @Sendable
    func csv(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        let filters = AnalyticsFilters(req)
        let name = req.query[String.self, at: "table"] ?? AnalyticsTable.series.rawValue
        guard let table = AnalyticsTable(rawValue: name) else {
            throw APIError.validationFailed(["table": "must be one of series, stores, staff, rewards"])
        }
        let storeID = try scope.store(filters.storeID.get())?.requireID()
        let timezone = try await req.analytics.timezone(merchantID: scope.merchantID, storeID: storeID)
        let range = try req.analytics.range(from: filters.fromOrNil, to: filters.toOrNil, timezone: timezone)
        let report = try await req.analytics.report(merchantID: scope.merchantID, storeID: storeID, range: range)
        return AnalyticsController.csvResponse(
            req.analytics.csv(table, of: report), named: "analytics-\(table.rawValue)-\(report.from)-\(report.to).csv")
    }
}
