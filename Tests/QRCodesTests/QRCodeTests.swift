import Foundation
import QRCodes
import Testing

@Suite("QR codes from libqrencode")
struct QRCodeTests {
    @Test func theSymbolHasTheSizeOfItsVersion() throws {
        let code = try QRCode(encoding: "https://loyalty.example/enroll/LUMIERE-LUX")
        #expect(code.size == 17 + 4 * code.version)
        #expect(code.modules.count == code.size * code.size)
        // The three finder patterns: a dark 7×7 ring in the corners, light just inside it.
        for (row, column) in [(0, 0), (0, code.size - 7), (code.size - 7, 0)] {
            #expect(code.isDark(row: row, column: column))
            #expect(code.isDark(row: row + 6, column: column + 6))
            #expect(!code.isDark(row: row + 1, column: column + 1))
            #expect(code.isDark(row: row + 3, column: column + 3))
        }
        #expect(!code.isDark(row: -1, column: 0))
        #expect(!code.isDark(row: 0, column: code.size))
    }

    @Test func moreCorrectionNeverMakesASmallerSymbol() throws {
        let text = "https://loyalty.example/card/" + String(repeating: "x", count: 40)
        let sizes = try QRCode.Correction.allCases.map { try QRCode(encoding: text, correction: $0).size }
        #expect(sizes == sizes.sorted())
        #expect(sizes.first! < sizes.last!)
    }

    @Test func theSameTextGivesTheSameCode() throws {
        #expect(try QRCode(encoding: "LUMIERE-LUX") == QRCode(encoding: "LUMIERE-LUX"))
        #expect(try QRCode(encoding: "LUMIERE-LUX") != QRCode(encoding: "LUMIERE-LUY"))
    }

    @Test func anEmptyTextIsRefused() {
        #expect(throws: QRCodeError.empty) { try QRCode(encoding: "") }
    }

    @Test(arguments: [
        String(repeating: "a", count: 10_000),
        String(repeating: "é", count: 5_000),
        String(repeating: "7", count: 10_000),
        String(repeating: "a", count: 2_332),
        String(repeating: "\u{0}", count: 3_000),
    ])
    func aTextTooLongIsRefusedWithItsSize(_ text: String) {
        #expect(throws: QRCodeError.tooLong(bytes: text.utf8.count)) { try QRCode(encoding: text, correction: .medium) }
    }

    @Test func theLimitsAreTheStandardsNotOurs() throws {
        // Version 40: 2,953 bytes at L, 2,331 at M, and 7,089 digits at L in numeric mode.
        #expect(try QRCode(encoding: String(repeating: "a", count: 2_953), correction: .low).version == 40)
        #expect(try QRCode(encoding: String(repeating: "a", count: 2_331), correction: .medium).version == 40)
        #expect(try QRCode(encoding: String(repeating: "7", count: 7_089), correction: .low).version == 40)
        #expect(throws: QRCodeError.tooLong(bytes: 2_954)) {
            try QRCode(encoding: String(repeating: "a", count: 2_954), correction: .low)
        }
        #expect(throws: QRCodeError.tooLong(bytes: 7_090)) {
            try QRCode(encoding: String(repeating: "7", count: 7_090), correction: .low)
        }
    }

    @Test func digitsArePackedTighterThanBytes() throws {
        // Numeric mode: a 16-digit card number fits version 1 even at M; as bytes it would not.
        #expect(try QRCode(encoding: "4006381333931234", correction: .medium).version == 1)
    }

    @Test func aNulByteDoesNotCutTheTextShort() throws {
        #expect(try QRCode(encoding: "a\u{0}b") != QRCode(encoding: "a"))
    }

    /// What version 40 holds in 8-bit mode.
    static let byteCapacity: [QRCode.Correction: Int] = [.low: 2_953, .medium: 2_331, .quartile: 1_663, .high: 1_273]

    /// Any text: a code of the right shape or a `QRCodeError`, never a crash.
    @Test func randomTextsGiveACodeOrAnError() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = Array("09AZaz -_/:.%$*+é€ÿ😀\u{0}\u{7}\u{FFFD}\u{10FFFF}")
        for _ in 0..<300 {
            let length = [0, 1, 2, 17, 100, 1_000, 2_500, 3_000].randomElement(using: &generator)!
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let correction = QRCode.Correction.allCases.randomElement(using: &generator)!
            do {
                let code = try QRCode(encoding: text, correction: correction)
                #expect((1...40).contains(code.version))
                #expect(code.size == 17 + 4 * code.version)
                #expect(code.modules.count == code.size * code.size)
            } catch .empty {
                #expect(text.isEmpty)
            } catch .tooLong(let bytes) {
                // Refused only past what version 40 holds as bytes (less the ECI header's 2).
                #expect(bytes == text.utf8.count)
                #expect(bytes > Self.byteCapacity[correction]! - 2, "\(bytes) bytes at \(correction)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func encodesInParallel() async throws {
        let expected = try QRCode(encoding: "https://loyalty.example/enroll/LUMIERE-LUX")
        try await withThrowingTaskGroup(of: QRCode.self) { group in
            for _ in 0..<64 {
                group.addTask { try QRCode(encoding: "https://loyalty.example/enroll/LUMIERE-LUX") }
            }
            for try await code in group { #expect(code == expected) }
        }
    }
}
