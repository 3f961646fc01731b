/// Checks one card's ledger: the hash chain is intact and the card's balances are the sums of
/// its rows.
public enum LedgerVerifier {
    /// A stored row with the hashes written next to it.
    public struct StoredEntry: Sendable {
        public let entry: LedgerEntry
        public let previousHash: String
        public let entryHash: String

        public init(entry: LedgerEntry, previousHash: String, entryHash: String) {
            self.entry = entry
            self.previousHash = previousHash
            self.entryHash = entryHash
        }
    }

    /// What is wrong with a card's ledger; empty when it verifies.
    public static func problems(
        entries: [StoredEntry],
        stampCount: Int,
        pointsBalance: Int,
        hash: (String) -> String
    ) -> [String] {
        var problems: [String] = []
        var previous = ""
        var stamps = 0
        var points = 0
        for (index, stored) in entries.enumerated() {
            let entry = stored.entry
            if entry.sequence != index + 1 { problems.append("row \(entry.id): sequence \(entry.sequence), expected \(index + 1)") }
            if stored.previousHash != previous { problems.append("row \(entry.id): does not chain to the row before it") }
            if entry.chainedHash(previousHash: stored.previousHash, using: hash) != stored.entryHash {
                problems.append("row \(entry.id): content does not match its hash")
            }
            stamps += entry.stampsDelta
            points += entry.pointsDelta
            if entry.stampsBalanceAfter != stamps || entry.pointsBalanceAfter != points {
                problems.append("row \(entry.id): balances after the row do not match the sum of the rows")
            }
            if stamps < 0 || points < 0 { problems.append("row \(entry.id): a balance went below zero") }
            previous = stored.entryHash
        }
        if stamps != stampCount { problems.append("stamp count \(stampCount) ≠ sum of rows \(stamps)") }
        if points != pointsBalance { problems.append("points balance \(pointsBalance) ≠ sum of rows \(points)") }
        return problems
    }
}
