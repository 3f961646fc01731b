import Foundation

extension Data {
    /// Base64url without padding (RFC 4648 §5): safe in paths, cookies and QR codes.
    public var base64URLEncoded: String {
        base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads what `base64URLEncoded` writes (a JWT's segments too); `nil` for anything else:
    /// padding, `+` or `/` of plain base64, white space, or a length no bytes encode to.
    public init?(base64URLEncoded text: some StringProtocol) {
        guard text.utf8.allSatisfy(\.isBase64URLDigit), text.utf8.count % 4 != 1 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}

extension UInt8 {
    /// A character of the base64url alphabet: `A-Z`, `a-z`, `0-9`, `-`, `_`.
    fileprivate var isBase64URLDigit: Bool {
        switch self {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}
