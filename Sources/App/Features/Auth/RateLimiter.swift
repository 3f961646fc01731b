import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// Counts attempts per key in the database, so every app instance shares one count.
///
/// Each attempt is one atomic upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`), which is
/// race-free on both engines without a read-then-write.
struct RateLimiter: Sendable {
    let database: any Database
    let writeGate: AsyncGate?
    let now: @Sendable () -> Date

    /// Longest window the configuration allows; counters older than this are garbage.
    static let maximumWindow: Int64 = 86_400

    /// Counts one attempt against `bucket` and judges it.
    func recordAttempt(_ bucket: String, policy: RateLimitPolicy) async throws -> RateLimitDecision {
        let instant = now()
        let windowStart = policy.windowStart(containing: instant)
        let count = try await database.writeTransaction(gate: writeGate) { db in
            let row = try await db.sql.raw(
                """
                INSERT INTO rate_limit_counters (bucket, window_start, count) VALUES (\(bind: bucket), \(bind: windowStart), 1)
                ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
                RETURNING count
                """
            ).first()
            let count = try row?.decode(column: "count", as: Int.self) ?? 1
            if count == 1 {
                // A new window began for this key: sweep counters nobody can still be judged by.
                try await db.sql.delete(from: "rate_limit_counters")
                    .where("window_start", .lessThan, windowStart - Self.maximumWindow)
                    .run()
            }
            return count
        }
        return policy.decide(count: count, at: instant)
    }

    /// Counts the attempt against every bucket and throws `rate_limited` if any refuses it.
    func enforce(_ buckets: [(String, RateLimitPolicy)]) async throws {
        var longestWait = 0
        for (bucket, policy) in buckets {
            if case .refused(let retryAfter) = try await recordAttempt(bucket, policy: policy) {
                longestWait = max(longestWait, retryAfter)
            }
        }
        if longestWait > 0 { throw APIError.rateLimited(retryAfter: longestWait) }
    }
}
