import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import Vapor

/// bcrypt for account passwords, on a thread pool of its own with a bounded queue.
///
/// Not on the application's thread pool: SQLite runs every statement there, so a flood of
/// logins (each a deliberately slow hash) would stall every stamp behind them. When more than
/// `maxWaiting` hashes are queued or running, the next one is refused at once with
/// `429 rate_limited` instead of waiting without end (decision 0015).
///
/// A login for an unknown address still spends one bcrypt verification (against a hash made at
/// start-up), so response time does not tell which addresses have accounts.
struct PasswordHashing: Sendable {
    let cost: Int
    let threadPool: NIOThreadPool
    let maxWaiting: Int
    private let decoyHash: String
    /// Hashes queued or running now, shared by every copy of this value.
    private let inFlight = NIOLockedValueBox(0)

    init(cost: Int, threadPool: NIOThreadPool, maxWaiting: Int = .max) throws {
        self.cost = cost
        self.threadPool = threadPool
        self.maxWaiting = maxWaiting
        self.decoyHash = try Bcrypt.hash("decoy password, never valid", cost: cost)
    }

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await run { try Bcrypt.hash(password, cost: cost) }
    }

    /// Checks `password` against `hash`, or burns the same time against a decoy when there is
    /// no account (`hash == nil`) and answers `false`.
    func verify(_ password: String, against hash: String?) async throws -> Bool {
        let digest = hash ?? decoyHash
        let matches = try await run { try Bcrypt.verify(password, created: digest) }
        return hash != nil && matches
    }

    /// Hashes waiting or running now (for tests and diagnostics).
    var waiting: Int { inFlight.withLockedValue { $0 } }

    private func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let admitted = inFlight.withLockedValue { count in
            guard count < maxWaiting else { return false }
            count += 1
            return true
        }
        guard admitted else { throw APIError.rateLimited(retryAfter: 1) }
        defer { inFlight.withLockedValue { $0 -= 1 } }
        do {
            return try await threadPool.runIfActive(work)
        } catch is CancellationError {
            // The client went away while its hash waited, and the pool dropped the work: nothing
            // was checked. Not an internal error; the answer reaches nobody.
            throw APIError.rateLimited(retryAfter: 1)
        }
    }
}

/// Stops the password hashing pool when the application shuts down.
struct PasswordHashingLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        try? await application.passwordHashing.threadPool.shutdownGracefully()
    }
}
