import GoogleWallet
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 3, firstDelay: .milliseconds(250), maxDelay: .seconds(5))

    @Test func backsOffThenGivesUp() {
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, jitter: 0.5) == .milliseconds(250))
        #expect(policy.delay(afterAttempt: 2, retryAfter: nil, jitter: 0.5) == .milliseconds(500))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, jitter: 0.5) == nil)
    }

    @Test func jitterSpreadsWithinAQuarter() {
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, jitter: 0) == .microseconds(187_500))
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, jitter: 1) == .microseconds(312_500))
    }

    @Test func honoursRetryAfterUpToTheCap() {
        #expect(policy.delay(afterAttempt: 1, retryAfter: 2, jitter: 0.5) == .seconds(2))
        #expect(policy.delay(afterAttempt: 1, retryAfter: 3600, jitter: 0.5) == .seconds(5))
        #expect(RetryPolicy.retryAfterSeconds(" 7 ") == 7)
        #expect(RetryPolicy.retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
    }

    @Test func retriesOnlyWhatMaySucceedLater() {
        for status in [408, 429, 500, 502, 503, 504] { #expect(RetryPolicy.isRetryable(status: status)) }
        for status in [400, 401, 403, 404, 409] { #expect(!RetryPolicy.isRetryable(status: status)) }
    }
}
