import Foundation

/// A day of the month with its abbreviated month (`3 Nov`, `3 nov.`, `3. Nov.`), as
/// `Date.FormatStyle().day().month(.abbreviated)` writes it, from twelve patterns learned once
/// per language: the analytics pages label 365 days per chart, and a `FormatStyle` per label
/// cost more than the rest of the page. `AnalyticsFormatTests` compares it with Foundation for
/// every day of a leap year in every language.
struct ShortDayFormat: Sendable {
    /// Per month, the formatted 23rd with "23" where the day goes.
    private let patterns: [(before: String, after: String)]

    init(locale: Locale) {
        let style = Date.FormatStyle(locale: locale, timeZone: .gmt).day().month(.abbreviated)
        patterns = (1...12).map { month in
            let noon = Calendar(identifier: .gregorian).date(
                from: DateComponents(timeZone: .gmt, year: 2024, month: month, day: 23, hour: 12))!
            let text = noon.formatted(style)
            guard let range = text.range(of: "23") else { return (text + " ", "") }
            return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
        }
    }

    private static let learned = LearnedPerLanguage<ShortDayFormat>()

    static func of(_ language: Language, locale: Locale) -> ShortDayFormat {
        learned.value(for: language) { ShortDayFormat(locale: locale) }
    }

    func string(day: Int, month: Int) -> String {
        guard (1...12).contains(month) else { return String(day) }
        let pattern = patterns[month - 1]
        return pattern.before + String(day) + pattern.after
    }
}
