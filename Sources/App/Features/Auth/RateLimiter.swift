import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// Counts attempts per key in the database, so every app instance shares one count.
///
/// Each attempt is one atomic upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`), which is
/// race-free on both engines without a read-then-write. A key that is already refused is
/// answered from a plain read and costs no write (`peek`), so a flood of refused attempts does
/// not queue on SQLite's single writer (decision 0015).
struct RateLimiter: Sendable {
    let database: any Database
    let writeGate: AsyncGate?
    let now: @Sendable () -> Date

    /// Longest window the configuration allows; counters older than this are garbage.
    static let maximumWindow: Int64 = 86_400

    /// Counts one attempt against `bucket` and judges it.
    func recordAttempt(_ bucket: String, policy: RateLimitPolicy) async throws -> RateLimitDecision {
        try await recordAttempts([(bucket, policy)])[0]
    }

    /// Counts one attempt against every bucket, in one write transaction, and judges each.
    func recordAttempts(_ buckets: [(String, RateLimitPolicy)]) async throws -> [RateLimitDecision] {
        let instant = now()
        let counts = try await database.writeTransaction(gate: writeGate) { db in
            var counts: [Int] = []
            for (bucket, policy) in buckets {
                let windowStart = policy.windowStart(containing: instant)
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
                counts.append(count)
            }
            return counts
        }
        return zip(buckets, counts).map { bucket, count in bucket.1.decide(count: count, at: instant) }
    }

    /// How the next attempt against each bucket would be judged, from one read and without
    /// counting it.
    func peek(_ buckets: [(String, RateLimitPolicy)]) async throws -> [RateLimitDecision] {
        let instant = now()
        let rows = try await database.sql.select()
            .columns("bucket", "window_start", "count")
            .from("rate_limit_counters")
            .where("bucket", .in, buckets.map(\.0))
            .all()
        var counts: [String: [Int64: Int]] = [:]
        for row in rows {
            let bucket = try row.decode(column: "bucket", as: String.self)
            counts[bucket, default: [:]][try row.decode(column: "window_start", as: Int64.self)] =
                try row.decode(column: "count", as: Int.self)
        }
        return buckets.map { bucket, policy in
            let count = counts[bucket]?[policy.windowStart(containing: instant)] ?? 0
            return policy.decide(count: count + 1, at: instant)
        }
    }

    /// Checks every bucket without writing and throws `rate_limited` if any refuses; otherwise
    /// counts the attempt against every bucket and throws if any refuses it then (a race with
    /// other attempts, decided by the atomic upsert).
    func enforce(_ buckets: [(String, RateLimitPolicy)]) async throws {
        try Self.throwIfRefused(try await peek(buckets))
        try Self.throwIfRefused(try await recordAttempts(buckets))
    }

    /// Deletes every counter of these buckets and of buckets that start with `prefix`.
    func clear(buckets: [String], prefix: String) async throws {
        let length = prefix.unicodeScalars.count
        try await database.writeTransaction(gate: writeGate) { db in
            try await db.sql.raw(
                """
                DELETE FROM rate_limit_counters
                WHERE bucket IN (\(binds: buckets)) OR substr(bucket, 1, \(literal: length)) = \(bind: prefix)
                """
            ).run()
        }
    }

    static func throwIfRefused(_ decisions: [RateLimitDecision]) throws {
        let longestWait = decisions.reduce(0) { longest, decision in
            if case .refused(let retryAfter) = decision { return max(longest, retryAfter) }
            return longest
        }
        if longestWait > 0 { throw APIError.rateLimited(retryAfter: longestWait) }
    }
}
