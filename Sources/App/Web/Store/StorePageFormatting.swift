import Foundation
import Vapor

/// Numbers, money and times on the store's pages, written the way the page's language writes
/// them (`1,234` / `1 234` / `1.234`), times in the store's time zone: the templates get
/// finished strings.
struct StorePageFormat: Sendable {
    let language: Language
    let timeZone: TimeZone
    /// Made once per page, not per figure (an analytics page writes thousands of figures).
    let locale: Locale
    private let grouping: IntegerGrouping

    init(language: Language, timeZone: TimeZone) {
        self.language = language
        self.timeZone = timeZone
        locale = Self.locale(of: language)
        grouping = IntegerGrouping.of(language, locale: locale)
    }

    /// The region whose conventions each language uses here: the platform's shops are in
    /// Luxembourg; English follows British usage.
    static func locale(of language: Language) -> Locale {
        switch language {
        case .en: Locale(identifier: "en_GB")
        case .fr: Locale(identifier: "fr_LU")
        case .de: Locale(identifier: "de_LU")
        case .lb: Locale(identifier: "lb_LU")
        }
    }

    /// As `value.formatted(.number.locale(locale))` writes it (a test compares the two).
    func number(_ value: Int) -> String {
        grouping.string(value)
    }

    /// `12.50 €` as the language writes euros.
    func euros(cents: Int) -> String {
        (Decimal(cents) / 100).formatted(.currency(code: "EUR").locale(locale))
    }

    /// A signed change, `+1` / `−10`, for a ledger row.
    func delta(_ value: Int) -> String {
        value > 0 ? "+" + number(value) : value < 0 ? "−" + number(-value) : "0"
    }

    /// Date and time of day in the store's time zone; the time as the terminal writes it
    /// (`04:15`, the 24-hour clock of all four languages).
    func dateTime(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .abbreviated, time: .omitted, locale: locale, timeZone: timeZone)) + ", "
            + RefusalWording.clockTime(date, timeZone: timeZone)
    }

    func date(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .long, time: .omitted, locale: locale, timeZone: timeZone))
    }
}

extension Request {
    /// How the store's pages write numbers and times for this visitor in the acting store.
    var storeFormat: StorePageFormat { StorePageFormat(language: language, timeZone: store.timeZone) }
}
