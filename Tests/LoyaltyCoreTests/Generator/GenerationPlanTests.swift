import Foundation
import LoyaltyCore
import Testing

@Suite struct GenerationPlanTests {
    private func refusal(_ merchants: String?, _ cards: String?, _ transactions: String?) -> String? {
        do throws(GenerationPlanError) {
            _ = try GenerationPlan(merchants: merchants, cards: cards, transactions: transactions)
            return nil
        } catch { return error.description }
    }

    @Test func badArgumentsAreRefusedWithTheirReason() {
        #expect(refusal("0", "10", "10") == "--merchants must be between 1 and 10000, not 0.")
        #expect(refusal("2", "-5", "10") == "--cards must be between 1 and 100000000, not -5.")
        #expect(refusal("2", "10", "-1") == "--transactions must be between 0 and 2147483647, not -1.")
        #expect(refusal("two", "10", "10") == "--merchants must be a whole number, not \"two\".")
        #expect(refusal(nil, "10", "10") == "--merchants is required.")
        #expect(refusal("5", "4", "10") == "--cards (4) must be at least --merchants (5): every merchant gets a card.")
        #expect(refusal("1", "2", "2001") == "--transactions (2001) may be at most 1000 per card (2000).")
    }

    @Test func goodArgumentsAreKeptAndUnderscoresAllowed() throws {
        let plan = try GenerationPlan(merchants: "20", cards: "1_000_000", transactions: "10_000_000")
        #expect(plan == (try GenerationPlan(merchants: "20", cards: "1000000", transactions: "10000000")))
        #expect(plan.cards == 1_000_000 && plan.transactions == 10_000_000)
        // Fewer rows than cards is allowed: some cards have no visit yet.
        #expect(refusal("1", "10", "3") == nil)
    }

    @Test func cardsAreSpreadOverMerchantsTheFirstLargest() throws {
        let plan = try GenerationPlan(merchants: "3", cards: "11", transactions: "0")
        #expect((0..<3).map(plan.cards(ofMerchant:)) == [4, 4, 3])
    }

    @Test func rowsAddUpExactlyAndStayUnderTheCap() throws {
        for (cards, rows) in [(1, 0), (1, 1_000), (7, 3), (200, 3_000), (50, 49_990)] {
            let plan = try GenerationPlan(merchants: "1", cards: "\(cards)", transactions: "\(rows)")
            var rng = SeededGenerator(seed: 3)
            var assigned = 0
            var counts: [Int] = []
            for index in 0..<cards {
                let count = plan.rows(forCard: index, assignedSoFar: assigned, using: &rng)
                counts.append(count)
                assigned += count
            }
            #expect(assigned == rows)
            #expect(counts.allSatisfy { (0...GenerationPlan.maxRowsPerCard).contains($0) })
        }
    }

    @Test func theSeededGeneratorRepeatsItself() {
        var first = SeededGenerator(seed: 9)
        var second = SeededGenerator(seed: 9)
        var other = SeededGenerator(seed: 10)
        let a = (0..<4).map { _ in first.next() }
        #expect(a == (0..<4).map { _ in second.next() })
        #expect(a != (0..<4).map { _ in other.next() })
        #expect(UUID.generated(using: &first) == UUID.generated(using: &second))
    }
}
