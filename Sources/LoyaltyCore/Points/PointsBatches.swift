import Foundation

/// Which points of a card are still unspent, batch by batch, oldest spent first.
///
/// Derived from the immutable ledger alone (every row carries its delta and time), so expiring
/// points per batch needs no column that changes: the expiry job asks this function what is
/// left of each batch older than the limit and writes one `points_expired` row.
public enum PointsBatches {
    public struct Batch: Equatable, Sendable {
        public let earnedAt: Date
        public var remaining: Int
    }

    /// Replays point movements in order: each credit opens a batch, each debit consumes the
    /// oldest batches first.
    public static func remaining(after movements: [(delta: Int, at: Date)]) -> [Batch] {
        var batches: [Batch] = []
        var head = 0
        for movement in movements {
            if movement.delta > 0 {
                batches.append(Batch(earnedAt: movement.at, remaining: movement.delta))
                continue
            }
            var debt = -movement.delta
            while debt > 0, head < batches.count {
                let taken = min(debt, batches[head].remaining)
                batches[head].remaining -= taken
                debt -= taken
                if batches[head].remaining == 0 { head += 1 }
            }
        }
        return batches.filter { $0.remaining > 0 }
    }
}
