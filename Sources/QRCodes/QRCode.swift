import CQRencode
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A QR code symbol: the square matrix of modules libqrencode made for a text.
///
/// The C structure is copied into Swift values and freed inside the initializer, so a
/// `QRCode` owns no C memory and is a plain `Sendable` value.
public struct QRCode: Sendable, Hashable {
    /// How much of the symbol may be damaged (or covered) and still decode; more costs modules.
    public enum Correction: Sendable, Hashable, CaseIterable {
        /// About 7 % of the codewords may be lost.
        case low
        /// About 15 %: the usual choice for screens and paper.
        case medium
        /// About 25 %.
        case quartile
        /// About 30 %.
        case high
    }

    /// The symbol's version, 1 (21×21 modules) to 40 (177×177).
    public let version: Int
    /// Modules per side, without the quiet zone.
    public let size: Int
    /// `size × size` modules, row by row from the top left; `true` is dark.
    public let modules: [Bool]

    /// The smallest symbol holding `text`, at the given error correction: ASCII text with
    /// digit and upper-case stretches packed tighter where that saves room, any other text as
    /// its UTF-8 bytes behind an ECI header saying they are UTF-8.
    ///
    /// Throws `QRCodeError.empty` for `""`, `.tooLong` when the text does not fit even a
    /// version-40 symbol (for text that is not all digits: 2,953 UTF-8 bytes at `.low`, 2,331
    /// at `.medium`), and `.encoderFailed` for anything else libqrencode refuses.
    public init(encoding text: String, correction: Correction = .medium) throws(QRCodeError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw .empty }
        // Past this nothing fits, whatever the modes: refuse without making C try.
        guard bytes.count <= Self.maximumBytes else { throw .tooLong(bytes: bytes.count) }
        errno = 0
        let symbol: UnsafeMutablePointer<QRcode>?
        if bytes.allSatisfy({ $0 != 0 && $0 < 0x80 }) {
            // Plain ASCII: libqrencode packs digit and upper-case stretches tighter than bytes.
            symbol = text.withCString { QRcode_encodeString($0, 0, correction.level, QR_MODE_8, 1) }
        } else {
            symbol = Self.encodeBytes(bytes, level: correction.level)
        }
        guard let symbol else {
            let code = errno
            if code == ERANGE { throw .tooLong(bytes: bytes.count) }
            throw .encoderFailed(errno: code)
        }
        defer { QRcode_free(symbol) }

        let width = Int(symbol.pointee.width)
        guard width > 0, let data = symbol.pointee.data else { throw .encoderFailed(errno: 0) }
        version = Int(symbol.pointee.version)
        size = width
        // libqrencode keeps other flags in the upper bits of each byte; bit 0 is "dark".
        modules = UnsafeBufferPointer(start: data, count: width * width).map { $0 & 1 == 1 }
    }

    /// Whether the module at (`row`, `column`) is dark; `false` outside the symbol, which is
    /// what the quiet zone around it is.
    public func isDark(row: Int, column: Int) -> Bool {
        guard (0..<size).contains(row), (0..<size).contains(column) else { return false }
        return modules[row * size + column]
    }

    /// All bytes in 8-bit mode: a C string would end at a NUL and silently drop the rest. Text
    /// beyond ASCII starts with ECI 26 ("the bytes are UTF-8"): without it readers guess, and
    /// zbar takes short French or German texts for Shift JIS.
    private static func encodeBytes(_ bytes: [UInt8], level: QRecLevel) -> UnsafeMutablePointer<QRcode>? {
        guard let input = QRinput_new2(0, level) else { return nil }
        var symbol: UnsafeMutablePointer<QRcode>?
        // QRinput_append copies the bytes.
        if bytes.allSatisfy({ $0 < 0x80 }) || QRinput_appendECIheader(input, utf8ECI) == 0,
            QRinput_append(input, QR_MODE_8, Int32(bytes.count), bytes) == 0
        {
            symbol = QRcode_encodeInput(input)
        }
        // The caller reads errno (ERANGE: too long); freeing must not lose it.
        let code = errno
        QRinput_free(input)
        errno = code
        return symbol
    }

    /// The ECI assignment number of UTF-8.
    private static let utf8ECI: UInt32 = 26

    /// The most characters any QR code holds: 7,089 digits (version 40, error correction L,
    /// numeric mode). Other texts hold fewer; libqrencode says so with `ERANGE`.
    static let maximumBytes = 7_089
}

extension QRCode.Correction {
    var level: QRecLevel {
        switch self {
        case .low: QR_ECLEVEL_L
        case .medium: QR_ECLEVEL_M
        case .quartile: QR_ECLEVEL_Q
        case .high: QR_ECLEVEL_H
        }
    }
}

/// Why a text got no QR code.
public enum QRCodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is empty: a code that says nothing is a mistake upstream.
    case empty
    /// The text does not fit in the largest QR code at the chosen error correction.
    case tooLong(bytes: Int)
    /// libqrencode refused for another reason (its `errno`: `EINVAL`, `ENOMEM`).
    case encoderFailed(errno: Int32)

    public var description: String {
        switch self {
        case .empty: "a QR code needs a non-empty text"
        case .tooLong(let bytes): "a text of \(bytes) UTF-8 bytes does not fit in a QR code"
        case .encoderFailed(let code): "libqrencode refused the text (errno \(code))"
        }
    }
}
