import Foundation
import Testing

@testable import LoyaltyCore

@Suite struct PointsExpiryTests {
    /// 2026-11-22 02:00:00 UTC, when the daily job runs.
    static let run = Date(timeIntervalSince1970: 1_795_312_800)
    static let day: TimeInterval = 86_400

    @Test(arguments: [
        // (days since the last activity, window, expected points due of 120)
        (30.0, 30, 120), (29.999, 30, 0), (400.0, 30, 120), (0.0, 30, 0), (1.0, 1, 120), (0.5, 1, 0),
    ])
    func theWholeBalanceExpiresOnceTheWindowHasPassed(idle: Double, window: Int, expected: Int) {
        let lastActivity = Self.run.addingTimeInterval(-idle * Self.day)
        #expect(PointsExpiry.pointsDue(balance: 120, lastActivity: lastActivity, afterDays: window, at: Self.run) == expected)
    }

    @Test func nothingExpiresWithoutAWindowABalanceOrAnActivityTime() {
        let old = Self.run.addingTimeInterval(-1_000 * Self.day)
        #expect(PointsExpiry.pointsDue(balance: 120, lastActivity: old, afterDays: nil, at: Self.run) == 0)
        #expect(PointsExpiry.pointsDue(balance: 0, lastActivity: old, afterDays: 30, at: Self.run) == 0)
        #expect(PointsExpiry.pointsDue(balance: 120, lastActivity: nil, afterDays: 30, at: Self.run) == 0)
    }

    @Test func expiringTakesThePointsAndLeavesStampsAndLifetimeTotals() {
        var card = CardBalance()
        card.pointsBalance = 75
        card.totalPointsEarned = 200
        card.totalPointsRedeemed = 125
        card.stampCount = 4
        let expired = PointsExpiry.expire(&card, lastActivity: Self.run.addingTimeInterval(-31 * Self.day), afterDays: 30, at: Self.run)
        #expect(expired == 75)
        #expect(card.pointsBalance == 0)
        #expect((card.stampCount, card.totalPointsEarned, card.totalPointsRedeemed) == (4, 200, 125))
        // A second pass finds nothing: the balance is gone.
        #expect(PointsExpiry.expire(&card, lastActivity: Self.run.addingTimeInterval(-31 * Self.day), afterDays: 30, at: Self.run) == 0)
    }

    /// The window is whole 24-hour periods from an instant: a daylight-saving change in the
    /// store's zone moves the local clock time of the deadline by an hour, never the deadline.
    @Test func theWindowIgnoresTimeZonesAndDaylightSaving() throws {
        // 2026-03-28 12:00 UTC (13:00 in Luxembourg, CET); Europe moves to CEST the next night.
        let lastActivity = Date(timeIntervalSince1970: 1_774_699_200)
        let deadline = PointsExpiry.expiresAt(lastActivity: lastActivity, afterDays: 1)
        #expect(deadline.timeIntervalSince(lastActivity) == Self.day)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Europe/Luxembourg"))
        #expect(calendar.component(.hour, from: lastActivity) == 13)
        #expect(calendar.component(.hour, from: deadline) == 14)
        #expect(PointsExpiry.cutoff(at: deadline, afterDays: 1) == lastActivity)
    }

    @Test(arguments: TransactionType.allCases)
    func everyRowButAnExpiryIsActivity(type: TransactionType) {
        #expect(type.countsAsActivity == (type != .pointsExpired))
    }
}
