import Fluent
import Foundation
import Vapor

/// A first-in, first-out async mutex: contenders suspend instead of blocking a thread.
///
/// SQLite allows one writer at a time. Queuing writers here, before they touch SQLite, keeps
/// them from parking the few threads of the blocking pool in SQLite's busy wait (which starved
/// the lock holder of a thread to `COMMIT` on in the measurements of STYLE-NOTES §c.4).
actor AsyncGate {
    private var isHeld = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        guard isHeld else {
            isHeld = true
            PlatformMetrics.writeGateUsers(1)
            return
        }
        PlatformMetrics.writeGateUsers(waiters.count + 2)
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            isHeld = false
            PlatformMetrics.writeGateUsers(0)
        } else {
            // Hand the lock straight to the next waiter; it stays held.
            waiters.removeFirst().resume()
            PlatformMetrics.writeGateUsers(waiters.count + 1)
        }
    }
}
