import Fluent
import Foundation
import Vapor

/// A first-in, first-out async gate for `capacity` holders at once (one: a mutex); contenders
/// suspend instead of blocking a thread.
///
/// SQLite allows one writer at a time. Queuing writers here, before they touch SQLite, keeps
/// them from parking the few threads of the blocking pool in SQLite's busy wait (which starved
/// the lock holder of a thread to `COMMIT` on in the measurements of STYLE-NOTES §c.4).
actor AsyncGate {
    private let capacity: Int
    /// Hears how many hold or wait for the gate after each change (the write gate's metric).
    private let reportUsers: @Sendable (Int) -> Void
    private var holders = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(capacity: Int = 1, reportUsers: @escaping @Sendable (Int) -> Void = { _ in }) {
        precondition(capacity > 0, "a gate lets at least one through")
        self.capacity = capacity
        self.reportUsers = reportUsers
    }

    func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    /// Waits for a place; `withLock` pairs it with `release`. For a holder that cannot be a
    /// closure (a test app's whole life), each `acquire` needs exactly one `release`.
    func acquire() async {
        guard holders == capacity else {
            holders += 1
            reportUsers(holders)
            return
        }
        reportUsers(holders + waiters.count + 1)
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            holders -= 1
            reportUsers(holders)
        } else {
            // Hand the place straight to the next waiter; it stays taken.
            waiters.removeFirst().resume()
            reportUsers(holders + waiters.count)
        }
    }
}
