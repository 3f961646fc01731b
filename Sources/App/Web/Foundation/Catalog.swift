import Foundation

/// The words of every page, one flat catalog per language, kept in one file per area
/// (`Resources/Localization/<language>/<area>.json`, key → text; a key lives in one file).
///
/// Texts take positional arguments written `{1}`, `{2}`… so a translation may put them in
/// another order. `CatalogTests` fails when a key is missing in one language or used nowhere.
struct Catalog: Sendable {
    let texts: [Language: [String: String]]

    /// Loads the four catalogs shipped with the app; a missing or malformed file stops start-up.
    static func bundled() throws -> Catalog {
        var texts: [Language: [String: String]] = [:]
        guard let root = Bundle.module.resourceURL?.appendingPathComponent("Localization") else { throw CatalogError.missingFile("Localization") }
        for language in Language.allCases {
            texts[language] = try load(folder: root.appendingPathComponent(language.rawValue))
        }
        return Catalog(texts: texts)
    }

    /// Every `*.json` of one language's folder, merged; a key in two files is an error.
    static func load(folder: URL) throws -> [String: String] {
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !files.isEmpty else { throw CatalogError.missingFile(folder.lastPathComponent) }
        var texts: [String: String] = [:]
        for file in files {
            let area = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))
            if let twice = area.keys.first(where: { texts[$0] != nil }) {
                throw CatalogError.duplicateKey(twice, file.lastPathComponent)
            }
            texts.merge(area) { first, _ in first }
        }
        return texts
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
    case duplicateKey(String, String)

    var description: String {
        switch self {
        case .missingFile(let name): "The language catalog Localization/\(name)/ is missing from the app's resources."
        case .duplicateKey(let key, let file): "The catalog key \(key) is defined again in \(file)."
        }
    }
}
