import Foundation

/// One language's `pass.strings`: the labels and texts Wallet looks up by key.
///
/// Written as UTF-16 little-endian with a byte-order mark, the encoding Apple's guide names;
/// UTF-8 is reported to work too, but UTF-16 is the documented one (../shared/docs/WALLET.md §1.2).
public struct PassStrings: Sendable, Equatable {
    /// An `.lproj` folder name: `en`, `fr`, `de`, `lb`.
    public let language: String
    public let entries: [String: String]

    public init(language: String, entries: [String: String]) {
        self.language = language
        self.entries = entries
    }

    /// The path of this file inside the pass.
    public var path: String { "\(language).lproj/pass.strings" }

    /// `"key" = "value";` lines, sorted by key, with quotes, backslashes and newlines escaped.
    public var text: String {
        entries.keys.sorted().map { key in "\"\(Self.escape(key))\" = \"\(Self.escape(entries[key]!))\";\n" }.joined()
    }

    public func encoded() -> Data {
        var data = Data([0xFF, 0xFE])
        for unit in text.utf16 {
            data.append(UInt8(unit & 0xFF))
            data.append(UInt8(unit >> 8))
        }
        return data
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
