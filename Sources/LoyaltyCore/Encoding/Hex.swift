extension Sequence where Element == UInt8 {
    /// Lower-case hex, two digits a byte: how digests, random tokens and the passes' manifest
    /// are written.
    /// Every ledger row's hash goes through here, so it builds the text from a table instead of
    /// formatting each byte with `String(format:)` (a Foundation call per byte); inlinable, so
    /// the callers in other modules get it specialized to their digest type.
    @inlinable
    public var hexEncoded: String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            utf8.append(lowerCaseHexDigits[Int(byte >> 4)])
            utf8.append(lowerCaseHexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}

@usableFromInline let lowerCaseHexDigits: [UInt8] = Array("0123456789abcdef".utf8)
