import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// The owner's dashboard, analytics and signals pages and the admin's analytics page: who may
/// open them, that their figures and CSV are the service's, that bad filters are refused in
/// words and another merchant's store shows nothing.
@Suite struct AnalyticsPagesTests {
    /// The same service the pages call, built as `req.analytics` builds it.
    static func service(_ app: Application) -> AnalyticsService { AnalyticsService(database: app.db, now: app.clock) }

    /// The owner's default report (the last 30 local days, all stores), as the page asks for it.
    static func defaultReport(_ app: Application, _ counter: Counter, storeID: UUID? = nil) async throws -> AnalyticsReport {
        let service = Self.service(app)
        let merchantID = try counter.merchant.requireID()
        let range = try service.range(from: nil, to: nil, timezone: try await service.timezone(merchantID: merchantID, storeID: storeID))
        return try await service.report(merchantID: merchantID, storeID: storeID, range: range)
    }

    @Test func ownersAndTheAdminReachTheirPagesAndNobodyElse() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let admin = try await app.makeUser(.platformAdmin)
            let ownerPages = ["/merchant", "/merchant/analytics", "/merchant/signals", "/merchant/analytics.csv"]
            var owner = try await PageClient.signedIn(app, as: counter.owner)
            for path in ownerPages {
                #expect(try await owner.get(path).status == .ok, "\(path)")
            }
            #expect(try await owner.get("/admin/analytics").status == .forbidden)
            #expect(try await owner.get("/admin/analytics.csv").status == .forbidden)

            var cashier = try await PageClient.signedIn(app, as: counter.cashier)
            var adminClient = try await PageClient.signedIn(app, as: admin)
            for path in ownerPages {
                #expect(try await cashier.get(path).status == .forbidden, "\(path) for a cashier")
                #expect(try await adminClient.get(path).status == .forbidden, "\(path) for the admin")
            }
            #expect(try await adminClient.get("/admin/analytics").status == .ok)
            #expect(try await adminClient.get("/admin/analytics.csv").status == .ok)

