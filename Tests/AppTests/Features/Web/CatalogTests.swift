import Foundation
import LoyaltyCore
import Testing

@testable import App

/// The four catalogs say the same things: no key is missing in a language, none is unused,
/// every key the pages ask for exists, and a text's arguments are the same in every language.
@Suite struct CatalogTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let resources = repository.appendingPathComponent("Sources/App/Resources")

    static func catalog() throws -> [Language: [String: String]] {
        var texts: [Language: [String: String]] = [:]
        for language in Language.allCases {
            texts[language] = try Catalog.load(folder: resources.appendingPathComponent("Localization/\(language.rawValue)"))
        }
        return texts
    }

    static func files(under folder: String, extension wanted: String) -> [String] {
        let root = repository.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == wanted }.compactMap { try? String(contentsOf: $0, encoding: .utf8) }
    }

    /// `#t("key"` in templates.
    static func keysAskedByTemplates() -> Set<String> {
        Set(files(under: "Sources/App/Resources/Views", extension: "leaf").flatMap { matches(of: #"#t\("([A-Za-z0-9_.\-]+)""#, in: $0) })
    }

    /// Every string literal of the app's Swift code (keys are passed around before `t` reads them).
    static func swiftLiterals() -> Set<String> {
        Set(files(under: "Sources/App", extension: "swift").flatMap { matches(of: #""([a-z0-9_]+\.[A-Za-z0-9_.\-]+)""#, in: $0) })
    }

    /// Keys made from a value: `role.<role>`, `error.<code>`.
    static let composedKeys = Set(Role.allCases.map { "role." + $0.rawValue } + RefusalWording.codes.map { "error." + $0 } + ["error.generic"])

    static func matches(of pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    @Test func everyLanguageHasEveryKey() throws {
        let texts = try Self.catalog()
        let english = Set(texts[.en]!.keys)
        #expect(english.count > 50)
        for language in Language.allCases {
            let keys = Set(texts[language]!.keys)
            #expect(english.subtracting(keys).sorted() == [], "missing in \(language.rawValue)")
            #expect(keys.subtracting(english).sorted() == [], "only in \(language.rawValue)")
            #expect(texts[language]!.filter { $0.value.trimmingCharacters(in: .whitespaces).isEmpty }.keys.sorted() == [], "empty in \(language.rawValue)")
        }
    }

    @Test func everyKeyIsUsedAndEveryUsedKeyExists() throws {
        let english = Set(try Self.catalog()[.en]!.keys)
        let asked = Self.keysAskedByTemplates()
        let used = asked.union(Self.swiftLiterals().intersection(english)).union(Self.composedKeys)
        #expect(english.subtracting(used).sorted() == [], "keys no page uses")
        #expect(asked.subtracting(english).sorted() == [], "keys a template asks for that no catalog has")
        #expect(Self.composedKeys.subtracting(english).sorted() == [], "error codes or roles without words")
    }

    @Test func everyLanguageTakesTheSameArguments() throws {
        let texts = try Self.catalog()
        for (key, english) in texts[.en]! {
            let arguments = Set(Self.matches(of: #"\{([0-9])\}"#, in: english))
            for language in Language.allCases {
                let translated = Set(Self.matches(of: #"\{([0-9])\}"#, in: texts[language]![key] ?? ""))
                #expect(translated == arguments, "\(key) in \(language.rawValue) takes \(translated.sorted()), English \(arguments.sorted())")
            }
        }
    }

    @Test func theTranslationsAreNotEnglishCopies() throws {
        let texts = try Self.catalog()
        for language in [Language.fr, .de, .lb] {
            let same = texts[.en]!.filter { key, text in text.count > 12 && texts[language]![key] == text }.keys.sorted()
            #expect(same == [], "\(language.rawValue) repeats the English text of \(same)")
        }
    }

    @Test func argumentsFillTheirPlaces() {
        let catalog = Catalog(texts: [.en: ["x": "{2} before {1}"], .fr: [:], .de: [:], .lb: [:]])
        #expect(catalog.text("x", in: .en, ["a", "b"]) == "b before a")
        #expect(catalog.text("x", in: .fr, ["a", "b"]) == "b before a", "a missing translation falls back to English")
        #expect(catalog.text("nope", in: .de) == "nope")
    }
}
