import Foundation
import Testing

@testable import LoyaltyCore

/// A stand-in hash for pure tests: any injective-enough function shows the chaining; the app
/// uses SHA-256.
func testHash(_ text: String) -> String {
    var hasher = FNV1a()
    hasher.add(text)
    return String(hasher.value, radix: 16)
}

struct FNV1a {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ text: String) {
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
    }
}

/// Builds a card's chain the way the app appends rows.
func chain(_ deltas: [(TransactionType, Int, Int)], cardID: UUID = UUID()) -> [LedgerVerifier.StoredEntry] {
    var previous = ""
    var (stamps, points) = (0, 0)
    return deltas.enumerated().map { index, delta in
        stamps += delta.1
        points += delta.2
        let entry = LedgerEntry(
            id: UUID(), cardID: cardID, sequence: index + 1, type: delta.0, stampsDelta: delta.1, pointsDelta: delta.2,
            stampsBalanceAfter: stamps, pointsBalanceAfter: points, notes: "row \(index)", createdAtMilliseconds: Int64(index) * 1_000)
        let hash = entry.chainedHash(previousHash: previous, using: testHash)
        defer { previous = hash }
        return LedgerVerifier.StoredEntry(entry: entry, previousHash: previous, entryHash: hash)
    }
}

@Suite struct LedgerTests {
    let rows: [(TransactionType, Int, Int)] = [(.stampEarned, 1, 0), (.pointsEarned, 0, 250), (.stampEarned, 1, 0), (.pointsRedeemed, 0, -100)]

    @Test func anIntactChainVerifies() {
        #expect(LedgerVerifier.problems(entries: chain(rows), stampCount: 2, pointsBalance: 150, hash: testHash) == [])
    }

    @Test func changingARowBreaksItsHash() {
        var entries = chain(rows)
        var changed = entries[1].entry
        changed.notes = "rewritten"
        entries[1] = .init(entry: changed, previousHash: entries[1].previousHash, entryHash: entries[1].entryHash)
        let problems = LedgerVerifier.problems(entries: entries, stampCount: 2, pointsBalance: 150, hash: testHash)
        #expect(problems.contains { $0.contains("does not match its hash") })
    }

    @Test func removingARowBreaksTheChain() {
        var entries = chain(rows)
        entries.remove(at: 1)
        let problems = LedgerVerifier.problems(entries: entries, stampCount: 2, pointsBalance: 150, hash: testHash)
        #expect(problems.contains { $0.contains("does not chain") })
        #expect(problems.contains { $0.contains("points balance") })
    }

    @Test func aBalanceThatDisagreesWithTheRowsIsReported() {
        let problems = LedgerVerifier.problems(entries: chain(rows), stampCount: 3, pointsBalance: 150, hash: testHash)
        #expect(problems == ["stamp count 3 ≠ sum of rows 2"])
    }

    @Test func canonicalContentEscapesSeparators() {
        var a = chain([(.stampEarned, 1, 0)])[0].entry
        var b = a
        a.notes = "x|order=y"
        b.notes = "x"
        b.orderReference = "y"
        #expect(a.canonicalContent != b.canonicalContent)
    }

    /// The exact text every existing chain was hashed from: a change here would make
    /// `verify-ledger` refuse rows written before it.
    @Test func canonicalContentIsPinned() throws {
        let entry = LedgerEntry(
            id: try #require(UUID(uuidString: "00000000-0000-0000-0000-0000000000A1")),
            cardID: try #require(UUID(uuidString: "00000000-0000-0000-0000-0000000000C1")), sequence: 7, type: .pointsEarned,
            stampsDelta: 0, pointsDelta: 125, stampsBalanceAfter: 3, pointsBalanceAfter: 900, purchaseAmountCents: 1250,
            orderReference: "A|B", userAgent: "caf\u{e9} ~ \\", notes: "plain", createdAtMilliseconds: 1_764_547_200_123)
        #expect(
            entry.canonicalContent
                == "v1|id=00000000-0000-0000-0000-0000000000a1|card=00000000-0000-0000-0000-0000000000c1|seq=7|type=points_earned"
                + "|stamps=0|points=125|stamps_after=3|points_after=900|purchase=1250|order=A\\|B|reward=~|voids=~|store=~|pin=~"
                + "|user=~|ip=~|ua=caf\u{e9} \\~ \\\\|notes=plain|at=1764547200123")
    }

    @Test func voidsCompensateOnceAndNeverGoBelowZero() throws {
        var card = CardBalance()
        card.stampCount = 1
        card.totalStampsEarned = 1
        let earned = VoidableEntry(type: .stampEarned, stampsDelta: 1, pointsDelta: 0, stampDay: nil)
        #expect(throws: VoidError.notVoidable) { try VoidRules.void(earned, family: .pointsVoided, on: &card) }
        let deltas = try VoidRules.void(earned, family: .stampVoided, on: &card)
        #expect(deltas.stampsDelta == -1)
        #expect(card.stampCount == 0)
        #expect(throws: VoidError.insufficientStamps(balance: 0, needed: 1)) { try VoidRules.void(earned, family: .stampVoided, on: &card) }
        let void = VoidableEntry(type: .stampVoided, stampsDelta: -1, pointsDelta: 0, stampDay: nil)
        #expect(throws: VoidError.notVoidable) { try VoidRules.void(void, family: .stampVoided, on: &card) }
    }
}
