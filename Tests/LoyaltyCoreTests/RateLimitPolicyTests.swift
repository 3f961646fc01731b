import Foundation
import Testing

@testable import LoyaltyCore

@Suite struct RateLimitPolicyTests {
    let policy = RateLimitPolicy(limit: 3, window: 900)

    @Test func windowsAreAlignedToTheEpoch() {
        #expect(policy.windowStart(containing: Date(timeIntervalSince1970: 1_000)) == 900)
        #expect(policy.windowStart(containing: Date(timeIntervalSince1970: 1_799.9)) == 900)
        #expect(policy.windowStart(containing: Date(timeIntervalSince1970: 1_800)) == 1_800)
    }

    @Test func attemptsUpToTheLimitAreAllowed() {
        let now = Date(timeIntervalSince1970: 1_000)
        #expect(policy.decide(count: 1, at: now) == .allowed(remaining: 2))
        #expect(policy.decide(count: 3, at: now) == .allowed(remaining: 0))
    }

    @Test func theAttemptAfterTheLimitWaitsForTheNextWindow() {
        // Window 900..<1800; at 1000 the next window is 800 s away.
        #expect(policy.decide(count: 4, at: Date(timeIntervalSince1970: 1_000)) == .refused(retryAfter: 800))
        #expect(policy.decide(count: 4, at: Date(timeIntervalSince1970: 1_799.5)) == .refused(retryAfter: 1))
    }
}
