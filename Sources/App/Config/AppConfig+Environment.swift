import Fluent
import Foundation
import GoogleWallet
import LoyaltyCore
import Vapor

extension AppConfig {
    /// Minimum length of `LOYALTY_SECRET_KEY`: 32 characters carry at least 128 bits even as hex.
    static let minimumSecretKeyLength = 32

    /// Reads the configuration from environment variables (README "Configuration" lists them).
    ///
    /// - Parameters:
    ///   - environment: the variables, usually `ProcessInfo.processInfo.environment`.
    ///   - isProduction: Vapor's `--env production`; refuses to start without a secret key.
    ///   - dataDirectory: where development keeps its SQLite file and generated secret key.
    public static func load(
        from environment: [String: String],
        isProduction: Bool,
        dataDirectory: String = "data"
    ) throws -> AppConfig {
        let reader = EnvironmentReader(environment)
        let dataDirectory = reader.string("LOYALTY_DATA_DIR") ?? dataDirectory

        let database: DatabaseConfig
        if let url = reader.string("DATABASE_URL") {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw ConfigError("DATABASE_URL must be a postgres:// URL; leave it unset for the embedded SQLite database")
            }
            database = .postgres(url: url)
        } else {
            var sqlite = SQLiteSettings(path: reader.string("LOYALTY_SQLITE_PATH") ?? "\(dataDirectory)/loyalty.sqlite")
            if let level = reader.string("LOYALTY_SQLITE_SYNCHRONOUS") {
                guard let parsed = SQLiteSynchronous(rawValue: level.uppercased()) else {
                    throw ConfigError("LOYALTY_SQLITE_SYNCHRONOUS must be FULL or NORMAL, not \(level)")
                }
                sqlite.synchronous = parsed
            }
            sqlite.busyTimeoutMilliseconds = try reader.int("LOYALTY_SQLITE_BUSY_TIMEOUT_MS", default: 5_000, in: 0...600_000)
            sqlite.cacheMebibytes = try reader.int("LOYALTY_SQLITE_CACHE_MIB", default: 256, in: 2...65_536)
            database = .sqlite(sqlite)
        }

        let secretKey: String
        if let key = reader.string("LOYALTY_SECRET_KEY") {
            guard key.count >= minimumSecretKeyLength else {
                throw ConfigError("LOYALTY_SECRET_KEY must be at least \(minimumSecretKeyLength) characters (try: openssl rand -hex 32)")
            }
            secretKey = key
        } else if isProduction {
            throw ConfigError(
                "LOYALTY_SECRET_KEY is not set. A production server needs a secret key kept outside the database "
                    + "(it protects staff PINs and signatures). Generate one with `openssl rand -hex 32` and set it.")
        } else {
            secretKey = try DevelopmentSecretKey.loadOrCreate(in: dataDirectory)
        }

