import Foundation
import LoyaltyCore
import QRCodes
import Testing

/// The codes decode to exactly their text, checked by a decoder that is not ours (zbarimg).
@Suite("QR codes decode with zbarimg", .enabled(if: Zbar.isAvailable, "zbarimg is missing: apt-get install zbar-tools (scripts/install-test-deps)"))
struct QRCodeDecodingTests {
    /// A card's `qr_code_data` as `CardService.newQRToken()` makes it: 192 random bits in
    /// base64url (32 characters).
    static func cardToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64URLEncoded
    }

    static let payloads: [String] = [
        cardToken(),
        // A token made of the two replaced characters and digits: every byte of the alphabet's edges.
        "-_-_0123456789-_ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "https://loyalty.example/enroll/LUMIERE-LUX",
        "https://loyalty.example/card/" + cardToken(),
        "Café Lumière, Müller & Söhn, Ënnen am Gäertchen: 12,50 € für Crème brûlée",
        "4006381333931",
        String(repeating: "Une boulangerie à Luxembourg, ", count: 10),
    ]

    @Test(arguments: payloads)
    func decodesToItsTextFromAPicture(_ text: String) throws {
        let code = try QRCode(encoding: text, correction: .medium)
        #expect(String(decoding: try Zbar.decode(code), as: UTF8.self) == text)
    }

    @Test func aThreeHundredCharacterTextDecodes() throws {
        let text = String((0..<300).map { i in Array("Stamp card, 10 stamps: a free coffee. ")[i % 38] })
        #expect(text.count == 300)
        let code = try QRCode(encoding: text)
        #expect(String(decoding: try Zbar.decode(code), as: UTF8.self) == text)
    }

    @Test(arguments: QRCode.Correction.allCases)
    func everyCorrectionLevelDecodes(_ correction: QRCode.Correction) throws {
        let text = Self.cardToken()
        let code = try QRCode(encoding: text, correction: correction)
        #expect(String(decoding: try Zbar.decode(code), as: UTF8.self) == text)
    }

    @Test func theLargestCodeDecodes() throws {
        // 2,331 bytes is what version 40 holds at error correction M in 8-bit mode.
        let text = String((0..<2_331).map { i in Array("abcdefghijklmnopqrstuvwxyz-_.")[i % 29] })
        let code = try QRCode(encoding: text)
        #expect(code.version == 40)
        #expect(String(decoding: try Zbar.decode(code, scale: 3), as: UTF8.self) == text)
    }

    @Test func aNulByteIsEncodedNotCutOff() throws {
        let text = "before\u{0}after"
        let code = try QRCode(encoding: text)
        #expect(try Zbar.decode(code, binary: true) == Data(text.utf8))
    }
}

/// The SVG itself, drawn by librsvg as a browser would, decodes: the path, the quiet zone and
/// the viewBox are right, not just the matrix.
@Suite(
    "QR code SVGs decode with zbarimg",
    .enabled(if: Zbar.isAvailable, "zbarimg is missing: apt-get install zbar-tools (scripts/install-test-deps)"),
    .enabled(if: Zbar.rsvgConvert != nil, "rsvg-convert is missing: apt-get install librsvg2-bin (scripts/install-test-deps)"))
struct QRCodeSVGDecodingTests {
    @Test(arguments: QRCodeDecodingTests.payloads)
    func decodesToItsText(_ text: String) throws {
        let code = try QRCode(encoding: text)
        // About 4 pixels a module, as on a phone held at arm's length: the viewBox scales it.
        let decoded = try Zbar.decode(svg: code.svg(label: "QR code"), width: 4 * (code.size + 8))
        #expect(String(decoding: decoded, as: UTF8.self) == text)
    }

    @Test func aThreeHundredCharacterTextDecodesAtAnySize() throws {
        let text = String((0..<300).map { i in Array("Stamp card, 10 stamps: a free coffee. ")[i % 38] })
        let code = try QRCode(encoding: text)
        for width in [3 * (code.size + 8), 500, 1_000] {
            let decoded = try Zbar.decode(svg: code.svg(label: "card", width: 240), width: width)
            #expect(String(decoding: decoded, as: UTF8.self) == text, "\(width) pixels")
        }
    }
}
