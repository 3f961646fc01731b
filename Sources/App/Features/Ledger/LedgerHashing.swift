import Crypto
import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// The hash function of the ledger's chain: SHA-256, hex.
enum LedgerHashing {
    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hexEncoded
    }
}
