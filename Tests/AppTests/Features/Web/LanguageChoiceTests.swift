import Testing

@testable import App

/// WEB.md's order: `?lang=`, the remembered cookie, the account, `Accept-Language`, English.
@Suite struct LanguageChoiceTests {
    @Test func theQueryWinsOverEverythingElse() {
        #expect(Language.choose(query: "lb", cookie: "fr", account: .de, acceptLanguage: "en") == .lb)
    }

    @Test func thenTheRememberedChoiceThenTheAccountThenTheBrowser() {
        #expect(Language.choose(query: nil, cookie: "fr", account: .de, acceptLanguage: "en") == .fr)
        #expect(Language.choose(query: nil, cookie: nil, account: .de, acceptLanguage: "fr") == .de)
        #expect(Language.choose(query: nil, cookie: nil, account: nil, acceptLanguage: "fr-LU,fr;q=0.9") == .fr)
        #expect(Language.choose(query: nil, cookie: nil, account: nil, acceptLanguage: nil) == .en)
    }

    @Test func anUnknownChoiceFallsThroughToTheNext() {
        #expect(Language.choose(query: "xx", cookie: "<script>", account: nil, acceptLanguage: "de") == .de)
        #expect(Language.choose(query: "", cookie: "", account: nil, acceptLanguage: "zz, ja") == .en)
    }

    @Test func acceptLanguageIsReadByQualityThenOrder() {
        #expect(Language.preferred(in: "ja, de;q=0.5, lb;q=0.8") == .lb)
        #expect(Language.preferred(in: "de-LU;q=0.9, fr;q=0.9") == .de)
        #expect(Language.preferred(in: "fr;q=0, de;q=0.1") == .de, "q=0 means not acceptable")
        #expect(Language.preferred(in: "FR-be") == .fr)
        #expect(Language.preferred(in: "en;q=abc, ;;;, ,") == .en)
        #expect(Language.preferred(in: String(repeating: "x,", count: 10_000) + "de") == nil, "only the first 32 ranges are read")
    }
}
