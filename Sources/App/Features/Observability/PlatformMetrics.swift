import CoreMetrics
import Foundation
import Metrics
import Prometheus

/// The process's metrics, in Prometheus' text format at `/metrics` (decision 0042).
///
/// swift-metrics has one backend per process (`MetricsSystem.bootstrap` may run once), so the
/// registry is process-wide, like the backend: Vapor's own request metrics
/// (`http_requests_total`, `http_request_duration_seconds`, `http_request_errors_total`, by
/// method, route pattern and status) and ours below land in it. Several `Application`s in one
/// process (the tests) share it; their figures add up.
///
/// Every label value here comes from a closed set (a ledger row type, an error code, a job
/// name, a wallet and an outcome), never from a request's input: a client cannot grow the
/// number of series.
enum PlatformMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // A counter request takes milliseconds, a report tens of them: finer than the default
        // buckets, which start at 5 ms.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
            .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Makes sure the backend is in place before the first request reports to it.
    static func bootstrap() { _ = registry }

    // MARK: - The counter

    /// A ledger row committed, by its type (`stamp_earned`, `points_redeemed`, ...).
    static func operationCommitted(_ type: String) {
        Counter(label: "loyalty_operations_total", dimensions: [("type", type)]).increment()
    }

    // The metrics without labels are made once: `Counter(label:)` and its kin look the series
    // up in the registry under a lock on every call, and these run on every card operation
    // and every SQLite write. Made after the backend is in place, so they report to it.
    private static func madeOnce<Metric>(_ make: () -> Metric) -> Metric {
        bootstrap()
        return make()
    }
    private static let replays = madeOnce { Counter(label: "loyalty_operation_replays_total") }
    private static let lockWait = madeOnce { Timer(label: "loyalty_card_lock_wait_seconds") }
    private static let inFlight = madeOnce { Gauge(label: "loyalty_requests_in_flight") }
    private static let gateUsers = madeOnce { Gauge(label: "loyalty_write_gate_users") }

    /// An idempotent retry answered with the stored first answer.
    static func operationReplayed() {
        replays.increment()
    }

    /// A card operation refused, by the API's error code (`daily_limit_reached`, `invalid_pin`, ...).
    static func operationRefused(_ code: String) {
        Counter(label: "loyalty_operation_refusals_total", dimensions: [("code", code)]).increment()
    }

    /// From asking for the write transaction to holding the card's lock: SQLite's write gate
    /// and PostgreSQL's row lock, as an operation waits for them.
    static func cardLockWait(_ duration: Duration) {
        lockWait.record(duration: duration)
    }

    // MARK: - Requests and the database

    /// Requests inside the app right now (the count shutdown waits for).
    static func requestsInFlight(_ count: Int) {
        inFlight.record(count)
    }

    /// Write transactions waiting for or holding SQLite's write gate (the pool of one writer).
    static func writeGateUsers(_ count: Int) {
        gateUsers.record(count)
    }

    // MARK: - Jobs and wallets

    /// One run of a scheduled job, `ran` or `failed`, and how long it took.
    static func jobRun(_ job: String, succeeded: Bool, duration: Duration) {
        Counter(label: "loyalty_job_runs_total", dimensions: [("job", job), ("outcome", succeeded ? "ran" : "failed")]).increment()
        Timer(label: "loyalty_job_duration_seconds", dimensions: [("job", job)]).record(duration: duration)
    }

    /// What one round of wallet updates did, by wallet (`apple`, `google`) and outcome.
    static func walletUpdates(_ wallet: String, _ outcomes: KeyValuePairs<String, Int>) {
        for (outcome, count) in outcomes where count > 0 {
            Counter(label: "loyalty_wallet_updates_total", dimensions: [("wallet", wallet), ("outcome", outcome)]).increment(by: count)
        }
    }

    /// Cards whose wallet update is noted and not yet sent (the batch window's backlog).
    static func walletBacklog(_ wallet: String, cards: Int) {
        Gauge(label: "loyalty_wallet_update_backlog", dimensions: [("wallet", wallet)]).record(cards)
    }

    /// Updates the last round could not deliver; the next catch-up retries them.
    static func walletOwed(_ wallet: String, updates: Int) {
        Gauge(label: "loyalty_wallet_updates_owed", dimensions: [("wallet", wallet)]).record(updates)
    }
}
