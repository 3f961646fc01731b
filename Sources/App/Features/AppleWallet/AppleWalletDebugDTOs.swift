import ApplePasses
import Foundation
import Vapor
import X509

/// `GET /admin/loyalty/debug/apple`: whether passes can be issued and updated, and why not.
struct AppleWalletDiagnosticsResponse: Content {
    struct CertificateInfo: Content, Equatable {
        let subject: String
        let issuer: String
        let notValidBefore: Date
        let notValidAfter: Date
        let daysRemaining: Int

        init(_ certificate: Certificate, now: Date) {
            subject = certificate.subject.description
            issuer = certificate.issuer.description
            notValidBefore = certificate.notValidBefore
            notValidAfter = certificate.notValidAfter
            daysRemaining = Int(certificate.notValidAfter.timeIntervalSince(now) / 86_400)
        }
    }

    /// One thing checked, and what to do about it when it fails.
    struct Check: Content {
        let name: String
        let ok: Bool
        let detail: String
    }

    let configured: Bool
    @NullEncoded var passTypeId: String?
    @NullEncoded var teamId: String?
    @NullEncoded var webServiceUrl: String?
    @NullEncoded var signerCertificate: CertificateInfo?
    @NullEncoded var wwdrCertificate: CertificateInfo?
    let checks: [Check]
    let registeredDevices: Int
    let registeredPasses: Int
    let walletLogEntriesLastDay: Int

    /// The checks of a loaded signing identity. Loading already refused a key of another
    /// certificate and a pass type or team the certificate is not for.
    static func checks(of issuer: AppleWalletIssuer, publicBaseURL: String?, now: Date) -> [Check] {
        let signer = issuer.signer
        let leaf = signer.certificate
        let wwdr = signer.intermediate
        func validity(_ certificate: Certificate, _ name: String) -> Check {
            let ok = certificate.notValidBefore <= now && now < certificate.notValidAfter
            return Check(
                name: "\(name) is valid now", ok: ok,
                detail: ok ? "valid until \(certificate.notValidAfter)" : "valid from \(certificate.notValidBefore) to \(certificate.notValidAfter)")
        }
        let chained = leaf.issuer == wwdr.subject && wwdr.publicKey.isValidSignature(leaf.signature, for: leaf)
        return [
            Check(name: "signer key matches the certificate", ok: true, detail: "checked at start-up"),
            Check(
                name: "certificate is for the configured pass type and team", ok: true,
                detail: "UID \(signer.subject.userID ?? "absent"), OU \(signer.subject.organizationalUnit ?? "absent")"),
            validity(leaf, "signer certificate"),
            validity(wwdr, "WWDR certificate"),
            Check(
                name: "WWDR certificate issued the signer certificate", ok: chained,
                detail: chained
                    ? "the signature chains to \(wwdr.subject)"
                    : "the signer was issued by \(leaf.issuer); use the WWDR generation that issued it (G4 for current certificates)"),
            Check(
                name: "passes carry an https web service URL", ok: issuer.webServiceURL != nil,
                detail: issuer.webServiceURL.map { "devices register at \($0)" }
                    ?? "LOYALTY_PUBLIC_BASE_URL is \(publicBaseURL ?? "unset"); Wallet only registers with https, so passes will not update"),
        ]
    }
}

/// `GET /admin/loyalty/debug/cards/{card_id}/apple-pass`: the pass a card's holder gets, and
/// the devices it is on.
struct ApplePassDebugResponse: Content {
    struct Device: Content {
        let deviceLibraryIdentifier: String
        /// Enough to tell tokens apart in a support conversation, not enough to push.
        let pushTokenPrefix: String
        @NullEncoded var registeredAt: Date?
        @NullEncoded var updatedAt: Date?
        /// The pass version the last delivered push announced; `null`: a push is still owed.
        @NullEncoded var pushedThrough: Date?
    }

    let cardId: UUID
    let merchantId: UUID
    let serialNumber: String
    @NullEncoded var passUrl: String?
    let modifiedAt: Date
    /// The `Last-Modified` a fetch now would carry.
    let lastModified: String
    /// `pass.json` as the pass would carry it (Apple's camelCase keys), but for the Wallet
    /// token, cut to its first 4 characters like the push tokens.
    let passJson: JSONValue
    let devices: [Device]
}

/// One message Wallet posted to `/v1/log`.
struct AppleWalletLogResponse: Content {
    let message: String
    let clientAddress: String
    let receivedAt: Date
}
