import ApplePasses
import Foundation
import Vapor

/// What the platform needs to issue Apple Wallet passes: the signing identity, and where
/// devices reach the web service. Built once at start-up; `nil` when Apple Wallet is off.
struct AppleWalletIssuer: Sendable {
    let signer: PassSigner
    /// `https://…/api/v1/loyalty/apple`; `nil` unless the public URL is https, since Wallet
    /// registers only with an https web service (passes then still open, without updates).
    let webServiceURL: String?
    let updateClock = PassUpdateClock()
    /// Signed archives of the passes served lately; one per issuer, so per signing identity.
    let signedPasses = SignedPassCache()

    /// Where the web service lives under the public URL; Wallet appends `/v1/...`.
    static let webServicePath = "/api/v1/loyalty/apple"

    /// Reads the certificate files named by the configuration. A setting that is present but
    /// wrong stops start-up with the reason, instead of failing at the first customer.
    static func load(_ config: AppConfig) throws -> AppleWalletIssuer? {
        let wallet = config.wallet
        guard let passType = wallet.applePassTypeID, let team = wallet.appleTeamID,
            let wwdrPath = wallet.appleWWDRCertificatePath, let certificatePath = wallet.appleSignerCertificatePath,
            let keyPath = wallet.appleSignerKeyPath
        else { return nil }
        func read(_ path: String, _ setting: String) throws -> String {
            do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ConfigError("\(setting) names \(path), which cannot be read: \(error.localizedDescription)")
            }
        }
        let signer: PassSigner
        do {
            signer = try PassSigner(
                passTypeIdentifier: passType, teamIdentifier: team,
                certificatePEM: try read(certificatePath, "LOYALTY_APPLE_SIGNER_CERT_PATH"),
                privateKeyPEM: try read(keyPath, "LOYALTY_APPLE_SIGNER_KEY_PATH"),
                intermediatePEM: try read(wwdrPath, "LOYALTY_APPLE_WWDR_CERT_PATH"))
        } catch let error as PassSigner.LoadError {
            throw ConfigError("Apple Wallet: \(error.description)")
        }
        let base = config.publicBaseURL.flatMap { $0.hasPrefix("https://") ? $0 : nil }
        return AppleWalletIssuer(signer: signer, webServiceURL: base.map { $0 + webServicePath })
    }
}

extension Application {
    private struct AppleWalletIssuerKey: StorageKey { typealias Value = AppleWalletIssuer }

    /// The Apple Wallet issuer, when the five `LOYALTY_APPLE_*` settings are present.
    var appleWallet: AppleWalletIssuer? {
        get { storage[AppleWalletIssuerKey.self] }
        set { storage[AppleWalletIssuerKey.self] = newValue }
    }
}

extension Request {
    /// The Apple Wallet issuer, or 503 `apple_wallet_unavailable` when the platform has none.
    func requireAppleWallet() throws -> AppleWalletIssuer {
        guard let issuer = application.appleWallet else {
            throw APIError(
                .serviceUnavailable, code: "apple_wallet_unavailable",
                message: "Apple Wallet is not set up on this platform (LOYALTY_APPLE_* settings).")
        }
        return issuer
    }
}
