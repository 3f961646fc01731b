import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import App

/// The write gate (one SQLite writer at a time) and the test apps' PostgreSQL slots are the same
/// gate: first come, first served, at most `capacity` inside, counted as the metric wants.
@Suite(.timeLimit(.minutes(1))) struct AsyncGateTests {
    struct Refused: Error {}

    /// Waits until the gate has reported `count` users: a contender that made it say so is queued.
    private static func waitForUsers(_ count: Int, in users: NIOLockedValueBox<[Int]>) async {
        while users.withLockedValue({ $0.last }) != count { await Task.yield() }
    }

    @Test func waitersGoThroughInTheOrderTheyCameAndAreCounted() async throws {
        let users = NIOLockedValueBox<[Int]>([])
        let gate = AsyncGate(reportUsers: { count in users.withLockedValue { $0.append(count) } })
        let order = NIOLockedValueBox<[Int]>([])
        await gate.acquire()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<5 {
                group.addTask { try await gate.withLock { order.withLockedValue { $0.append(index) } } }
                await Self.waitForUsers(index + 2, in: users)
            }
            await gate.release()
            try await group.waitForAll()
        }
        #expect(order.withLockedValue { $0 } == [0, 1, 2, 3, 4])
        // Holding or waiting, after every change: what `loyalty_write_gate_users` shows.
        #expect(users.withLockedValue { $0 } == [1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1, 0])
    }

    @Test func aGateOfTwoLetsTwoInAndQueuesTheThird() async throws {
        let users = NIOLockedValueBox<[Int]>([])
        let gate = AsyncGate(capacity: 2, reportUsers: { count in users.withLockedValue { $0.append(count) } })
        await gate.acquire()
        await gate.acquire()
        let entered = NIOLockedValueBox(false)
        let third = Task {
            await gate.acquire()
            entered.withLockedValue { $0 = true }
        }
        await Self.waitForUsers(3, in: users)
        #expect(entered.withLockedValue { $0 } == false)
        await gate.release()
        await third.value
        #expect(entered.withLockedValue { $0 })
        await gate.release()
        await gate.release()
        #expect(users.withLockedValue { $0 } == [1, 2, 3, 2, 1, 0])
    }

    @Test func aBodyThatThrowsLeavesTheGateOpen() async throws {
        let gate = AsyncGate()
        await #expect(throws: Refused.self) {
            try await gate.withLock { throw Refused() }
        }
        #expect(try await gate.withLock { 42 } == 42)
    }
}
