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

    /// The address of the client, or of the proxy in front of it unless `LOYALTY_TRUST_PROXY`
    /// says the proxy's `X-Forwarded-For` can be believed.
    var clientAddress: String {
        if application.config.trustForwardedFor,
            let forwarded = headers.first(name: .xForwardedFor)?.split(separator: ",").first
        {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}
