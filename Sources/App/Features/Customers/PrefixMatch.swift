import FluentSQL
import Foundation
import SQLKit

/// "Starts with" on a customer's name or e-mail, written so that an index serves it: the range
/// `key >= prefix AND key < prefix + U+10FFFF` over the index's own expression. A `LIKE
/// 'cla%'` read every customer of the merchant (SQLite only ranges a LIKE over a NOCASE column,
/// PostgreSQL only under the C collation): 100,000 of them per search at the benchmark's size
/// (decision 0034).
///
/// The range compares bytes (SQLite's BINARY, PostgreSQL's `COLLATE "C"`), where exactly the
/// strings that start with the prefix sort inside it (but for one followed by U+10FFFF, a
/// private-use code point), and it takes `%` and `_` literally, as the escaped LIKE did. The
/// indexes are `customers_merchant_name_idx` and `customers_merchant_email_idx`; both end in
/// the customer's id, so `customerIDs` reads nothing but them.
enum PrefixMatch {
    /// `lower(name)` starts with `text` (lower-cased here).
    static func name(_ text: String, table: String? = nil, sqlite: Bool) -> SQLQueryString {
        match(column: "name", lowered: true, text: text, table: table, sqlite: sqlite)
    }

    /// The e-mail (stored lower-case) starts with `text` (lower-cased here).
    static func email(_ text: String, table: String? = nil, sqlite: Bool) -> SQLQueryString {
        match(column: "email", lowered: false, text: text, table: table, sqlite: sqlite)
    }

    /// The ids of the merchant's customers whose name or e-mail starts with `text`, or (with
    /// `orPhone`) who match that condition: a UNION of one index range per column, which both
    /// engines read from the indexes alone, where an OR of the two read every customer row it
    /// found (SQLite; a name search's count at a million cards: 166 → 64 ms warm).
    static func customerIDs(_ text: String, merchantID: UUID, orPhone phone: SQLQueryString? = nil, sqlite: Bool) -> SQLQueryString {
        var query = SQLQueryString("SELECT id FROM customers WHERE merchant_id = \(bind: merchantID) AND ") + name(text, sqlite: sqlite)
            + SQLQueryString(" UNION SELECT id FROM customers WHERE merchant_id = \(bind: merchantID) AND ") + email(text, sqlite: sqlite)
        if let phone {
            query = query + SQLQueryString(" UNION SELECT id FROM customers WHERE merchant_id = \(bind: merchantID) AND ") + phone
        }
        return query
    }

    /// The name index's order, for `ORDER BY` after a `name` match: PostgreSQL then reads the
    /// index in order and stops at a `LIMIT`, where without it a bitmap scan read every match
    /// first (16,578 entries for "mar" at a million cards: 2.9 → 1.8 ms for the first 1,001).
    static func nameOrder(table: String? = nil, sqlite: Bool) -> SQLQueryString {
        SQLQueryString("\(unsafeRaw: key(column: "name", lowered: true, table: table, sqlite: sqlite))")
    }

    private static func match(column: String, lowered: Bool, text: String, table: String?, sqlite: Bool) -> SQLQueryString {
        let prefix = text.lowercased()
        let key = key(column: column, lowered: lowered, table: table, sqlite: sqlite)
        return SQLQueryString("(\(unsafeRaw: key) >= \(bind: prefix) AND \(unsafeRaw: key) < \(bind: prefix + "\u{10FFFF}"))")
    }

    /// The indexed expression: the column, lower-cased or not, compared byte by byte.
    private static func key(column: String, lowered: Bool, table: String?, sqlite: Bool) -> String {
        let qualified = (table.map { $0 + "." } ?? "") + column
        let value = lowered ? "lower(\(qualified))" : qualified
        return sqlite ? value : "(\(value) COLLATE \"C\")"
    }
}
