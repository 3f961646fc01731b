import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import Testing
import VaporTesting

@testable import App

/// The active-card count kept per day of last activity (`ActiveCards`, decision 0035) against
/// the cards themselves.
@Suite struct ActiveCardsTests {
    /// Cards of the merchant whose last activity falls on one of the 30 UTC days ending on
    /// `now`'s, counted from the cards: what the kept count must equal.
    static func countedFromTheCards(merchantID: UUID, now: Date, on database: any Database) async throws -> Int {
        let firstDay = ActiveCards.firstDay(now: now).description
        return try await CardModel.query(on: database).filter(\.$merchant.$id == merchantID).all()
            .filter { (AnalyticsRollups.activityDay($0.lastActivityAt) ?? "") >= firstDay }.count
    }

    @Test func theCountFollowsEachCardsLastActivityDay() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let merchantID = try counter.merchant.requireID()
            func stats() async throws -> Int? {
                try await app.counterRequest(counter, .GET, "/stats/merchant").json["active_cards_30_days"]?.int
            }
            func expectBoth(_ expected: Int, _ comment: Comment) async throws {
                #expect(try await stats() == expected, comment)
                #expect(try await Self.countedFromTheCards(merchantID: merchantID, now: clock.now, on: app.db) == expected, comment)
                let overview = try await ProgramsOverview(database: app.db).counts(of: merchantID, now: clock.now, today: CalendarDate(clock.now, in: .gmt)!)
                #expect(overview.activeCards30Days == expected, comment)
            }

            try await expectBoth(0, "enrolled without activity")
            #expect(try await app.stamp(counter).status == .ok)
            try await expectBoth(1, "stamped today")
            clock.advance(by: 3_600 * 3)
            #expect(try await app.stamp(counter).status == .ok)
            try await expectBoth(1, "stamped again the same day: still one card")

            clock.advance(by: 86_400 * 29)
            try await expectBoth(1, "29 days later: the 30th day of the window")
            clock.advance(by: 86_400)
            try await expectBoth(0, "30 days later: out of the window")
            #expect(try await app.stamp(counter).status == .ok)
            try await expectBoth(1, "moved to today, not counted twice")

            let reissued = try await app.send(
                .POST, "/api/v1/merchants/loyalty/cards/\(counter.cardID)/reissue", token: counter.ownerToken)
            #expect(reissued.status == .created || reissued.status == .ok)
            try await expectBoth(2, "a reissue's new card keeps the old one's last activity")

            // The kept buckets hold each card once, on its last day, whatever the days moved.
            struct Total: Decodable { let n: Int? }
            let kept = try await app.db.sql.raw(
                "SELECT CAST(SUM(cards) AS BIGINT) AS n FROM loyalty_points_by_activity_day WHERE merchant_id = \(bind: merchantID)"
            ).first(decoding: Total.self)?.n
            #expect(kept == 2)
        }
    }

    @Test func theMigrationCountsTheCardsThatAreThere() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            #expect(try await app.stamp(counter).status == .ok)
            clock.advance(by: 86_400 * 2)
            #expect(try await app.stamp(other).status == .ok)
            let before = try await RollupSnapshot.take(app.db)
            #expect(before.buckets.values.map { $0[1] }.reduce(0, +) == 2)

            // As a deployment from before 014: no card counted, then 014's count from the cards.
            try await app.db.sql.raw("UPDATE loyalty_points_by_activity_day SET cards = 0").run()
            try await ActiveCardsMigrations.UpdatePointsByActivityDayAddCards.countCards(on: app.db)
            #expect(try await RollupSnapshot.take(app.db).buckets == before.buckets)
        }
    }
}
