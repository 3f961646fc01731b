import FluentSQL
import Foundation
import SQLKit

/// "Starts with" on a customer's name or e-mail, written so that an index serves it: a range
/// `key >= prefix AND key < prefix + U+10FFFF` over the index's own expression, plus the exact
/// `LIKE` on the rows the range finds. A bare `LIKE 'cla%'` read every customer of the merchant
/// (SQLite only ranges a LIKE over a NOCASE column, PostgreSQL only under the C collation):
/// 100,000 of them per search at the benchmark's size (decision 0034).
///
/// The range compares bytes (SQLite's BINARY, PostgreSQL's `COLLATE "C"`), where every string
/// that starts with the prefix sorts inside it; a linguistic collation does not promise that.
/// The indexes are `customers_merchant_name_idx` and `customers_merchant_email_idx`.
enum PrefixMatch {
    /// `lower(name)` starts with `text` (lower-cased here).
    static func name(_ text: String, table: String? = nil, sqlite: Bool) -> SQLQueryString {
        match(column: "name", lowered: true, text: text, table: table, sqlite: sqlite)
    }

    /// The e-mail (stored lower-case) starts with `text` (lower-cased here).
    static func email(_ text: String, table: String? = nil, sqlite: Bool) -> SQLQueryString {
        match(column: "email", lowered: false, text: text, table: table, sqlite: sqlite)
    }

    private static func match(column: String, lowered: Bool, text: String, table: String?, sqlite: Bool) -> SQLQueryString {
        let prefix = text.lowercased()
        let qualified = (table.map { $0 + "." } ?? "") + column
        let value = lowered ? "lower(\(qualified))" : qualified
        let key = sqlite ? value : "(\(value) COLLATE \"C\")"
        let pattern = CustomerService.likePattern(prefix: prefix)
        return SQLQueryString(
            "(\(unsafeRaw: key) >= \(bind: prefix) AND \(unsafeRaw: key) < \(bind: prefix + "\u{10FFFF}") AND \(unsafeRaw: value) LIKE \(bind: pattern) ESCAPE '!')")
    }
}
