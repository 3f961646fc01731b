import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/merchant`: the owner's dashboard. Tiles from the same services as the API (`req.stats`
/// for cards and today, `req.analytics` for the last 30 days, `req.liability`,
/// `req.fraudSignals`), a chart of the last 30 days with its table, what the merchant owes,
/// and the stores with their terminal.
struct MerchantHomePage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: merchant)
    }

    struct MerchantPage: Encodable, Sendable {
        struct Store: Encodable, Sendable {
            let name: String
            let code: String
            let terminalURL: String
        }

        struct Fact: Encodable, Sendable {
            let label: String
            let value: String
        }

        let merchantName: String
        let today: String
        let tiles: [AnalyticsTile]
        let chart: ChartTable
        let liability: [Fact]
        let expiring: [Fact]
        let stores: [Store]
    }

    @Sendable
    func merchant(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        let format = AnalyticsPageFormat(request: req, timeZone: scope.timeZone)
        let stats = try await req.stats.stats(merchantID: scope.merchantID, storeID: nil, timezone: scope.timezone)
        let range = try req.analytics.range(from: nil, to: nil, timezone: scope.timezone)
        let program = try await ProgramModel.query(on: req.db).filter(\.$merchant.$id == scope.merchantID).first()
        let report = try await req.analytics.report(
            merchantID: scope.merchantID, storeID: nil, range: range, names: .init(stores: scope.stores, program: program), withTables: false)
        let liability = try await req.liability.report(merchantID: scope.merchantID)
        let signals = try await req.fraudSignals.report(merchantID: scope.merchantID)
        let type = program?.loyaltyType ?? .hybrid

        var tiles = [
            AnalyticsTile(value: format.number(stats.cardsTotal), label: req.t("analytics.cards_total")),
            AnalyticsTile(value: format.number(stats.activeCards30Days), label: req.t("analytics.active_cards_30")),
        ]
        if type.collectsStamps { tiles.append(.init(value: format.number(stats.todayStats.stampsGiven), label: req.t("analytics.stamps_today"))) }
        if type.collectsPoints { tiles.append(.init(value: format.number(stats.todayStats.pointsGiven), label: req.t("analytics.points_today"))) }
        tiles += [
            AnalyticsTile(value: format.rate(report.redemptionRate), label: req.t("analytics.redemption_rate_30")),
            AnalyticsTile(value: format.euros(cents: liability.totalValueCents), label: req.t("analytics.liability_value")),
            AnalyticsTile(value: format.number(signals.signals.count), label: req.t("analytics.open_signals"), url: "/merchant/signals"),
        ]

        var columns: [MeasureColumn<AnalyticsMeasures>] = [.visits]
        if type.collectsStamps { columns.append(.stampsGiven) }
        if type.collectsPoints { columns.append(.pointsGiven) }
        columns.append(.rewardsRedeemed)
        let csv = "/merchant/analytics.csv" + AnalyticsFilters(req).csvQuery(table: "series", range: range, storeID: nil)
        let chart = format.series(id: "chart-30-days", titleKey: "analytics.last_30_days", format.labelled(report.series), columns, csvURL: csv)

        var owed: [MerchantPage.Fact] = []
        if type.collectsStamps {
            owed.append(.init(label: req.t("analytics.outstanding_stamps"), value: format.number(liability.outstandingStamps)))
            owed.append(.init(label: req.t("analytics.stamps_value"), value: format.euros(cents: liability.stampsValueCents)))
        }
        if type.collectsPoints {
            owed.append(.init(label: req.t("analytics.outstanding_points"), value: format.number(liability.outstandingPoints)))
            owed.append(.init(label: req.t("analytics.points_value"), value: format.euros(cents: liability.pointsValueCents)))
        }
        owed.append(.init(label: req.t("analytics.liability_value"), value: format.euros(cents: liability.totalValueCents)))
        let expiring = type.collectsPoints
            ? liability.expiring.map {
                MerchantPage.Fact(
                    label: req.t("analytics.expiring_within", format.number($0.withinDays)),
                    value: req.t("analytics.points_worth", format.number($0.points), format.euros(cents: $0.valueCents)))
            } : []

        let page = MerchantPage(
            merchantName: scope.merchantName, today: format.longDay(stats.today), tiles: tiles, chart: chart, liability: owed,
            expiring: expiring,
            stores: try scope.stores.map { .init(name: $0.name, code: $0.code, terminalURL: "/store/terminal?store=\(try $0.requireID())") })
        return try await req.renderBackOffice("backoffice/merchant", title: "merchant.title", page, script: "charts.js")
    }
}
