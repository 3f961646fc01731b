import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Everything the app reads from its environment, parsed once at start-up.
///
/// Tests build this value directly instead of mutating the process environment; `load(from:)`
/// is the only place that knows variable names.
public struct AppConfig: Sendable {
    /// Where the data lives.
    public enum DatabaseConfig: Sendable, Equatable {
        case sqlite(SQLiteSettings)
        case postgres(url: String)
    }

    /// SQLite's per-connection settings; see docs/decisions/0002-sqlite-durability.md.
    public struct SQLiteSettings: Sendable, Equatable {
        public var path: String
        /// `FULL` syncs the WAL on every commit (an acknowledged stamp survives power loss);
        /// `NORMAL` may lose the last commits on power loss but never corrupts the file.
        public var synchronous: SQLiteSynchronous = .full
        /// How long a connection waits for another process's write lock before `SQLITE_BUSY`.
        public var busyTimeoutMilliseconds: Int = 5_000
        /// Each connection's page cache, in MiB: SQLite's default of 2 MiB holds none of a large
        /// file's indexes, so every index probe went to the operating system (decision 0036).
        public var cacheMebibytes: Int = 256

        public init(path: String, synchronous: SQLiteSynchronous = .full, busyTimeoutMilliseconds: Int = 5_000, cacheMebibytes: Int = 256) {
            self.path = path
            self.synchronous = synchronous
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.cacheMebibytes = cacheMebibytes
        }
    }

    public enum SQLiteSynchronous: String, Sendable, Equatable {
        case full = "FULL"
        case normal = "NORMAL"
    }

    /// Login and registration throttles, counted in the database.
    public struct RateLimits: Sendable, Equatable {
        /// Login attempts per account (staff or customer) from one client address per window.
        public var loginPerAccount: RateLimitPolicy
        /// Login attempts per account from all addresses together per window: slows a
        /// distributed guesser; addresses the account signed in from before are exempt, so it
        /// cannot lock the account's owner out (decision 0015).
        public var loginPerAccountTotal: RateLimitPolicy
        /// Login attempts per client address per window, across accounts.
        public var loginPerClient: RateLimitPolicy
        /// Customer registrations and self-enrollments per client address per window.
        public var registrationPerClient: RateLimitPolicy
        /// Apple Wallet log posts per client address per window (that endpoint has no credential).
        public var walletLogPerClient: RateLimitPolicy

        public init(
            window: TimeInterval = 900, loginPerAccount: Int = 10, loginPerClient: Int = 50, registrationPerClient: Int = 20,
            walletLogPerClient: Int = 120, loginPerAccountTotal: Int = 100
        ) {
            self.loginPerAccount = RateLimitPolicy(limit: loginPerAccount, window: window)
            self.loginPerAccountTotal = RateLimitPolicy(limit: loginPerAccountTotal, window: window)
            self.loginPerClient = RateLimitPolicy(limit: loginPerClient, window: window)
            self.registrationPerClient = RateLimitPolicy(limit: registrationPerClient, window: window)
            self.walletLogPerClient = RateLimitPolicy(limit: walletLogPerClient, window: window)
        }
    }

    /// Wallet integration settings; all optional until a merchant uses a wallet.
    public struct WalletSettings: Sendable, Equatable {
        public var googleIssuerID: String?
        public var googleServiceAccountJSONPath: String?
        /// Google's Wallet REST API; a test points it at a stand-in.
        public var googleAPIBaseURL = WalletSettings.defaultGoogleAPIBaseURL
        public static let defaultGoogleAPIBaseURL = "https://walletobjects.googleapis.com/walletobjects/v1"
        /// How long one call to Google may take (connecting included).
        public var googleRequestTimeoutSeconds: Int64 = 10
        public var applePassTypeID: String?
        public var appleTeamID: String?
        public var appleWWDRCertificatePath: String?
        public var appleSignerCertificatePath: String?
        public var appleSignerKeyPath: String?
        /// Apple's push service; passes always use the production gateway.
        public var appleAPNsURL = "https://api.push.apple.com"
        /// Trust only these roots for the push service (a test stand-in or an inspecting proxy);
        /// unset: the system's trust store.
        public var appleAPNsCAPath: String?

        public init() {}
    }

