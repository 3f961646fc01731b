import Foundation
import Testing

@testable import App

/// The analytics pages write figures and days without asking Foundation per cell
/// (`IntegerGrouping`, `ShortDayFormat`, `ChartTable.bodyHTML`): they must write exactly what
/// Foundation writes, and escape what Leaf would.
@Suite struct AnalyticsFormatTests {
    @Test(arguments: Language.allCases)
    func numbersAreWrittenAsFoundationWritesThem(_ language: Language) {
        let format = StorePageFormat(language: language, timeZone: .gmt)
        var values = [0, 1, -1, 7, 12, 999, -999, 1_000, -1_000, 1_234, 9_999, 10_000, 12_345, 99_999, 100_000, 123_456, 999_999]
        values += [1_000_000, -1_234_567, 12_345_678, 123_456_789, 2_147_483_647, Int(Int32.max) * 3, -9_876_543_210, Int.max, Int.min + 1]
        var generator = SystemRandomNumberGenerator()
        values += (0..<500).map { _ in Int.random(in: -50_000_000...50_000_000, using: &generator) }
        for value in values {
            #expect(format.number(value) == value.formatted(.number.locale(format.locale)), "\(language) \(value)")
        }
    }

    @Test(arguments: Language.allCases)
    func shortDaysAreWrittenAsFoundationWritesThem(_ language: Language) throws {
        let format = AnalyticsPageFormat(language: language, catalog: Catalog(texts: [:]), timeZone: .gmt)
        let locale = StorePageFormat.locale(of: language)
        let style = Date.FormatStyle(locale: locale, timeZone: .gmt).day().month(.abbreviated)
        var day = try #require(Calendar(identifier: .gregorian).date(from: DateComponents(timeZone: .gmt, year: 2024, month: 1, day: 1, hour: 12)))
        for _ in 0..<366 {
            let text = String(ISO8601DateFormatter().string(from: day).prefix(10))
            #expect(format.day(text) == day.formatted(style), "\(language) \(text)")
            day.addTimeInterval(86_400)
        }
    }

    @Test func tableRowsAreEscaped() {
        let table = ChartTable(
            id: "t", title: "T", kind: "", labelHeading: "Store", columns: ["Visits"],
            rows: [
                .init(label: "<script>alert('x')</script> & \"Co\"", url: "", cells: [.init(text: "1,234", value: 1_234)]),
                .init(label: "Card", url: "/merchant/cards/1?a=1&b=\"2\"", cells: [.init(text: "<b>", value: -3)]),
            ],
            csvURL: "", chartLabel: "")
        let html = table.bodyHTML
        #expect(!html.contains("<script>") && !html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"))
        #expect(html.contains("<a href=\"/merchant/cards/1?a=1&amp;b=&quot;2&quot;\">Card</a>"))
        #expect(html.contains("<td class=\"num\" data-value=\"1234\">1,234</td>"))
        #expect(html.contains("data-value=\"-3\">&lt;b&gt;</td>"))
    }
}