            var nobody = PageClient(app)
            for path in ownerPages + ["/admin/analytics"] {
                let page = try await nobody.get(path)
                #expect(page.status == .seeOther, "\(path) signed out")
                #expect(page.location?.hasPrefix("/login") == true)
            }
        }
    }

    @Test func theAnalyticsTablesHoldTheServicesFiguresAndTheCSVTheSame() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            #expect(try await app.stamp(counter).status == .ok)
            var owner = try await PageClient.signedIn(app, as: counter.owner)
            let page = try await owner.get("/merchant/analytics")
            #expect(page.status == .ok)
            let report = try await Self.defaultReport(app, counter)
            #expect(report.totals.stampsGiven == 1, "the stamp reached the rollups")

            let stamps = Self.tableValues(page.text, id: "chart-stamps")
            #expect(stamps == report.series.map { [$0.measures.stampsGiven, $0.measures.stampsRedeemed, $0.measures.stampsVoided] })
            let visits = Self.tableValues(page.text, id: "chart-visits")
            #expect(visits == report.series.map { [$0.measures.visits, $0.measures.rewardsEarned, $0.measures.rewardsRedeemed] })
            #expect(Self.tableValues(page.text, id: "table-stores").count == report.stores.count)
            #expect(page.text.contains(counter.store.name))
            #expect(page.text.contains("data-chart=\"chart-stamps\""), "the chart's canvas names its table")

            // The CSV link of a chart, followed: the service's CSV for the same range, and its
            // stamps column is the table's.
            let link = try #require(Self.csvLink(page.text, table: "series"))
            let csv = try await owner.get(link)
            #expect(csv.status == .ok)
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(String(buffer: csv.body) == Self.service(app).csv(.series, of: report))
            let lines = String(buffer: csv.body).split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let column = try #require(lines.first?.firstIndex(of: "stamps_given"))
            #expect(lines.dropFirst().map { Int($0[column]) } == stamps.map { $0[0] })

            // The dashboard shows the same day's stamp in its chart's table.
            let dashboard = try await owner.get("/merchant")
            let chart = Self.tableValues(dashboard.text, id: "chart-30-days")
            #expect(chart.count == 30)
            #expect(chart.map { $0[1] } == report.series.map(\.measures.stampsGiven))
            #expect(dashboard.text.contains("/store/terminal?store=\(counter.store.id!)"), "the store's terminal link stays")
        }
    }

    @Test func badFiltersAreRefusedInWordsAndChangeNothing() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            var owner = try await PageClient.signedIn(app, as: counter.owner)
            for query in ["from=2026-13-40", "to=yesterday", "from=2026-11-30&to=2026-11-01", "from=2024-01-01&to=2026-01-01"] {
                let page = try await owner.get("/merchant/analytics?" + query)
                #expect(page.status == .unprocessableEntity, "\(query)")
                #expect(page.alertText?.contains("These dates cannot be shown") == true, "\(query)")
                #expect(!page.text.contains("data-chart="), "no figures for \(query)")
                let csv = try await owner.get("/merchant/analytics.csv?" + query)
                #expect(csv.status == .unprocessableEntity, "CSV \(query)")
            }
            let french = try await owner.get("/merchant/analytics?from=2026-13-40&lang=fr")
            #expect(french.alertText?.contains("Ces dates ne peuvent pas") == true)
            let garbage = try await owner.get("/merchant/analytics?store=not-a-store&lang=en")
            #expect(garbage.status == .unprocessableEntity)
            #expect(garbage.alertText == "This store is not one of yours.")
            #expect(try await owner.get("/merchant/analytics.csv?table=passwords").status == .unprocessableEntity)
            // Empty fields (a form sent as it is) mean the defaults.
            #expect(try await owner.get("/merchant/analytics?from=&to=&store=").status == .ok)

            let admin = try await app.makeUser(.platformAdmin)
            var adminClient = try await PageClient.signedIn(app, as: admin)
            let adminPage = try await adminClient.get("/admin/analytics?from=2026-02-30")
            #expect(adminPage.status == .unprocessableEntity)
            #expect(adminPage.alertText?.contains("These dates cannot be shown") == true)
            #expect(try await adminClient.get("/admin/analytics.csv?table=staff").status == .unprocessableEntity)
        }
    }

    @Test func anotherMerchantsStoreInTheFilterShowsNothingOfTheirs() async throws {
        try await withTestApp { app, _ in
            let mine = try await Counter.make(in: app)
            let theirs = try await Counter.make(in: app)
            #expect(try await app.stamp(theirs).status == .ok)
            let theirStore = try theirs.store.requireID()
            var owner = try await PageClient.signedIn(app, as: mine.owner)

            let page = try await owner.get("/merchant/analytics?store=\(theirStore)")
            #expect(page.status == .notFound)
            #expect(page.alertText == "This store is not one of yours.")
            #expect(!page.text.contains(theirs.store.name))
            #expect(!page.text.contains("data-chart="))
            #expect(try await owner.get("/merchant/analytics.csv?store=\(theirStore)").status == .notFound)

            // Unfiltered, the owner sees its own store and none of the other merchant's.
            let own = try await owner.get("/merchant/analytics")
            #expect(own.text.contains(mine.store.name))
            #expect(!own.text.contains(theirs.store.name))
            #expect(!own.text.contains(theirStore.uuidString))
            let report = try await Self.defaultReport(app, mine)
            #expect(report.totals.stampsGiven == 0, "the other merchant's stamp is not in this one's figures")
            #expect(Self.tableValues(own.text, id: "chart-stamps").allSatisfy { $0 == [0, 0, 0] })

            // Filtered by its own store, it gets that store's report.
            let filtered = try await owner.get("/merchant/analytics?store=\(mine.store.id!)")
            #expect(filtered.status == .ok)
            #expect(filtered.text.contains("value=\"\(mine.store.id!.uuidString)\" selected"))
        }
    }

    @Test func theAdminSeesEveryMerchantAndItsCSV() async throws {
        try await withTestApp { app, _ in
            let first = try await Counter.make(in: app)
            let second = try await Counter.make(in: app)
            first.merchant.name = "Boulangerie Alpha"
            try await first.merchant.save(on: app.db)
            second.merchant.name = "Fleuriste Beta"
            try await second.merchant.save(on: app.db)
            #expect(try await app.stamp(second).status == .ok)
            let admin = try await app.makeUser(.platformAdmin)
            var client = try await PageClient.signedIn(app, as: admin)
            let page = try await client.get("/admin/analytics")
            #expect(page.status == .ok)
            #expect(page.text.contains("Boulangerie Alpha") && page.text.contains("Fleuriste Beta"))

            let service = Self.service(app)
            let range = try service.range(from: nil, to: nil, timezone: "UTC")
            let report = try await service.platform(range: range)
            #expect(report.totals.stampsGiven == 1)
            let series = Self.tableValues(page.text, id: "chart-platform-balances")
            #expect(series == report.series.map { [$0.measures.stampsGiven, $0.measures.pointsGiven] })
            let link = try #require(Self.csvLink(page.text, table: "merchants", base: "/admin/analytics.csv"))
            let csv = try await client.get(link)
            #expect(csv.status == .ok)
            #expect(String(buffer: csv.body) == service.csv(.stores, of: report))
        }
    }

    @Test func theSignalsPageShowsTheThresholdsInForce() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            var owner = try await PageClient.signedIn(app, as: counter.owner)
            let page = try await owner.get("/merchant/signals")
            #expect(page.status == .ok)
            let fraud = try await SettingsService.settings(of: counter.merchant.requireID(), on: app.db).fraud
            #expect(page.text.contains("Thresholds in force"))
            #expect(page.text.contains("\(fraud.nearLimitDays) days of the last 14 at \(fraud.nearLimitPercent) %"))
            #expect(page.text.contains("\(fraud.hopsPerCard) moves to another store within \(fraud.hopMinutes) minutes"))
            #expect(page.text.contains("No signal in this period."))
        }
    }

    @Test func aSignalSaysWhyAndLinksItsCard() async throws {
        try await withTestApp { app, _ in
            let cardID = UUID()
            let signal = FraudSignal(
                merchantId: UUID(), kind: "near_daily_limit", subject: "card", cardId: cardID, staffKind: nil, staffId: nil, label: "1234 5678",
                value: 9, threshold: 5, lastSeen: "2026-11-30")
            let english = AnalyticsPageFormat(language: .en, catalog: app.catalog, timeZone: .gmt)
            let row = MerchantSignalsPage.row(signal, windowDays: 14, format: english)
            #expect(row.url == "/merchant/cards/\(cardID.uuidString)")
            #expect(row.label == "Card 1234 5678")
            #expect(row.why == "9 of the last 14 days at or near the daily limit (signal from 5 days)")
            #expect(row.lastSeen == "30 November 2026")

            let staff = FraudSignal(
                merchantId: UUID(), kind: "many_voids", subject: "staff", cardId: nil, staffKind: "pin", staffId: UUID(), label: "Sophie", value: 12,
                threshold: 10, lastSeen: "2026-11-30")
            let german = AnalyticsPageFormat(language: .de, catalog: app.catalog, timeZone: .gmt)
            let staffRow = MerchantSignalsPage.row(staff, windowDays: 14, format: german)
            #expect(staffRow.url == "", "a staff member has no card page")
            #expect(staffRow.why == "12 Stornos in den letzten 14 Tagen (Hinweis ab 10)")
        }
    }

    // MARK: - Reading the pages

    /// The `data-value` numbers of `<table id="ID">`, row by row.
    static func tableValues(_ html: String, id: String) -> [[Int]] {
        guard let start = html.range(of: "id=\"\(id)\">"), let end = html[start.upperBound...].range(of: "</table>") else { return [] }
        let body = html[start.upperBound..<end.lowerBound]
        return body.components(separatedBy: "<tr>").dropFirst(2).map { row in
            row.components(separatedBy: "data-value=\"").dropFirst().compactMap { Int($0.prefix { $0 != "\"" }) }
        }
    }

    /// The first CSV link of the page for `table`.
    static func csvLink(_ html: String, table: String, base: String = "/merchant/analytics.csv") -> String? {
        guard let start = html.range(of: "href=\"\(base)?table=\(table)") else { return nil }
        return String(html[html.index(start.lowerBound, offsetBy: 6)...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
    }
}
