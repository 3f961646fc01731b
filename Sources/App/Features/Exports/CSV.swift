import Foundation

/// Writes CSV (RFC 4180) that spreadsheets open safely.
enum CSV {
    /// One line with `\r\n`, each field quoted when needed.
    static func line(_ fields: [String?]) -> String {
        fields.map { escape($0 ?? "") }.joined(separator: ",") + "\r\n"
    }

    /// Quotes fields with separators, quotes or line breaks, and defuses text a spreadsheet
    /// would run as a formula (`=`, `+`, `-`, `@` first) by prefixing an apostrophe; numbers
    /// written by the exporter itself (negative deltas) stay numbers.
    static func escape(_ field: String) -> String {
        var value = field
        if let first = value.first, "=+-@\t\r".contains(first), Double(value) == nil {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
