import Fluent
import Foundation
import NIOPosix
import Vapor

/// bcrypt for account passwords, run on the blocking thread pool so event loops stay free.
///
/// A login for an unknown address still spends one bcrypt verification (against a hash made at
/// start-up), so response time does not tell which addresses have accounts.
struct PasswordHashing: Sendable {
    let cost: Int
    let threadPool: NIOThreadPool
    private let decoyHash: String

    init(cost: Int, threadPool: NIOThreadPool) throws {
        self.cost = cost
        self.threadPool = threadPool
        self.decoyHash = try Bcrypt.hash("decoy password, never valid", cost: cost)
    }

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await threadPool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    /// Checks `password` against `hash`, or burns the same time against a decoy when there is
    /// no account (`hash == nil`) and answers `false`.
    func verify(_ password: String, against hash: String?) async throws -> Bool {
        let digest = hash ?? decoyHash
        let matches = try await threadPool.runIfActive { try Bcrypt.verify(password, created: digest) }
        return hash != nil && matches
    }
}
