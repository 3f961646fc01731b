import Foundation
import Testing

@testable import LoyaltyCore

@Suite struct EuroAmountTests {
    @Test(arguments: [
        ("12.50", 1250), ("12,50", 1250), ("12", 1200), ("12.5", 1250), ("12,5", 1250), ("0.01", 1), (",99", 99),
        ("  7,00 ", 700), ("€ 3,20", 320), ("3,20 €", 320), ("1 234,56", 123_456), ("+4", 400), ("0012.30", 1230),
        ("1000000", 100_000_000), ("0.1", 10), ("0.29", 29),
    ])
    func readsEurosIntoExactCents(text: String, cents: Int) throws {
        #expect(try EuroAmount.cents(from: text) == cents)
    }

    @Test(arguments: [
        ("", EuroAmountError.empty), ("   ", .empty), ("abc", .notANumber), ("12.5.0", .notANumber), ("1,234.50", .notANumber),
        ("12,50,1", .notANumber), ("1e3", .notANumber), ("٣", .notANumber), (".", .notANumber), ("12.-5", .notANumber),
        ("-1", .negative), ("−2,50", .negative), ("12.505", .tooManyDecimals), ("0,001", .tooManyDecimals),
        ("0", .outOfRange), ("0.00", .outOfRange), ("1000000.01", .outOfRange), ("99999999999999999999999", .outOfRange),
        (String(repeating: "9", count: 40), .outOfRange), ("9223372036854775807", .outOfRange),
    ])
    func refusesWhatIsNotAnAmount(text: String, error: EuroAmountError) {
        #expect(throws: error) { try EuroAmount.cents(from: text) }
    }

    /// Any amount written with two decimals, either way, reads back to exactly its cents.
    @Test func everyCentRoundTrips() throws {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let cents = Int.random(in: 1...PointsRules.maximumPurchaseCents, using: &generator)
            let written = "\(cents / 100)" + (Bool.random(using: &generator) ? "," : ".") + String(format: "%02d", cents % 100)
            #expect(try EuroAmount.cents(from: written) == cents)
        }
    }
}
