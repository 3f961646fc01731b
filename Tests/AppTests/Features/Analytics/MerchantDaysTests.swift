import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import Testing
import VaporTesting

@testable import App

/// Closed days summed per merchant and day (`MerchantDays`, decision 0037): the reports read
/// them and are the same as without them.
@Suite struct MerchantDaysTests {
    /// The reports a compaction must not change: the platform's, the merchant's and one store's.
    static func reports(_ app: Application, _ scenario: AnalyticsScenario, range: String) async throws -> [String] {
        let paths = [
            ("/api/v1/admin/loyalty/analytics" + range, scenario.adminToken),
            ("/api/v1/merchants/loyalty/analytics" + range, scenario.counter.ownerToken),
            ("/api/v1/merchants/loyalty/analytics" + range + "&store_id=\(scenario.storeB.id!)", scenario.counter.ownerToken),
        ]
        var bodies: [String] = []
        for (path, token) in paths {
            let response = try await app.send(.GET, path, token: token)
            #expect(response.status == .ok, "\(path)")
            bodies.append(response.body.string)
        }
        return bodies
    }

    @Test func compactedDaysAreReadAndChangeNoFigure() async throws {
        try await withTestApp { app, clock in
            // Activity on two days, then five days later (the scenario's days are closed).
            let scenario = try await AnalyticsScenario.make(app, clock, expire: false)
            clock.advance(by: 86_400 * 5)
            #expect(try await app.stamp(scenario.counter).status == .ok)
            let range = "?from=\(scenario.firstDay)&to=\(CalendarDate(clock.now, in: AnalyticsScenario.luxembourg)!)"
            let live = try await Self.reports(app, scenario, range: range)
            #expect(try await MerchantDays.compactedThrough(on: app.db) == nil)

            let through = try await MerchantDays.compact(now: clock.now, on: app.db, writeGate: app.writeGate)
            #expect(through == MerchantDays.lastClosedDay(now: clock.now))
            #expect(try await MerchantDays.compactedThrough(on: app.db) == through)
            #expect(try await Self.reports(app, scenario, range: range) == live)
            // A second run finds nothing to do.
            #expect(try await MerchantDays.compact(now: clock.now, on: app.db, writeGate: app.writeGate) == nil)

            // The series reads the compacted rows: without the closed days' store rows, the
            // platform's and the merchant's reports are unchanged (the store's, which reads its
            // own rows, is not).
            try await app.db.sql.raw("DELETE FROM loyalty_daily_stats WHERE day <= \(bind: through!.description)").run()
            let afterDelete = try await Self.reports(app, scenario, range: range)
            #expect(Self.series(afterDelete[0]) == Self.series(live[0]))
            #expect(Self.series(afterDelete[1]) == Self.series(live[1]))
            #expect(Self.series(afterDelete[2]) != Self.series(live[2]))

            // The platform's series reads its own sums: without the merchant days it is
            // unchanged, the merchant's is not.
            try await app.db.sql.raw("DELETE FROM loyalty_merchant_daily_stats").run()
            let withoutMerchantDays = try await Self.reports(app, scenario, range: range)
            #expect(Self.series(withoutMerchantDays[0]) == Self.series(live[0]))
            #expect(Self.series(withoutMerchantDays[1]) != Self.series(live[1]))
        }
    }

    @Test func daysAfterTheMarkAreReadLive() async throws {
        try await withTestApp { app, clock in
            let scenario = try await AnalyticsScenario.make(app, clock, expire: false)
            clock.advance(by: 86_400 * 3)
            try await MerchantDays.compact(now: clock.now, on: app.db, writeGate: app.writeGate)
            let today = CalendarDate(clock.now, in: AnalyticsScenario.luxembourg)!
            let range = "?from=\(scenario.firstDay)&to=\(today)"
            let before = try await app.send(.GET, "/api/v1/admin/loyalty/analytics" + range, token: scenario.adminToken)
            #expect(try await app.stamp(scenario.counter).status == .ok)
            let after = try await app.send(.GET, "/api/v1/admin/loyalty/analytics" + range, token: scenario.adminToken)
            let given = { (response: TestingHTTPResponse) in try response.json["totals"]?["stamps_given"]?.int ?? -1 }
            #expect(try given(after) == given(before) + 1)
            let todays = try after.json["series"]?.array?.last
            #expect(todays?["date"]?.string == today.description && todays?["measures"]?["stamps_given"]?.int == 1)
        }
    }

    @Test func aBulkWriteStartsTheCompactionAgain() async throws {
        try await withTestApp { app, clock in
            let scenario = try await AnalyticsScenario.make(app, clock, expire: false)
            clock.advance(by: 86_400 * 4)
            let range = "?from=\(scenario.firstDay)&to=\(CalendarDate(clock.now, in: AnalyticsScenario.luxembourg)!)"
            try await MerchantDays.compact(now: clock.now, on: app.db, writeGate: app.writeGate)
            #expect(try await Self.compactedRows(app) > 0)

            // The backfill rewrites past days: the sums are dropped, then made again by the job.
            // (Its reports differ from the live ones only in enrollments: the fixtures' cards are
            // counted on their real creation time, `RollupSnapshot`.)
            try await AnalyticsBackfill.run(on: app.db)
            #expect(try await MerchantDays.compactedThrough(on: app.db) == nil)
            #expect(try await Self.compactedRows(app) == 0)
            #expect(try await Self.compactedRows(app, table: MerchantDays.platformTable) == 0)
            #expect(try await Self.compactedRows(app, table: MerchantRunningTotals.table) == 0)
            let rebuilt = try await Self.reports(app, scenario, range: range)
            let ran = try await ScheduledJob.compactRollups.run(JobContext(application: app))
            #expect(ran.contains("summed through \(MerchantDays.lastClosedDay(now: clock.now))"), "\(ran)")
            #expect(try await Self.compactedRows(app) > 0)
            #expect(try await Self.compactedRows(app, table: MerchantDays.platformTable) > 0)
            #expect(try await Self.compactedRows(app, table: MerchantRunningTotals.table) == (try await Self.compactedRows(app)))
            #expect(try await Self.reports(app, scenario, range: range) == rebuilt)
            #expect(try await ScheduledJob.compactRollups.run(JobContext(application: app)).contains("already"))
        }
    }

    static func compactedRows(_ app: Application, table: String = MerchantDays.table) async throws -> Int {
        struct Count: Decodable { let n: Int }
        return try await app.db.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: Count.self)?.n ?? -1
    }

    /// The `series` of a report's JSON, for comparing the parts a compaction serves.
    static func series(_ body: String) -> String {
        guard let data = body.data(using: .utf8), let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let series = json["series"], let encoded = try? JSONSerialization.data(withJSONObject: series, options: [.sortedKeys])
        else { return "" }
        return String(decoding: encoded, as: UTF8.self)
    }
}
