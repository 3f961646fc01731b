import Foundation

/// Syntax rules for the values people type into onboarding and account forms.
///
/// Each rule returns `nil` when the value is acceptable, or a short message that completes the
/// sentence "<field> ...", so a form can show every wrong field at once.
public enum FieldRules {
    /// The length of any text without a tighter rule of its own.
    public static let maximumTextLength = 2_000

    /// Text the databases can store and index: no NUL character (PostgreSQL refuses it in a
    /// text value, which would surface as a server error) and at most `maxLength` characters.
    /// Characters are also bounded in bytes (4 per character): one character may carry any
    /// number of combining marks, and an over-long index entry also fails in PostgreSQL.
    public static func storableText(_ value: String, maxLength: Int = maximumTextLength) -> String? {
        if value.unicodeScalars.contains("\u{0}") { return "must not contain NUL characters" }
        if value.count > maxLength || value.utf8.count > 4 * maxLength { return "must be at most \(maxLength) characters" }
        return nil
    }

    /// A pragmatic e-mail check: one `@`, a dotted domain, no spaces. Real verification is a
    /// confirmation mail; this only catches typing mistakes.
    public static func email(_ value: String) -> String? {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard value.count <= 254, parts.count == 2, !parts[0].isEmpty,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !value.contains(where: { $0.isWhitespace })
        else { return "is not a valid e-mail address" }
        return nil
    }

    /// Store codes are public (printed on enrollment posters and in URLs): 3 to 32 characters
    /// of letters, digits and dashes, starting with a letter or digit.
    public static func storeCode(_ value: String) -> String? {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
        guard (3...32).contains(value.count),
            value.unicodeScalars.allSatisfy(allowed.contains),
            !value.hasPrefix("-")
        else { return "must be 3 to 32 letters, digits or dashes, not starting with a dash" }
        return nil
    }

    /// An IANA time zone name known to this system's tz database ("Europe/Luxembourg").
    public static func timeZone(_ value: String) -> String? {
        // Foundation also accepts abbreviations such as "CET" or offsets; the product stores
        // region names so that daylight-saving changes follow the law of the place.
        guard value.contains("/") || value == "UTC", TimeZone(identifier: value) != nil else {
            return "is not an IANA time zone name such as Europe/Luxembourg"
        }
        return nil
    }

    /// Passwords: long enough to resist guessing, short enough for bcrypt (72 bytes).
    public static func password(_ value: String) -> String? {
        if value.count < 10 { return "must be at least 10 characters" }
        if value.utf8.count > 72 { return "must be at most 72 bytes" }
        return nil
    }

    /// A non-blank name of at most `maxLength` characters.
    public static func name(_ value: String, maxLength: Int = 200) -> String? {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "must not be empty" }
        if value.count > maxLength { return "must be at most \(maxLength) characters" }
        return nil
    }

    /// A phone number as people write it: digits, spaces and + ( ) - . between 6 and 20 digits.
    public static func phone(_ value: String) -> String? {
        let allowed = CharacterSet(charactersIn: "0123456789 +()-./")
        let digits = value.filter(\.isNumber).count
        guard value.unicodeScalars.allSatisfy(allowed.contains), (6...20).contains(digits) else {
            return "is not a phone number"
        }
        return nil
    }

    /// A calendar date `YYYY-MM-DD` in the past (birthdays).
    public static func birthday(_ value: String, today: Date = Date()) -> String? {
        guard let date = CalendarDate(value), date.isValid else { return "must be a date YYYY-MM-DD" }
        guard let todayDate = CalendarDate(today, in: TimeZone(identifier: "UTC")!), date < todayDate,
            date.year >= 1900
        else {
            return "must be a date in the past"
        }
        return nil
    }
}
