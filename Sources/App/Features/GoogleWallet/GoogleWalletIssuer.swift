import Foundation
import GoogleWallet
import Vapor

/// What the platform needs to issue Google Wallet passes: the issuer, the service account
/// that speaks for it, and the REST client. Built once at start-up; `nil` when Google Wallet is
/// off (neither `LOYALTY_GOOGLE_ISSUER_ID` nor `LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON` set).
struct GoogleWalletIssuer: Sendable {
    let issuerID: String
    let serviceAccountEmail: String
    let apiBaseURL: String
    let tokenURI: String
    let client: GoogleWalletClient
    let design: GooglePassDesign
    /// Where save links may be used from (the JWT's `origins`): the public site, when known.
    let origins: [String]

    /// Reads and checks the key file. A setting that is present but wrong stops start-up with
    /// the reason, instead of failing at the first enrollment.
    static func load(_ config: AppConfig, now: @escaping @Sendable () -> Date) async throws -> GoogleWalletIssuer? {
        let wallet = config.wallet
        guard let issuerID = wallet.googleIssuerID, let keyPath = wallet.googleServiceAccountJSONPath else { return nil }
        let key: ServiceAccountKey
        do {
            key = try ServiceAccountKey(contentsOf: keyPath)
        } catch {
            throw ConfigError("LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON (\(keyPath)): \(error.description)")
        }
        guard let baseURL = URL(string: wallet.googleAPIBaseURL) else {
            throw ConfigError("LOYALTY_GOOGLE_API_BASE_URL is not a URL: \(wallet.googleAPIBaseURL)")
        }
        let jwts = await GoogleJWTs(key: key)
        let https = config.publicBaseURL.flatMap { $0.hasPrefix("https://") ? $0 : nil }
        return GoogleWalletIssuer(
            issuerID: issuerID, serviceAccountEmail: key.clientEmail, apiBaseURL: wallet.googleAPIBaseURL,
            tokenURI: key.tokenURI.absoluteString,
            client: GoogleWalletClient(key: key, jwts: jwts, apiBaseURL: baseURL, timeoutSeconds: wallet.googleRequestTimeoutSeconds, now: now),
            design: GooglePassDesign(issuerID: issuerID, fallbackLogoURL: https.map { $0 + "/static/icon-512.png" }),
            origins: config.publicBaseURL.map { [$0] } ?? [])
    }
}

extension Application {
    private struct GoogleWalletIssuerKey: StorageKey { typealias Value = GoogleWalletIssuer }

    /// The Google Wallet issuer, when both `LOYALTY_GOOGLE_*` settings are present.
    var googleWallet: GoogleWalletIssuer? {
        get { storage[GoogleWalletIssuerKey.self] }
        set { storage[GoogleWalletIssuerKey.self] = newValue }
    }
}
