import Foundation
import NIOConcurrencyHelpers

/// Recently signed `.pkpass` archives, keyed by card and by everything the pass shows: a card
/// that changes gets new facts, hence a new key, so a stale archive is never served. Bounded in
/// entries and bytes; the least recently used go first.
///
/// An archive carries the signing time of its first download: Wallet requires a signing time,
/// not a recent one.
final class SignedPassCache: Sendable {
    struct Key: Hashable, Sendable {
        let cardID: UUID
        let facts: LoyaltyPassDesign.Facts
    }

    private struct Entry {
        let archive: Data
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
        var hits = 0
        var misses = 0
    }

    let maxEntries: Int
    let maxBytes: Int
    private let state = NIOLockedValueBox(State())

    /// About 1,000 passes of ~20 KB: 32 MiB at most.
    init(maxEntries: Int = 1_024, maxBytes: Int = 32 << 20) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    func archive(for key: Key) -> Data? {
        state.withLockedValue { state in
            state.clock += 1
            guard var entry = state.entries[key] else {
                state.misses += 1
                return nil
            }
            entry.lastUse = state.clock
            state.entries[key] = entry
            state.hits += 1
            return entry.archive
        }
    }

    func store(_ archive: Data, for key: Key) {
        guard archive.count <= maxBytes else { return }
        state.withLockedValue { state in
            state.clock += 1
            if let old = state.entries.updateValue(Entry(archive: archive, lastUse: state.clock), forKey: key) {
                state.bytes -= old.archive.count
            }
            state.bytes += archive.count
            // Other versions of this card's pass will not be asked for again.
            for stale in state.entries.keys where stale.cardID == key.cardID && stale != key {
                state.bytes -= state.entries.removeValue(forKey: stale)?.archive.count ?? 0
            }
            while state.entries.count > maxEntries || state.bytes > maxBytes {
                // Safe: the loop runs only while there are entries.
                let oldest = state.entries.min { $0.value.lastUse < $1.value.lastUse }!.key
                state.bytes -= state.entries.removeValue(forKey: oldest)?.archive.count ?? 0
            }
        }
    }

    /// Entries, bytes held, hits and misses since start.
    var statistics: (entries: Int, bytes: Int, hits: Int, misses: Int) {
        state.withLockedValue { ($0.entries.count, $0.bytes, $0.hits, $0.misses) }
    }
}
