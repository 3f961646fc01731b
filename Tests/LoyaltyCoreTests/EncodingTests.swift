import Foundation
import Testing

@testable import LoyaltyCore

/// `hexEncoded` writes every ledger hash and the passes' manifest: it must stay byte for byte
/// what the chain was built with (lower case, two digits a byte), or `verify-ledger` would
/// refuse old rows.
@Suite struct HexTests {
    @Test func everyByteIsTwoLowerCaseDigits() {
        let all = (0...255).map(UInt8.init)
        #expect(all.hexEncoded == all.map { String(format: "%02x", $0) }.joined())
        #expect([UInt8]().hexEncoded == "")
        #expect([0x00, 0x0f, 0xf0, 0xff].hexEncoded == "000ff0ff")
        #expect(Data([0xde, 0xad, 0xbe, 0xef]).hexEncoded == "deadbeef")
        #expect([UInt8](repeating: 0xab, count: 3).lazy.map { $0 }.hexEncoded == "ababab")
    }
}

/// Base64url tokens go into paths, cookies and QR codes (RFC 4648 §5, no padding).
@Suite struct Base64URLTests {
    @Test(arguments: 0...40)
    func everyLengthRoundTripsWithoutPaddingOrPlainBase64Characters(_ length: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = Data((0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let text = bytes.base64URLEncoded
        #expect(text.count == (length * 4 + 2) / 3)
        #expect(!text.contains { "+/=".contains($0) })
        #expect(Data(base64URLEncoded: text) == bytes)
    }

    @Test func theAlphabetsEdgesAreMinusAndUnderscore() {
        // 0xfb 0xff 0xbf: the six-bit groups 62 and 63, which plain base64 writes `+` and `/`.
        #expect(Data([0xfb, 0xff, 0xbf]).base64URLEncoded == "-_-_")
        #expect(Data(base64URLEncoded: "-_-_") == Data([0xfb, 0xff, 0xbf]))
        #expect(Data([0xff]).base64URLEncoded == "_w")
        #expect(Data(base64URLEncoded: "_w") == Data([0xff]))
        #expect(Data(base64URLEncoded: "") == Data())
        #expect(Data(base64URLEncoded: "aGk"[...]) == Data("hi".utf8))
    }

    @Test(arguments: ["+_-_", "-/-_", "_w==", "_w=", "a", "abcde", "ab cd", "ab\ncd", "ab.cd", "é", "\u{0}"])
    func whatBase64URLDoesNotWriteIsRefused(_ text: String) {
        #expect(Data(base64URLEncoded: text) == nil)
    }
}
