import Foundation

/// The words of every page, one flat catalog per language
/// (`Resources/Localization/<language>.json`, key → text).
///
/// Texts take positional arguments written `{1}`, `{2}`… so a translation may put them in
/// another order. `CatalogTests` fails when a key is missing in one language or used nowhere.
struct Catalog: Sendable {
    let texts: [Language: [String: String]]

    /// Loads the four catalogs shipped with the app; a missing or malformed file stops start-up.
    static func bundled() throws -> Catalog {
        var texts: [Language: [String: String]] = [:]
        for language in Language.allCases {
            guard let url = Bundle.module.url(forResource: language.rawValue, withExtension: "json", subdirectory: "Localization") else {
                throw CatalogError.missingFile(language.rawValue)
            }
            texts[language] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        }
        return Catalog(texts: texts)
    }

    /// The text of `key` in `language` with its arguments in place. A key missing in that
    /// language falls back to English, then to the key itself (a test keeps that from shipping).
    func text(_ key: String, in language: Language, _ arguments: [String] = []) -> String {
        let template = texts[language]?[key] ?? texts[.en]?[key] ?? key
        guard !arguments.isEmpty else { return template }
        var result = template
        for (index, argument) in arguments.enumerated() {
            result = result.replacingOccurrences(of: "{\(index + 1)}", with: argument)
        }
        return result
    }
}

enum CatalogError: Error, CustomStringConvertible {
    case missingFile(String)

    var description: String {
        switch self {
        case .missingFile(let name): "The language catalog Localization/\(name).json is missing from the app's resources."
        }
    }
}
