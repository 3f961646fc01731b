import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/store/stats`, for managers and owners: the store's figures from the same service as the
/// API's `/store/loyalty/stats` (today in the store's time zone, the last 7 and 30 days), with
/// numbers written the way the page's language writes them.
struct StoreStatsPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("stats", use: show)
    }

    struct StatsPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let label: String
            let today: String
            let week: String
            let month: String
        }

        let storeName: String
        let today: String
        let cardsTotal: String
        let activeCards: String
        let enrolledToday: String
        let rows: [Row]
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let stats = try await req.stats.stats(for: req.store, merchantWide: false)
        let program = try await ProgramModel.query(on: req.db).filter(\.$merchant.$id == req.store.merchantID).first()
        let type = program?.loyaltyType ?? .hybrid
        let format = req.storeFormat
        func row(_ key: String, _ value: (PeriodStats) -> Int) -> StatsPage.Row {
            StatsPage.Row(
                label: req.t(key), today: format.number(value(stats.todayStats)), week: format.number(value(stats.last7Days)),
                month: format.number(value(stats.last30Days)))
        }
        var rows = [row("store.stat_cards_enrolled", \.cardsEnrolled)]
        if type.collectsStamps {
            rows += [row("store.stat_stamps_given", \.stampsGiven), row("store.stat_stamps_redeemed", \.stampsRedeemed)]
        }
        if type.collectsPoints {
            rows += [
                row("store.stat_points_given", \.pointsGiven), row("store.stat_points_redeemed", \.pointsRedeemed),
                row("store.stat_points_expired", \.pointsExpired),
            ]
        }
        let store = try await StoreModel.find(req.store.storeID, on: req.db)
        let page = StatsPage(
            storeName: store?.name ?? req.store.code, today: format.date(req.application.clock()),
            cardsTotal: format.number(stats.cardsTotal), activeCards: format.number(stats.activeCards30Days),
            enrolledToday: format.number(stats.todayStats.cardsEnrolled), rows: rows)
        return try await req.renderPage("store/stats", title: "store.stats_title", page, stylesheet: "store.css", script: "store.js")
    }
}
