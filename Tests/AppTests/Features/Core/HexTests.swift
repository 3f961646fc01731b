import Foundation
import Testing

@testable import App

/// `hexEncoded` writes every ledger hash: it must stay byte for byte what the chain was built
/// with (lower case, two digits a byte), or `verify-ledger` would refuse old rows.
@Suite struct HexTests {
    @Test func everyByteIsTwoLowerCaseDigits() {
        let all = (0...255).map(UInt8.init)
        #expect(all.hexEncoded == all.map { String(format: "%02x", $0) }.joined())
        #expect([UInt8]().hexEncoded == "")
        #expect([0x00, 0x0f, 0xf0, 0xff].hexEncoded == "000ff0ff")
    }

    @Test func aDigestIsWrittenAsShaSumWritesIt() {
        // `printf abc | sha256sum`
        #expect(LedgerHashing.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