        var config = AppConfig(isProduction: isProduction, database: database, secretKey: secretKey)
        config.postgresConnectionsPerEventLoop = try reader.int(
            "LOYALTY_PG_CONNECTIONS_PER_LOOP", default: config.postgresConnectionsPerEventLoop, in: 1...100)
        config.postgresLockTimeoutMilliseconds = try reader.int(
            "LOYALTY_PG_LOCK_TIMEOUT_MS", default: config.postgresLockTimeoutMilliseconds, in: 100...600_000)
        config.postgresIdleInTransactionTimeoutMilliseconds = try reader.int(
            "LOYALTY_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS", default: config.postgresIdleInTransactionTimeoutMilliseconds, in: 1_000...3_600_000)
        config.shutdownGrace = TimeInterval(try reader.int("LOYALTY_SHUTDOWN_GRACE_SECONDS", default: Int(config.shutdownGrace), in: 1...600))
        config.hostname = reader.string("LOYALTY_HOST") ?? config.hostname
        config.port = try reader.int("LOYALTY_PORT", default: config.port, in: 1...65_535)
        if let format = reader.string("LOYALTY_LOG_FORMAT") {
            guard let parsed = LogFormat(rawValue: format) else {
                throw ConfigError("LOYALTY_LOG_FORMAT must be text or json, not \(format)")
            }
            config.logFormat = parsed
        }
        if let token = reader.string("LOYALTY_METRICS_TOKEN") {
            guard token.utf8.count >= 32 else { throw ConfigError("LOYALTY_METRICS_TOKEN must have at least 32 characters") }
            config.metricsToken = token
        }
        config.bcryptCost = try reader.int("LOYALTY_BCRYPT_COST", default: config.bcryptCost, in: 4...31)
        config.bcryptThreads = try reader.int("LOYALTY_BCRYPT_THREADS", default: config.bcryptThreads, in: 1...64)
        config.bcryptMaxWaiting = try reader.int("LOYALTY_BCRYPT_MAX_WAITING", default: config.bcryptMaxWaiting, in: 1...10_000)
        config.staffTokenLifetime = TimeInterval(try reader.int("LOYALTY_TOKEN_TTL_MINUTES", default: 720, in: 1...525_600) * 60)
        config.customerTokenLifetime = TimeInterval(
            try reader.int("LOYALTY_CUSTOMER_TOKEN_TTL_MINUTES", default: 43_200, in: 1...525_600) * 60)
        config.webStaffIdleTimeout = TimeInterval(try reader.int("LOYALTY_WEB_STAFF_IDLE_MINUTES", default: 240, in: 1...525_600) * 60)
        config.webCustomerIdleTimeout = TimeInterval(
            try reader.int("LOYALTY_WEB_CUSTOMER_IDLE_MINUTES", default: 43_200, in: 1...525_600) * 60)
        config.rateLimits = RateLimits(
            window: TimeInterval(try reader.int("LOYALTY_RATE_LIMIT_WINDOW_SECONDS", default: 900, in: 1...86_400)),
            loginPerAccount: try reader.int("LOYALTY_LOGIN_MAX_ATTEMPTS", default: 10, in: 1...100_000),
            loginPerClient: try reader.int("LOYALTY_LOGIN_MAX_ATTEMPTS_PER_IP", default: 50, in: 1...100_000),
            registrationPerClient: try reader.int("LOYALTY_REGISTER_MAX_PER_IP", default: 20, in: 1...100_000),
            walletLogPerClient: try reader.int("LOYALTY_WALLET_LOG_MAX_PER_IP", default: 120, in: 1...100_000),
            loginPerAccountTotal: try reader.int("LOYALTY_LOGIN_MAX_ATTEMPTS_PER_ACCOUNT", default: 100, in: 1...1_000_000)
        )
        config.clientAddresses = try clientAddressPolicy(reader)
        config.scheduledJobs = try reader.bool("LOYALTY_SCHEDULED_JOBS", default: true)
        config.retention.idempotencyKeyDays = try reader.int("LOYALTY_IDEMPOTENCY_KEY_TTL_DAYS", default: 7, in: 1...3_650)
        config.retention.jobRunDays = try reader.int("LOYALTY_JOB_RUN_RETENTION_DAYS", default: 90, in: 1...3_650)
        config.retention.walletRegistrationDays = try reader.int("LOYALTY_WALLET_REGISTRATION_RETENTION_DAYS", default: 30, in: 1...3_650)
        config.dataDirectory = dataDirectory
        config.maxBodyBytes = try reader.int("LOYALTY_MAX_BODY_BYTES", default: config.maxBodyBytes, in: 1_024...104_857_600)

        config.antiFraud.cooldownMinutes = try reader.int("LOYALTY_DEFAULT_COOLDOWN_MINUTES", default: 15, in: 0...10_080)
        config.antiFraud.maxDailyStamps = try reader.int("LOYALTY_MAX_DAILY_STAMPS", default: 5, in: 1...1_000)
        config.antiFraud.pinMaxFailedAttempts = try reader.int("LOYALTY_PIN_MAX_FAILED_ATTEMPTS", default: 5, in: 1...100)
        config.antiFraud.pinLockoutMinutes = try reader.int("LOYALTY_PIN_LOCKOUT_MINUTES", default: 30, in: 1...10_080)
        config.antiFraud.pointsPerEuro = try reader.int("LOYALTY_DEFAULT_POINTS_PER_EURO", default: 10, in: 0...10_000)

