import Fluent
import Foundation
import Vapor

extension Application {
    private struct ConfigKey: StorageKey { typealias Value = AppConfig }
    private struct WriteGateKey: StorageKey { typealias Value = AsyncGate }
    private struct PasswordHashingKey: StorageKey { typealias Value = PasswordHashing }
    private struct ClockKey: StorageKey { typealias Value = @Sendable () -> Date }

    /// The configuration the app was started with.
    var config: AppConfig {
        get {
            guard let config = storage[ConfigKey.self] else {
                preconditionFailure("configure(_:config:) has not run")
            }
            return config
        }
        set { storage[ConfigKey.self] = newValue }
    }

    /// Queues SQLite writers in-process; `nil` on PostgreSQL. See `Database.writeTransaction`.
    var writeGate: AsyncGate? {
        get { storage[WriteGateKey.self] }
        set { storage[WriteGateKey.self] = newValue }
    }

    var passwordHashing: PasswordHashing {
        get {
            guard let hashing = storage[PasswordHashingKey.self] else {
                preconditionFailure("configure(_:config:) has not run")
            }
            return hashing
        }
        set { storage[PasswordHashingKey.self] = newValue }
    }

    /// The current time; tests replace it to move through cooldowns and expiries.
    var clock: @Sendable () -> Date {
        get { storage[ClockKey.self] ?? { Date() } }
        set { storage[ClockKey.self] = newValue }
    }
}

extension Request {
    var tokens: TokenService {
        TokenService(database: db, now: application.clock)
    }

    var rateLimiter: RateLimiter {
        RateLimiter(database: db, writeGate: application.writeGate, now: application.clock)
    }

    /// The client's address as `AppConfig.clientAddresses` says to find it (decision 0016),
    /// or `unknown` when the entry that should name it is no IP address.
    var clientAddress: String {
        application.config.clientAddresses.clientAddress(
            peer: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor]) ?? "unknown"
    }
}
