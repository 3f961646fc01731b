import Foundation
import Testing

@testable import App

/// The ledger's chain hashes with SHA-256 written as hex (`LoyaltyCore`'s `hexEncoded`, tested
/// byte by byte in `LoyaltyCoreTests`): old rows verify only if the text stays the same.
@Suite struct HexTests {
    @Test func aDigestIsWrittenAsShaSumWritesIt() {
        // `printf abc | sha256sum`
        #expect(LedgerHashing.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
