import Foundation

/// When a call to Google is tried again: on 429 and 5xx answers and on network failures, a
/// few times, waiting longer each time (or what `Retry-After` asks, within reason).
///
/// Live updates run in the background, so a short wait costs the cashier nothing; a call that
/// still fails leaves the card owed, and the hourly job tries again. Hence few attempts and
/// short waits: a long outage is the job's business, not a pile of sleeping tasks.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var firstDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, firstDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(5)) {
        self.maxAttempts = maxAttempts
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
    }

    /// Whether an answer with this status is worth another attempt.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || status == 408 || (500...599).contains(status)
    }

    /// How long to wait after failed attempt number `attempt` (1-based), or `nil` to give up.
    /// `retryAfter` is the answer's `Retry-After` in seconds, if any; `jitter` in 0...1 spreads
    /// instances that failed together (0.5 is the plain exponential delay).
    public func delay(afterAttempt attempt: Int, retryAfter: Int?, jitter: Double) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        if let retryAfter, retryAfter >= 0 { return min(.seconds(retryAfter), maxDelay) }
        let exponential = firstDelay * (1 << min(attempt - 1, 16))
        let spread = exponential * (0.75 + 0.5 * min(max(jitter, 0), 1))
        return min(spread, maxDelay)
    }

    /// `Retry-After` as delta-seconds; Google does not send the HTTP-date form.
    public static func retryAfterSeconds(_ header: String?) -> Int? {
        header.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}
