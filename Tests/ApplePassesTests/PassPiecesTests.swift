import ApplePasses
import Foundation
import Testing

@Suite("Pass colours, strings tables and update times")
struct PassPiecesTests {
    @Test func readsHexColoursIntoCSS() {
        #expect(PassColor(hex: "#3C414C")?.css == "rgb(60, 65, 76)")
        #expect(PassColor(hex: "fa0")?.css == "rgb(255, 170, 0)")
        #expect(PassColor(hex: "#12345") == nil)
        #expect(PassColor(hex: "#GGGGGG") == nil)
        #expect(PassColor(hex: "") == nil)
    }

    @Test func picksTheTextColourWithMoreContrast() {
        #expect(PassColor(hex: "#1A237E")!.readableText == .white)
        #expect(PassColor(hex: "#FFEB3B")!.readableText == .nearBlack)
        #expect(PassColor.white.readableText == .nearBlack)
    }

    @Test func writesStringsAsUTF16WithEscapes() {
        let table = PassStrings(language: "de", entries: ["b": "Zweite \"Zeile\"\nmit \\", "a": "Stempel"])
        #expect(table.path == "de.lproj/pass.strings")
        #expect(table.text == "\"a\" = \"Stempel\";\n\"b\" = \"Zweite \\\"Zeile\\\"\\nmit \\\\\";\n")
        let data = table.encoded()
        #expect(Array(data.prefix(2)) == [0xFF, 0xFE])
        #expect(String(data: data, encoding: .utf16) == table.text)
    }

    let clock = PassUpdateClock(settleWindow: 10)
    let now = Date(timeIntervalSince1970: 1_800_000_000.250)

    @Test func listsEveryPassOnTheFirstCallAndOnlyChangedOnesAfter() throws {
        let old = now.addingTimeInterval(-3600)
        let recent = now.addingTimeInterval(-60)
        let first = try #require(clock.updates(of: [("a", old), ("b", recent)], since: nil, now: now))
        #expect(first.serials == ["a", "b"])
        #expect(first.tag == PassUpdateClock.milliseconds(recent))
        #expect(clock.updates(of: [("a", old), ("b", recent)], since: first.tag, now: now) == nil)
        let later = now.addingTimeInterval(-30)
        let second = try #require(clock.updates(of: [("a", later), ("b", recent)], since: first.tag, now: now))
        #expect(second.serials == ["a"])
        #expect(second.tag > first.tag)
    }

    @Test func neverHandsOutATagInsideTheSettleWindow() throws {
        // A change stamped 2 s ago may be followed by one stamped earlier that commits later:
        // the tag stays 10 s back, so that one is still "after" the tag on the next call.
        let justNow = now.addingTimeInterval(-2)
        let answer = try #require(clock.updates(of: [("a", justNow)], since: nil, now: now))
        #expect(answer.tag == PassUpdateClock.milliseconds(now.addingTimeInterval(-10)))
        let lateCommit = now.addingTimeInterval(-3)
        #expect(clock.updates(of: [("a", justNow), ("b", lateCommit)], since: answer.tag, now: now)?.serials == ["a", "b"])
    }

    @Test func tagsNeverMoveBackward() throws {
        let since = PassUpdateClock.milliseconds(now) - 1_000
        let answer = try #require(clock.updates(of: [("a", now)], since: since, now: now))
        #expect(answer.tag == since)
    }

    @Test func lastModifiedIsWholeSecondsAndNeverInsideTheSettleWindow() {
        let modified = now.addingTimeInterval(-100.7)
        let sent = clock.lastModified(of: modified, now: now)
        #expect(sent.timeIntervalSince1970 == (modified.timeIntervalSince1970).rounded(.down))
        #expect(clock.isUnchanged(modified, ifModifiedSince: sent))
        // Modified within the window: the date sent is older, so the next fetch gets the pass again.
        let fresh = now.addingTimeInterval(-1)
        let sentForFresh = clock.lastModified(of: fresh, now: now)
        #expect(sentForFresh.timeIntervalSince1970 == now.addingTimeInterval(-10).timeIntervalSince1970.rounded(.down))
        #expect(!clock.isUnchanged(fresh, ifModifiedSince: sentForFresh))
    }
}
