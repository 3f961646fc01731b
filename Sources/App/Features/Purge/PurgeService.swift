import Fluent
import Foundation
import SQLKit
import Vapor

/// The `loyalty.purge` job: deletes rows that no longer serve anyone, so tables stop growing
/// with time (docs/decisions/0022-purges-and-data-files.md).
///
/// Each table is emptied in batches of `batchSize` rows, one short statement each
/// (`DELETE ... WHERE key IN (SELECT ... LIMIT n)`), so a large backlog never holds a long lock
/// or a huge transaction; a run stopped half-way leaves the rest for the next day.
struct PurgeService: Sendable {
    let database: any Database
    let retention: AppConfig.Retention
    let now: @Sendable () -> Date
    var batchSize = 1_000

    /// Rows deleted per table.
    struct Report: Sendable, Equatable, CustomStringConvertible {
        var accessTokens = 0
        var idempotencyKeys = 0
        var jobRuns = 0
        var walletRegistrations = 0

        var description: String {
            "deleted \(accessTokens) expired or revoked tokens, \(idempotencyKeys) idempotency keys, "
                + "\(jobRuns) job runs, \(walletRegistrations) wallet registrations"
        }
    }

    func purgeAll(progress: @Sendable (String) -> Void = { _ in }) async throws -> Report {
        let now = now()
        func daysAgo(_ days: Int) -> Date { now.addingTimeInterval(-TimeInterval(days) * 86_400) }
        let limit = batchSize
        var report = Report()
        // A token that can no longer sign anyone in is only a hash: nothing to keep it for.
        report.accessTokens = try await deleteInBatches("expired or revoked tokens", progress) {
            """
            DELETE FROM access_tokens WHERE id IN (
                SELECT id FROM access_tokens WHERE expires_at < \(bind: now) OR revoked_at IS NOT NULL LIMIT \(literal: limit))
            RETURNING id
            """
        }
        let keysBefore = daysAgo(retention.idempotencyKeyDays)
        report.idempotencyKeys = try await deleteInBatches("idempotency keys", progress) {
            """
            DELETE FROM idempotency_keys WHERE (store_id, "key") IN (
                SELECT store_id, "key" FROM idempotency_keys WHERE created_at < \(bind: keysBefore) LIMIT \(literal: limit))
            RETURNING store_id
            """
        }
        let runsBefore = daysAgo(retention.jobRunDays)
        report.jobRuns = try await deleteInBatches("job runs", progress) {
            """
            DELETE FROM loyalty_job_runs WHERE id IN (
                SELECT id FROM loyalty_job_runs WHERE started_at < \(bind: runsBefore) LIMIT \(literal: limit))
            RETURNING id
            """
        }
        // Registrations of a live card stay however quiet it is: a device only calls after a
        // push, so "not seen for a while" would cut off the passes of customers who come back.
        // Devices that are gone are deleted when APNs says so (decision 0011).
        let deactivatedBefore = daysAgo(retention.walletRegistrationDays)
        report.walletRegistrations = try await deleteInBatches("wallet registrations", progress) {
            """
            DELETE FROM loyalty_apple_registrations WHERE id IN (
                SELECT r.id FROM loyalty_apple_registrations r JOIN loyalty_cards c ON c.id = r.card_id
                WHERE c.is_active = \(bind: false) AND c.updated_at < \(bind: deactivatedBefore) LIMIT \(literal: limit))
            RETURNING id
            """
        }
        return report
    }

    /// Runs `statement` (a bounded `DELETE ... RETURNING`) until a batch comes back short.
    private func deleteInBatches(
        _ what: String, _ progress: @Sendable (String) -> Void, _ statement: () -> SQLQueryString
    ) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await database.sql.raw(statement()).all().count
            total += deleted
            if deleted > 0 { progress("\(what): \(total) deleted") }
            if deleted < batchSize { return total }
        }
    }
}
