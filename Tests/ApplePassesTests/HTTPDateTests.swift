import ApplePasses
import Foundation
import Testing

@Suite("HTTP dates without DateFormatter")
struct HTTPDateTests {
    /// The reference: Foundation's formatter, as Vapor's `Last-Modified` uses it.
    static func reference(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    @Test func formatsLikeFoundationAndReadsItsOwnOutputBack() {
        var generator = SystemRandomNumberGenerator()
        let samples = [0, 951_782_400, 1_795_318_800.75, 4_107_542_399, -86_400] + (0..<2_000).map { _ in
            Double(Int64.random(in: 0...4_102_444_800, using: &generator))
        }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            let text = HTTPDate.format(date)
            #expect(text == Self.reference(date), "\(seconds)")
            #expect(HTTPDate.parse(text) == Date(timeIntervalSince1970: seconds.rounded(.down)), "\(text)")
        }
    }

    @Test(arguments: [
        "", "Sun, 22 Nov 2026 03:35:18", "Sunday, 22-Nov-26 03:35:18 GMT", "Sun Nov 22 03:35:18 2026",
        "Sun, 31 Nov 2026 03:35:18 GMT", "Sun, 29 Feb 2026 03:35:18 GMT", "Sun, 22 Nov 2026 24:00:00 GMT",
        "Sun, 22 Nov 2026 03:35:18 UTC", "Sun, 22 Nov 2026 3:35:18 GMT", "Xyz, 22 Nov 2026 03:35:18 GMT", "1795318800",
    ])
    func refusesEverythingElse(text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }

    @Test func acceptsALeapDay() {
        #expect(HTTPDate.parse("Tue, 29 Feb 2028 12:00:00 GMT") == Date(timeIntervalSince1970: 1_835_438_400))
    }
}
