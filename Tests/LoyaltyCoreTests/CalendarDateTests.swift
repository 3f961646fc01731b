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

    @Test func printsAsPrintfWouldAndParsesWhatItPrints() {
        // Every day of two centuries round-trips; odd years are padded as `%04d` pads them.
        for days in CalendarDate(year: 1900, month: 1, day: 1).daysSinceEpoch...CalendarDate(year: 2100, month: 12, day: 31).daysSinceEpoch {
            let date = CalendarDate(daysSinceEpoch: days)
            #expect(CalendarDate(date.description) == date)
        }
        for (year, month, day) in [(0, 1, 1), (7, 2, 3), (999, 12, 31), (10_000, 1, 1), (-5, 1, 2), (-12_345, 10, 9)] {
            #expect(CalendarDate(year: year, month: month, day: day).description == String(format: "%04d-%02d-%02d", year, month, day))
        }
    }

    @Test func refusesOtherShapes() {
        for text in ["", "2026-03-9x", "2026/03/09", "+202-01-01", "-202-01-01", "2026-03-09 ", "２０２６-03-09", "2026-0٣-09", "20260-3-09"] {
            #expect(CalendarDate(text) == nil, "\(text)")
        }
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
