import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Who may try a password now: decided before bcrypt runs, from counters in the database
/// (docs/decisions/0015-login-lockout.md).
///
/// Three counters per attempt:
/// - the account from this client address (`loginPerAccount`, 10 per window): one address
///   gets few guesses at one account, and locking it locks only that address out;
/// - the client address across accounts (`loginPerClient`): one address cannot spray accounts;
/// - the account from everywhere (`loginPerAccountTotal`, 100): keeps a guesser with many
///   addresses slow; an address the account signed in from before is exempt, so an attacker
///   elsewhere cannot lock the cashier out at the counter.
///
/// A refused attempt is answered from one read, without a write.
struct LoginThrottle: Sendable {
    let limiter: RateLimiter
    let limits: AppConfig.RateLimits

    /// How far back a sign-in from an address makes it "known" to the account.
    static let knownClientPeriod: TimeInterval = 30 * 86_400

    /// The counter of an account from all addresses; the per-address counters of the same
    /// account start with `accountBucket + "|client:"`.
    static func accountBucket(staffEmail email: String) -> String { "login:account:\(email)" }

    /// Counts this attempt, or throws `rate_limited` without counting it when a limit is reached.
    ///
    /// - Parameters:
    ///   - accountBucket: the account's key, e.g. `accountBucket(staffEmail:)`.
    ///   - client: the client address.
    ///   - isKnownClient: whether the account signed in from `client` before; asked only when
    ///     the account's total is reached.
    func admit(accountBucket: String, client: String, isKnownClient: () async throws -> Bool) async throws {
        let buckets = [
            (accountBucket + "|client:" + client, limits.loginPerAccount),
            ("login:client:\(client)", limits.loginPerClient),
            (accountBucket, limits.loginPerAccountTotal),
        ]
        let peeked = try await limiter.peek(buckets)
        try RateLimiter.throwIfRefused(Array(peeked[0..<2]))
        // The account's total, once reached, binds only addresses the account has not used.
        var exempt: Bool?
        if case .refused = peeked[2] {
            exempt = try await isKnownClient()
            if exempt == false { try RateLimiter.throwIfRefused([peeked[2]]) }
        }
        let recorded = try await limiter.recordAttempts(buckets)
        try RateLimiter.throwIfRefused(Array(recorded[0..<2]))
        if case .refused = recorded[2] {
            let known: Bool
            if let exempt { known = exempt } else { known = try await isKnownClient() }
            if !known { try RateLimiter.throwIfRefused([recorded[2]]) }
        }
    }

    /// Forgets every login counter of the account: the lock an owner or the admin clears.
    func clear(accountBucket: String) async throws {
        try await limiter.clear(buckets: [accountBucket], prefix: accountBucket + "|client:")
    }
}

extension Request {
    var loginThrottle: LoginThrottle {
        LoginThrottle(limiter: rateLimiter, limits: application.config.rateLimits)
    }

    /// The address and user agent a new session records.
    var sessionOrigin: SessionOrigin {
        SessionOrigin(clientAddress: clientAddress, userAgent: headers.first(name: .userAgent))
    }
}
