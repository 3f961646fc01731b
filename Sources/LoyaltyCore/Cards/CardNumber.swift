/// The number printed on a card: 16 digits, the last a Luhn check digit, shown in groups of
/// four ("4417 1234 5678 9113") so a cashier can read it out and type it.
///
/// Numbers are random (15 random digits), so they are neither sequential nor guessable, and
/// the check digit catches a mistyped digit or two swapped neighbours before any lookup.
public struct CardNumber: Hashable, Sendable, CustomStringConvertible {
    /// The 16 digits without spaces, as stored.
    public let digits: String

    /// Parses what a person typed: spaces and dashes are ignored; the check digit must hold.
    public init?(_ text: String) {
        let digits = text.filter { $0 != " " && $0 != "-" }
        guard digits.count == 16, digits.allSatisfy(\.isASCIIDigit), Self.luhnIsValid(digits) else { return nil }
        self.digits = digits
    }

    /// A new random card number from `random` (a source of uniform random digits 0...9).
    public static func random(using generator: inout some RandomNumberGenerator) -> CardNumber {
        var body = ""
        // A leading non-zero digit keeps the number 16 digits long when read as an integer.
        body.append(String(Int.random(in: 1...9, using: &generator)))
        for _ in 0..<14 { body.append(String(Int.random(in: 0...9, using: &generator))) }
        // Safe: the body is 15 digits and the check digit completes a valid Luhn number.
        return CardNumber(body + String(luhnCheckDigit(for: body)))!
    }

    /// Groups of four digits separated by spaces.
    public var formatted: String {
        stride(from: 0, to: 16, by: 4).map { offset in
            let start = digits.index(digits.startIndex, offsetBy: offset)
            return String(digits[start..<digits.index(start, offsetBy: 4)])
        }.joined(separator: " ")
    }

    public var description: String { formatted }

    static func luhnCheckDigit(for body: String) -> Int {
        // Doubling starts at the rightmost body digit, since the check digit will follow it.
        var sum = 0
        for (index, character) in body.reversed().enumerated() {
            var digit = character.wholeNumberValue ?? 0
            if index % 2 == 0 {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
        }
        return (10 - sum % 10) % 10
    }

    static func luhnIsValid(_ digits: String) -> Bool {
        guard let last = digits.last?.wholeNumberValue else { return false }
        return luhnCheckDigit(for: String(digits.dropLast())) == last
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