        config.wallet.googleIssuerID = reader.string("LOYALTY_GOOGLE_ISSUER_ID")
        config.wallet.googleServiceAccountJSONPath = reader.string("LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON")
        switch (config.wallet.googleIssuerID, config.wallet.googleServiceAccountJSONPath) {
        case (.some, nil): throw ConfigError("LOYALTY_GOOGLE_ISSUER_ID is set but LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON is not: Google Wallet needs both")
        case (nil, .some): throw ConfigError("LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON is set but LOYALTY_GOOGLE_ISSUER_ID is not: Google Wallet needs both")
        default: break
        }
        if let issuer = config.wallet.googleIssuerID, issuer.isEmpty || !issuer.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw ConfigError("LOYALTY_GOOGLE_ISSUER_ID must be the issuer's number from the Google Pay & Wallet Console, like 3388000000012345678; not \(issuer)")
        }
        if let url = reader.string("LOYALTY_GOOGLE_API_BASE_URL") {
            guard let parsed = URL(string: url), EndpointURL.isAllowed(parsed), !url.hasSuffix("/") else {
                throw ConfigError(
                    "LOYALTY_GOOGLE_API_BASE_URL must be an https URL without a trailing slash (plain http only to this machine), like \(AppConfig.WalletSettings.defaultGoogleAPIBaseURL); not \(url)")
            }
            config.wallet.googleAPIBaseURL = url
        }
        config.wallet.applePassTypeID = reader.string("LOYALTY_APPLE_PASS_TYPE_ID")
        config.wallet.appleTeamID = reader.string("LOYALTY_APPLE_TEAM_ID")
        config.wallet.appleWWDRCertificatePath = reader.string("LOYALTY_APPLE_WWDR_CERT_PATH")
        config.wallet.appleSignerCertificatePath = reader.string("LOYALTY_APPLE_SIGNER_CERT_PATH")
        config.wallet.appleSignerKeyPath = reader.string("LOYALTY_APPLE_SIGNER_KEY_PATH")
        if let url = reader.string("LOYALTY_APPLE_APNS_URL") {
            guard url.hasPrefix("https://"), URL(string: url)?.host != nil, !url.hasSuffix("/") else {
                throw ConfigError("LOYALTY_APPLE_APNS_URL must be an https URL without a trailing slash, not \(url)")
            }
            config.wallet.appleAPNsURL = url
        }
        config.wallet.appleAPNsCAPath = reader.string("LOYALTY_APPLE_APNS_CA_PATH")
        let appleSettings: [(String, String?)] = [
            ("LOYALTY_APPLE_PASS_TYPE_ID", config.wallet.applePassTypeID), ("LOYALTY_APPLE_TEAM_ID", config.wallet.appleTeamID),
            ("LOYALTY_APPLE_WWDR_CERT_PATH", config.wallet.appleWWDRCertificatePath),
            ("LOYALTY_APPLE_SIGNER_CERT_PATH", config.wallet.appleSignerCertificatePath),
            ("LOYALTY_APPLE_SIGNER_KEY_PATH", config.wallet.appleSignerKeyPath),
        ]
        let missing = appleSettings.filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty || missing.count == appleSettings.count else {
            throw ConfigError("Apple Wallet needs all five LOYALTY_APPLE_* settings; missing: \(missing.joined(separator: ", "))")
        }
        if let url = reader.string("LOYALTY_PUBLIC_BASE_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil,
                parsed.query == nil, !url.hasSuffix("/")
            else {
                throw ConfigError("LOYALTY_PUBLIC_BASE_URL must be an http(s) URL without a trailing slash, like https://loyalty.example.com; not \(url)")
            }
            config.publicBaseURL = url
        }
        return config
    }
}

extension AppConfig {
    /// `LOYALTY_TRUSTED_PROXIES`, `LOYALTY_TRUSTED_PROXY_HOPS` or the older `LOYALTY_TRUST_PROXY`
    /// (one proxy); at most one of them.
    fileprivate static func clientAddressPolicy(_ reader: EnvironmentReader) throws -> ClientAddressPolicy {
        let names = ["LOYALTY_TRUSTED_PROXIES", "LOYALTY_TRUSTED_PROXY_HOPS", "LOYALTY_TRUST_PROXY"]
        let set = names.filter { reader.string($0) != nil }
        guard set.count <= 1 else {
            throw ConfigError("set only one of \(set.joined(separator: ", ")): they are different ways to say which proxies to believe")
        }
        if let list = reader.string("LOYALTY_TRUSTED_PROXIES") {
            var networks: [IPNetwork] = []
            for item in list.split(separator: ",", omittingEmptySubsequences: false) {
                guard let network = IPNetwork(item) else {
                    throw ConfigError(
                        "LOYALTY_TRUSTED_PROXIES must be a comma-separated list of IP addresses or networks such as "
                            + "10.0.0.0/8,2001:db8::/32; \"\(item.trimmingCharacters(in: .whitespaces))\" is not one")
                }
                networks.append(network)
            }
            return .trustedProxies(networks)
        }
        if reader.string("LOYALTY_TRUSTED_PROXY_HOPS") != nil {
            return .proxyHops(try reader.int("LOYALTY_TRUSTED_PROXY_HOPS", default: 1, in: 1...10))
        }
        return try reader.bool("LOYALTY_TRUST_PROXY", default: false) ? .proxyHops(1) : .socket
    }
}

/// Typed access to environment variables, with errors that name the variable.
private struct EnvironmentReader {
    let values: [String: String]

    init(_ values: [String: String]) { self.values = values }

    /// The trimmed value; `nil` when unset or blank (an empty variable means "use the default").
    func string(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(text)")
        }
        return value
    }

    func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let text = string(name)?.lowercased() else { return fallback }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError("\(name) must be true or false, not \(text)")
        }
    }
}
