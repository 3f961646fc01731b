import Foundation

extension Sequence where Element == UInt8 {
    /// Lower-case hex, two digits a byte: how digests and random tokens are written.
    var hexEncoded: String {
        map { String(format: "%02x", $0) }.joined()
    }
}
