import Foundation
import Testing

@testable import LoyaltyCore

@Suite struct CalendarDateTests {
    @Test func parsesAndPrintsISODates() {
        let date = CalendarDate("2026-03-09")
        #expect(date == CalendarDate(year: 2026, month: 3, day: 9))
        #expect(date?.description == "2026-03-09")
        #expect(CalendarDate("2026-3-9") == nil)
    }

    @Test func theLocalDayDependsOnTheTimeZone() throws {
        // 23:30 UTC on 20 November is already 21 November in Luxembourg (UTC+1).
        let instant = Date(timeIntervalSince1970: 1_795_217_400)
        #expect(CalendarDate(instant, in: try #require(TimeZone(identifier: "UTC"))) == CalendarDate(year: 2026, month: 11, day: 20))
        #expect(
            CalendarDate(instant, in: try #require(TimeZone(identifier: "Europe/Luxembourg")))
                == CalendarDate(year: 2026, month: 11, day: 21))
    }
}
