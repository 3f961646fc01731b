import Foundation

/// A language the pages speak (WEB.md): every page, message and error a person reads exists in
/// each of them.
enum Language: String, CaseIterable, Sendable, Codable {
    case en, fr, de, lb

    /// How the language names itself, for the language switch.
    var ownName: String {
        switch self {
        case .en: "English"
        case .fr: "Français"
        case .de: "Deutsch"
        case .lb: "Lëtzebuergesch"
        }
    }

    /// The page's language, in WEB.md's order: `?lang=`, then the remembered choice (cookie),
    /// then the signed-in account's language, then `Accept-Language`, then English.
    ///
    /// Pure, so the order is tested without HTTP.
    static func choose(query: String?, cookie: String?, account: Language?, acceptLanguage: String?) -> Language {
        if let chosen = query.flatMap(Language.init(rawValue:)) { return chosen }
        if let remembered = cookie.flatMap(Language.init(rawValue:)) { return remembered }
        if let account { return account }
        return acceptLanguage.flatMap(preferred(in:)) ?? .en
    }

    /// The first supported language of an `Accept-Language` header, by quality then order
    /// (`de-LU;q=0.9, fr;q=0.8` → `de`); a range of `q=0` is refused by the reader, not chosen.
    static func preferred(in acceptLanguage: String) -> Language? {
        let ranges = acceptLanguage.split(separator: ",").prefix(32).enumerated().compactMap { index, part -> (Language, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { return nil }
            let primary = String(tag.split(separator: "-").first ?? "")
            guard let language = Language(rawValue: primary) else { return nil }
            let quality = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            guard quality > 0, quality <= 1 else { return nil }
            return (language, quality, index)
        }
        return ranges.sorted { ($0.1, -$0.2) > ($1.1, -$1.2) }.first?.0
    }
}
