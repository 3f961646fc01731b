import Foundation

/// "At most `limit` attempts per `window`", counted in fixed windows aligned to the epoch.
///
/// Fixed windows need one counter row per key and window, which every app instance can bump
/// with a single atomic upsert; a sliding log would need a row per attempt. The price is that a
/// burst straddling a window edge can reach twice the limit, which is acceptable for login and
/// enrollment throttling.
public struct RateLimitPolicy: Equatable, Sendable {
    public let limit: Int
    public let window: TimeInterval

    public init(limit: Int, window: TimeInterval) {
        precondition(limit >= 1 && window >= 1, "a rate limit needs a positive limit and window")
        self.limit = limit
        self.window = window
    }

    /// The start of the window `instant` falls in, in whole seconds since 1970.
    public func windowStart(containing instant: Date) -> Int64 {
        let seconds = Int64(instant.timeIntervalSince1970.rounded(.down))
        let width = Int64(window)
        return seconds - seconds.positiveModulo(width)
    }

    /// Judges the `count`-th attempt (1-based) of the window that contains `instant`.
    public func decide(count: Int, at instant: Date) -> RateLimitDecision {
        guard count > limit else { return .allowed(remaining: limit - count) }
        let end = Date(timeIntervalSince1970: TimeInterval(windowStart(containing: instant)) + window)
        return .refused(retryAfter: max(1, Int(end.timeIntervalSince(instant).rounded(.up))))
    }
}

/// What a rate limit says about one attempt.
public enum RateLimitDecision: Equatable, Sendable {
    case allowed(remaining: Int)
    /// Refused; the caller may try again after this many seconds (at least 1).
    case refused(retryAfter: Int)
}

extension Int64 {
    fileprivate func positiveModulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder >= 0 ? remainder : remainder + divisor
    }
}
