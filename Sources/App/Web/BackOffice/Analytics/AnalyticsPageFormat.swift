import Foundation
import LoyaltyCore
import Vapor

/// How the analytics pages write figures: the store pages' conventions (`StorePageFormat`)
/// plus days, rates and the tables built from report rows. Templates get finished strings.
struct AnalyticsPageFormat: Sendable {
    let base: StorePageFormat
    let words: @Sendable (String, [String]) -> String

    init(request: Request, timeZone: TimeZone) {
        self.init(language: request.language, catalog: request.application.catalog, timeZone: timeZone)
    }

    init(language: Language, catalog: Catalog, timeZone: TimeZone) {
        base = StorePageFormat(language: language, timeZone: timeZone)
        words = { key, args in catalog.text(key, in: language, args) }
    }

    func t(_ key: String, _ args: String...) -> String { words(key, args) }

    func number(_ value: Int) -> String { base.number(value) }

    func euros(cents: Int?) -> String {
        cents.map { base.euros(cents: $0) } ?? t("analytics.value_unknown")
    }

    /// `42 %` as the language writes it; a dash-like word when nothing was earned.
    func rate(_ value: Double?) -> String {
        guard let value else { return t("analytics.rate_none") }
        return value.formatted(.percent.precision(.fractionLength(0...1)).locale(base.locale))
    }

    /// A `YYYY-MM-DD` day as a short local date (`3 Nov`, `3 nov.`, `3. Nov.`).
    func day(_ text: String) -> String {
        guard let date = CalendarDate(text), date.isValid else { return text }
        return ShortDayFormat.of(base.language, locale: base.locale).string(day: date.day, month: date.month)
    }

    /// A `YYYY-MM-DD` day written out in full (`3 November 2026`).
    func longDay(_ text: String) -> String {
        guard let date = CalendarDate(text), date.isValid,
            let instant = Calendar(identifier: .gregorian).date(
                from: DateComponents(timeZone: .gmt, year: date.year, month: date.month, day: date.day, hour: 12))
        else { return text }
        return instant.formatted(Date.FormatStyle(date: .long, time: .omitted, locale: base.locale, timeZone: .gmt))
    }

    /// A report's days with their labels, written once for all the page's charts (a year is
    /// 366 labels a chart).
    struct LabelledDays: Sendable {
        let days: [AnalyticsDay]
        let labels: [String]
    }

    func labelled(_ days: [AnalyticsDay]) -> LabelledDays {
        LabelledDays(days: days, labels: days.map { day($0.date) })
    }

    /// A daily series as a chart with its table.
    func series(
        id: String, titleKey: String, kind: String = "line", _ series: LabelledDays, _ columns: [MeasureColumn<AnalyticsMeasures>],
        csvURL: String
    ) -> ChartTable {
        let title = t(titleKey)
        return ChartTable(
            id: id, title: title, kind: kind, labelHeading: t("analytics.day"), columns: columns.map { t($0.key) },
            rows: zip(series.days, series.labels).map { day, label in
                .init(label: label, url: "", cells: columns.map { cell($0.value(day.measures)) })
            },
            csvURL: csvURL, chartLabel: t("analytics.chart_label", title))
    }

    /// Rows of any kind as a plain table (no chart).
    func table<Source>(
        id: String, titleKey: String, labelKey: String, _ rows: [Source], label: (Source) -> String,
        url: (Source) -> String = { _ in "" }, _ columns: [MeasureColumn<Source>], csvURL: String
    ) -> ChartTable {
        ChartTable(
            id: id, title: t(titleKey), kind: "", labelHeading: t(labelKey), columns: columns.map { t($0.key) },
            rows: rows.map { row in .init(label: label(row), url: url(row), cells: columns.map { cell($0.value(row)) }) },
            csvURL: csvURL, chartLabel: "")
    }

    func cell(_ value: Int) -> ChartTable.Cell { .init(text: number(value), value: value) }
}

/// A figure shown as a tile: value, caption, and an optional link.
struct AnalyticsTile: Encodable, Sendable {
    let value: String
    let label: String
    let url: String
    /// A word rather than a figure ("none earned"): set smaller so it fits its tile.
    let isWord: Bool

    init(value: String, label: String, url: String = "") {
        self.value = value
        self.label = label
        self.url = url
        isWord = !value.contains(where: \.isNumber)
    }
}
