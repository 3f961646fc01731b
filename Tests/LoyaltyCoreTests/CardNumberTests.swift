import Testing

@testable import LoyaltyCore

/// A seeded generator, so random-looking tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct CardNumberTests {
    @Test func randomNumbersAreValidDistinctAndPrintInGroups() {
        var generator = SplitMix64(seed: 42)
        let numbers = (0..<1_000).map { _ in CardNumber.random(using: &generator) }
        #expect(Set(numbers).count == 1_000)
        for number in numbers {
            #expect(number.digits.count == 16)
            #expect(CardNumber(number.formatted) == number)
            #expect(number.formatted.split(separator: " ").map(\.count) == [4, 4, 4, 4])
        }
    }

    @Test func aMistypedDigitIsCaught() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let number = CardNumber.random(using: &generator)
            var digits = Array(number.digits)
            let position = Int.random(in: 0..<16, using: &generator)
            let original = digits[position].wholeNumberValue!
            digits[position] = Character(String((original + Int.random(in: 1...9, using: &generator)) % 10))
            #expect(CardNumber(String(digits)) == nil)
        }
    }

    @Test func swappedNeighboursAreCaught() {
        var generator = SplitMix64(seed: 9)
        for _ in 0..<200 {
            var digits = Array(CardNumber.random(using: &generator).digits)
            let position = Int.random(in: 0..<15, using: &generator)
            // Luhn misses only the 0↔9 swap.
            guard digits[position] != digits[position + 1], Set([digits[position], digits[position + 1]]) != ["0", "9"] else { continue }
            digits.swapAt(position, position + 1)
            #expect(CardNumber(String(digits)) == nil)
        }
    }

    @Test func typedSeparatorsAreIgnored() throws {
        let number = try #require(CardNumber("4417-1234 5678-9113"))
        #expect(number.digits == "4417123456789113")
        #expect(CardNumber("4417 1234 5678 911") == nil)
        #expect(CardNumber("4417 1234 5678 911a") == nil)
    }
}
