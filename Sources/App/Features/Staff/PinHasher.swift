import Crypto
import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Turns a PIN into the keyed hash stored and looked up in `staff_pins.pin_hash`.
///
/// HMAC-SHA256 under a key derived from `LOYALTY_SECRET_KEY`: without the key, the 10⁴–10⁸
/// possible PINs cannot be tried against a dump; with it, checking a PIN is one hash and one
/// indexed lookup (bcrypt would cost ~0.4 s of CPU per check, per staff member compared).
/// The merchant id is part of the message, so equal PINs at two merchants hash differently.
struct PinHasher: Sendable {
    /// Raw key bytes (`SymmetricKey` is not `Sendable`).
    private let keyBytes: [UInt8]

    init(secretKey: String) {
        // A key of its own for PINs, so the secret's other uses never share a MAC key.
        let derived = HMAC<SHA256>.authenticationCode(for: Data("staff-pin-v1".utf8), using: SymmetricKey(data: Data(secretKey.utf8)))
        keyBytes = Array(derived)
    }

    func hash(pin: String, merchantID: UUID) -> String {
        let message = Data("\(merchantID.uuidString.lowercased()):\(pin)".utf8)
        return HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: keyBytes)).hexEncoded
    }
}
