import Foundation
import NIOConcurrencyHelpers

/// The background half of a wallet's update path: cards noted after their changes commit gather
/// for a short window and are handled together, and every task started is tracked, so shutdown
/// and tests can wait for them. Apple's pushes and Google's syncs both run on one.
///
/// Under load that is one batch per window instead of one lookup per card operation: with a
/// lookup per stamp, bench/stamps.sh on SQLite ran at 0.85 of the rate without Apple Wallet;
/// batched, 1.01 (bench/README.md).
final class WalletBackgroundWork: Sendable {
    private let window: Duration
    /// `apple` or `google`, for the backlog gauge.
    private let wallet: String
    private let inFlight = NIOLockedValueBox<[UUID: Task<Void, Never>]>([:])
    private let pending = NIOLockedValueBox(Pending())

    private struct Pending {
        var cards: Set<UUID> = []
        var flushScheduled = false
    }

    init(window: Duration, wallet: String) {
        self.window = window
        self.wallet = wallet
    }

    /// Notes changed cards; the first note of a window schedules the window's flush, whose
    /// `handle` gets every card noted meanwhile (errors are its own business: it logs).
    func note(_ cardIDs: [UUID], handle: @escaping @Sendable ([UUID]) async -> Void) {
        let (startsFlush, backlog) = pending.withLockedValue { pending in
            pending.cards.formUnion(cardIDs)
            let startsFlush = !pending.flushScheduled
            pending.flushScheduled = true
            return (startsFlush, pending.cards.count)
        }
        PlatformMetrics.walletBacklog(wallet, cards: backlog)
        guard startsFlush else { return }
        run {
            try? await Task.sleep(for: self.window)
            let cards = self.pending.withLockedValue { pending in
                defer { pending = Pending() }
                return Array(pending.cards)
            }
            PlatformMetrics.walletBacklog(self.wallet, cards: 0)
            await handle(cards)
        }
    }

    /// Runs other work in the background, tracked like the flushes.
    func run(_ work: @escaping @Sendable () async -> Void) {
        let id = UUID()
        inFlight.withLockedValue { tasks in
            tasks[id] = Task {
                await work()
                _ = self.inFlight.withLockedValue { $0.removeValue(forKey: id) }
            }
        }
    }

    /// Waits for the work started so far (and whatever it started in turn).
    func waitUntilIdle() async {
        while let task = inFlight.withLockedValue({ $0.values.first }) {
            await task.value
        }
    }

    /// Waits like `waitUntilIdle`, but cancels what is still running after `limit`: at shutdown
    /// a wallet that does not answer must not hold the process. Cancelled work stays owed and
    /// the hourly job sends it.
    func finish(within limit: Duration) async {
        let deadline = Task {
            try await Task.sleep(for: limit)
            self.inFlight.withLockedValue { tasks in tasks.values.forEach { $0.cancel() } }
        }
        await waitUntilIdle()
        deadline.cancel()
    }
}
