import Foundation
import LoyaltyCore
import Testing

@testable import App

@Suite struct ConfigTests {
    func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID())").path
    }

    @Test func defaultsAreTheSeeds() throws {
        let directory = temporaryDirectory()
        let config = try AppConfig.load(from: [:], isProduction: false, dataDirectory: directory)
        #expect(config.database == .sqlite(.init(path: "\(directory)/loyalty.sqlite", synchronous: .full, busyTimeoutMilliseconds: 5_000)))
        #expect(config.antiFraud.cooldownMinutes == 15)
        #expect(config.antiFraud.maxDailyStamps == 5)
        #expect(config.antiFraud.pinMaxFailedAttempts == 5)
        #expect(config.antiFraud.pinLockoutMinutes == 30)
        #expect(config.antiFraud.pointsPerEuro == 10)
        #expect(config.port == 8080)
        #expect(config.bcryptCost == 12)
    }

    @Test func productionRefusesToStartWithoutASecretKey() throws {
        #expect {
            try AppConfig.load(from: [:], isProduction: true, dataDirectory: temporaryDirectory())
        } throws: { error in
            (error as? ConfigError)?.description.contains("LOYALTY_SECRET_KEY is not set") == true
        }
        let key = String(repeating: "s", count: 40)
        let config = try AppConfig.load(from: ["LOYALTY_SECRET_KEY": key], isProduction: true, dataDirectory: temporaryDirectory())
        #expect(config.secretKey == key)
    }

    @Test func developmentKeepsOneGeneratedKey() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try AppConfig.load(from: [:], isProduction: false, dataDirectory: directory).secretKey
        let second = try AppConfig.load(from: [:], isProduction: false, dataDirectory: directory).secretKey
        #expect(first.count == 64)
        #expect(first == second)
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(directory)/secret.key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func environmentOverridesTheDefaults() throws {
        let config = try AppConfig.load(
            from: [
                "DATABASE_URL": "postgres://u:p@db:5432/loyalty", "LOYALTY_SECRET_KEY": String(repeating: "s", count: 32),
                "LOYALTY_DEFAULT_COOLDOWN_MINUTES": "5", "LOYALTY_MAX_DAILY_STAMPS": "3", "LOYALTY_PIN_MAX_FAILED_ATTEMPTS": "4",
                "LOYALTY_PIN_LOCKOUT_MINUTES": "60", "LOYALTY_DEFAULT_POINTS_PER_EURO": "20", "LOYALTY_PORT": "9000",
                "LOYALTY_LOGIN_MAX_ATTEMPTS": "7", "LOYALTY_TRUST_PROXY": "yes", "LOYALTY_GOOGLE_ISSUER_ID": "3388000000012345678",
                "LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON": "/etc/loyalty/google.json",
                "LOYALTY_GOOGLE_API_BASE_URL": "http://127.0.0.1:8999/walletobjects/v1",
            ], isProduction: true)
        #expect(config.database == .postgres(url: "postgres://u:p@db:5432/loyalty"))
        #expect(config.antiFraud.cooldownMinutes == 5)
        #expect(config.antiFraud.maxDailyStamps == 3)
        #expect(config.antiFraud.pinMaxFailedAttempts == 4)
        #expect(config.antiFraud.pinLockoutMinutes == 60)
        #expect(config.antiFraud.pointsPerEuro == 20)
        #expect(config.port == 9000)
        #expect(config.rateLimits.loginPerAccount.limit == 7)
        #expect(config.clientAddresses == .proxyHops(1))
        #expect(config.wallet.googleIssuerID == "3388000000012345678")
        #expect(config.wallet.googleServiceAccountJSONPath == "/etc/loyalty/google.json")
        #expect(config.wallet.googleAPIBaseURL == "http://127.0.0.1:8999/walletobjects/v1")
    }

    @Test(arguments: [
        ("LOYALTY_MAX_DAILY_STAMPS", "many"), ("LOYALTY_PORT", "0"), ("LOYALTY_SQLITE_SYNCHRONOUS", "OFF"),
        ("DATABASE_URL", "mysql://x"), ("LOYALTY_SECRET_KEY", "short"), ("LOYALTY_TRUST_PROXY", "maybe"),
        ("LOYALTY_TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal"), ("LOYALTY_TRUSTED_PROXIES", "10.0.0.0/33"),
        ("LOYALTY_TRUSTED_PROXY_HOPS", "0"), ("LOYALTY_BCRYPT_THREADS", "0"), ("LOYALTY_BCRYPT_MAX_WAITING", "none"),
        ("LOYALTY_LOGIN_MAX_ATTEMPTS_PER_ACCOUNT", "0"),
    ])
    func badValuesStopStartUpNamingTheVariable(name: String, value: String) {
        #expect {
            try AppConfig.load(from: [name: value], isProduction: false, dataDirectory: temporaryDirectory())
        } throws: { error in
            (error as? ConfigError)?.description.contains(name) == true
        }
    }

    @Test func proxiesAreNamedByNetworkOrByHopCount() throws {
        let networks = try AppConfig.load(
            from: ["LOYALTY_TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::/32,192.0.2.7"], isProduction: false,
            dataDirectory: temporaryDirectory())
        let expected = [IPNetwork("10.0.0.0/8")!, IPNetwork("2001:db8::/32")!, IPNetwork("192.0.2.7")!]
        #expect(networks.clientAddresses == .trustedProxies(expected))
        let hops = try AppConfig.load(from: ["LOYALTY_TRUSTED_PROXY_HOPS": "2"], isProduction: false, dataDirectory: temporaryDirectory())
        #expect(hops.clientAddresses == .proxyHops(2))
        let none = try AppConfig.load(from: ["LOYALTY_TRUST_PROXY": "false"], isProduction: false, dataDirectory: temporaryDirectory())
        #expect(none.clientAddresses == .socket)
    }

    @Test func twoWaysToNameTheProxiesStopStartUpNamingBoth() {
        #expect {
            try AppConfig.load(
                from: ["LOYALTY_TRUST_PROXY": "true", "LOYALTY_TRUSTED_PROXIES": "10.0.0.0/8"], isProduction: false,
                dataDirectory: temporaryDirectory())
        } throws: { error in
            let text = (error as? ConfigError)?.description ?? ""
            return text.contains("LOYALTY_TRUST_PROXY") && text.contains("LOYALTY_TRUSTED_PROXIES")
        }
    }
}
