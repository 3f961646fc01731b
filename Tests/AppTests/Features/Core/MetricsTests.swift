import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `GET /metrics`: Prometheus' text format, only for the scraper's token (decision 0042).
///
/// The registry is the process's (swift-metrics has one backend), shared by the tests running
/// at the same time: each check reads a figure before and after, and asks only that it grew by
/// at least what this test did.
@Suite struct MetricsTests {
    static func scrape(_ app: Application) async throws -> String {
        let response = try await app.send(.GET, "/metrics", token: TestApp.metricsToken)
        #expect(response.status == .ok)
        #expect(response.headers.contentType?.subType == "plain")
        #expect(response.headers.first(name: .cacheControl) == "no-store")
        return response.body.string
    }

    /// The sample's value of the series `name{labels}` (labels as written, in order), 0 when absent.
    static func value(_ text: String, _ series: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)) ?? .nan
        }
        return 0
    }

    @Test func onlyTheScrapersTokenOpensIt() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            #expect(try await app.send(.GET, "/metrics").status == .unauthorized)
            #expect(try await app.send(.GET, "/metrics", token: "m").status == .unauthorized)
            #expect(try await app.send(.GET, "/metrics", token: TestApp.metricsToken + "m").status == .unauthorized)
            let asOwner = try await app.send(.GET, "/metrics", token: counter.ownerToken)
            #expect(asOwner.status == .unauthorized)
            #expect(try asOwner.json["error"]?["code"]?.string == "unauthenticated")
            #expect(!asOwner.body.string.contains("http_requests_total"))
        }
        // Without the setting, there is nothing there.
        try await withTestApp(adjust: { $0.metricsToken = nil }) { app, _ in
            let off = try await app.send(.GET, "/metrics", token: TestApp.metricsToken)
            #expect(off.status == .notFound)
        }
    }

    @Test func requestsAreCountedByRouteTemplateNeverByThePathSent() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let series = #"http_requests_total{method="GET",path="/api/v1/store/loyalty/cards/:card_id",status="200"}"#
            let before = Self.value(try await Self.scrape(app), series)
            for _ in 0..<3 {
                let card = try await app.send(
                    .GET, "/api/v1/store/loyalty/cards/\(counter.cardID)", token: counter.cashierToken)
                #expect(card.status == .ok)
            }
            let secret = "no-such-path-\(UUID().uuidString)"
            _ = try await app.send(.GET, "/api/v1/" + secret)
            let text = try await Self.scrape(app)
            #expect(Self.value(text, series) >= before + 3)
            #expect(text.contains("http_request_duration_seconds_bucket{"))
            #expect(!text.contains(counter.cardID.uuidString), "a card id in a label")
            #expect(!text.contains(secret), "a path as sent in a label")
            #expect(text.contains(#"path="vapor_route_undefined""#))
        }
    }

    @Test func operationsRefusalsAndReplaysAreCounted() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let stamps = #"loyalty_operations_total{type="stamp_earned"}"#
            let wrongPin = #"loyalty_operation_refusals_total{code="invalid_pin"}"#
            let cooldown = #"loyalty_operation_refusals_total{code="cooldown_active"}"#
            let replays = "loyalty_operation_replays_total"
            let before = try await Self.scrape(app)

            #expect(try await app.stamp(counter, idempotencyKey: "metrics-1").status == .ok)
            #expect(try await app.stamp(counter, idempotencyKey: "metrics-1").status == .ok, "a retry")
            #expect(try await app.stamp(counter, pin: "0000").status == .forbidden)
            #expect(try await app.stamp(counter).status == .conflict, "15 minutes between stamps")

            let after = try await Self.scrape(app)
            #expect(Self.value(after, stamps) >= Self.value(before, stamps) + 1)
            #expect(Self.value(after, replays) >= Self.value(before, replays) + 1)
            #expect(Self.value(after, wrongPin) >= Self.value(before, wrongPin) + 1)
            #expect(Self.value(after, cooldown) >= Self.value(before, cooldown) + 1)
            #expect(after.contains("loyalty_card_lock_wait_seconds_count"))
        }
    }

    @Test func aJobRunIsCountedWithItsOutcome() async throws {
        try await withTestApp { app, clock in
            let ran = #"loyalty_job_runs_total{job="loyalty.sync_wallet_passes",outcome="ran"}"#
            let before = Self.value(try await Self.scrape(app), ran)
            let results = await JobScheduler(jobs: [ScheduledJob.syncWalletPasses])
                .tick(app, at: clock.now)
            guard case .ran? = results["loyalty.sync_wallet_passes"] else {
                Issue.record("the job did not run: \(results)")
                return
            }
            let text = try await Self.scrape(app)
            #expect(Self.value(text, ran) >= before + 1)
            #expect(text.contains(#"loyalty_job_duration_seconds_count{job="loyalty.sync_wallet_passes"}"#))
        }
    }
}