    /// How long the daily `loyalty.purge` keeps rows that are no longer needed.
    public struct Retention: Sendable, Equatable {
        /// Idempotency keys (the first answers replayed to retries) older than this are deleted:
        /// a retry after it is performed again.
        public var idempotencyKeyDays = 7
        /// Records of scheduled job runs.
        public var jobRunDays = 90
        /// Apple Wallet registrations of cards deactivated at least this long ago.
        public var walletRegistrationDays = 30

        public init() {}
    }

    public var isProduction: Bool
    public var database: DatabaseConfig
    /// PostgreSQL connections each event loop may open (one event loop per core). Fluent's
    /// default of one would let only as many transactions run at once as there are cores.
    public var postgresConnectionsPerEventLoop = 4
    /// PostgreSQL's `lock_timeout` for every session: a request waiting longer than this for a
    /// card's row lock gets 503 `database_busy` instead of queueing behind a stuck holder.
    public var postgresLockTimeoutMilliseconds = 5_000
    /// PostgreSQL's `idle_in_transaction_session_timeout`: a session that holds a transaction
    /// open without a statement for this long (a hung or crashed client) is ended by the server,
    /// which releases its locks. Our transactions never pause between statements.
    public var postgresIdleInTransactionTimeoutMilliseconds = 10_000
    /// How long SIGTERM waits for requests in flight before the databases close.
    public var shutdownGrace: TimeInterval = 20
    /// The server-side secret (PIN pepper, signing). Never stored in the database.
    public var secretKey: String
    public var hostname: String = "127.0.0.1"
    public var port: Int = 8080
    public var logFormat: LogFormat = .text
    /// bcrypt cost for account passwords; each step doubles the work (12 ≈ 0.4 s here).
    public var bcryptCost: Int = 12
    public var staffTokenLifetime: TimeInterval = 12 * 3600
    public var customerTokenLifetime: TimeInterval = 30 * 86_400
    /// A page session ends after this long without a request (its absolute end is the token
    /// lifetime above). Staff: a quiet afternoon at the counter, not a forgotten back office.
    public var webStaffIdleTimeout: TimeInterval = 4 * 3600
    public var webCustomerIdleTimeout: TimeInterval = 30 * 86_400
    public var rateLimits = RateLimits()
    /// Where the client address comes from: the socket, or `X-Forwarded-For` read from the
    /// right behind known proxies (decision 0016).
    public var clientAddresses: ClientAddressPolicy = .socket
    /// bcrypt runs on a thread pool of its own, so a flood of logins cannot starve the
    /// database's thread pool (decision 0015). One thread per two cores by default.
    public var bcryptThreads = max(1, System.coreCount / 2)
    /// Hashes allowed to wait for or run on that pool at once; beyond, a login is answered
    /// `429` at once instead of queueing without end (8 at cost 12, ≈ 0.4 s each: a few
    /// seconds' wait at most).
    public var bcryptMaxWaiting = 8
    /// Largest request body accepted, in bytes.
    public var maxBodyBytes = 65_536
    /// The bearer token a Prometheus scraper sends to `GET /metrics`; `nil`: the endpoint is
    /// off (404), so metrics are never public by accident (decision 0042).
    public var metricsToken: String?
    public var antiFraud = AntiFraudDefaults()
    public var wallet = WalletSettings()
    /// Where customers and wallets reach this server, e.g. `https://loyalty.example.com`
    /// (no trailing slash). Pass downloads and the Apple web service URL are built from it.
    public var publicBaseURL: String?
    /// Whether this instance takes part in running the scheduled jobs (each slot runs once,
    /// on whichever instance claims it first).
    public var scheduledJobs = true
    public var retention = Retention()
    /// The folder of the SQLite file and the development secret key (`LOYALTY_DATA_DIR`); kept
    /// owner-only at start-up. `nil` when the configuration was built without one (tests).
    public var dataDirectory: String?

    public enum LogFormat: String, Sendable { case text, json }

    /// `true` is the old `LOYALTY_TRUST_PROXY=true`: one proxy in front, whose appended
    /// (rightmost) `X-Forwarded-For` entry names the client.
    public var trustForwardedFor: Bool {
        get { clientAddresses != .socket }
        set { clientAddresses = newValue ? .proxyHops(1) : .socket }
    }

    public init(isProduction: Bool = false, database: DatabaseConfig, secretKey: String) {
        self.isProduction = isProduction
        self.database = database
        self.secretKey = secretKey
    }
}

/// A setting that cannot be used; start-up stops with this message.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
