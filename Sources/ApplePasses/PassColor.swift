import Foundation

/// Colours as pass.json wants them: CSS `rgb(r, g, b)`.
public struct PassColor: Sendable, Equatable {
    public let red: UInt8
    public let green: UInt8
    public let blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Reads `#rrggbb` or `#rgb` (the `#` is optional); `nil` for anything else.
    public init?(hex: String) {
        var digits = Substring(hex)
        if digits.hasPrefix("#") { digits = digits.dropFirst() }
        guard digits.allSatisfy(\.isHexDigit) else { return nil }
        if digits.count == 3 { digits = Substring(digits.flatMap { [$0, $0] }) }
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
        self.init(red: UInt8(value >> 16 & 0xFF), green: UInt8(value >> 8 & 0xFF), blue: UInt8(value & 0xFF))
    }

    public var css: String { "rgb(\(red), \(green), \(blue))" }

    public static let white = PassColor(red: 255, green: 255, blue: 255)
    public static let nearBlack = PassColor(red: 28, green: 28, blue: 30)

    /// White or near-black, whichever reads better on this background (WCAG relative
    /// luminance: the one with the larger contrast ratio wins).
    public var readableText: PassColor {
        let luminance = relativeLuminance
        let contrastWithWhite = 1.05 / (luminance + 0.05)
        let contrastWithBlack = (luminance + 0.05) / (PassColor.nearBlack.relativeLuminance + 0.05)
        return contrastWithWhite >= contrastWithBlack ? .white : .nearBlack
    }

    /// The text colour, a little toward the background, for labels.
    public var readableLabel: PassColor {
        let text = readableText
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Int(a) * 3 + Int(b)) / 4) }
        return PassColor(red: mix(text.red, red), green: mix(text.green, green), blue: mix(text.blue, blue))
    }

    var relativeLuminance: Double {
        func channel(_ value: UInt8) -> Double {
            let c = Double(value) / 255
            return c <= 0.039_28 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    }
}
