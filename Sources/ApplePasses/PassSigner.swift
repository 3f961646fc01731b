import Crypto
import Foundation
import SwiftASN1
@_spi(CMS) import X509

/// The Pass Type ID certificate, its private key and Apple's WWDR intermediate: what signs
/// every pass (and, later, authenticates pushes to APNs).
public struct PassSigner: Sendable {
    public let passTypeIdentifier: String
    public let teamIdentifier: String
    public let certificate: Certificate
    public let intermediate: Certificate
    let privateKey: Certificate.PrivateKey

    public enum LoadError: Error, Equatable, CustomStringConvertible {
        case unreadable(what: String, reason: String)
        case encryptedKey
        case keyDoesNotMatchCertificate
        case identifierMismatch(certificate: String, configured: String)
        case teamMismatch(certificate: String, configured: String)

        public var description: String {
            switch self {
            case .unreadable(let what, let reason):
                "The \(what) could not be read: \(reason)"
            case .encryptedKey:
                "The signer key is encrypted. Store it decrypted (PKCS#8 or RSA PEM), for example with "
                    + "`openssl pkey -in signer.key -out signer-plain.key`, and keep the file private."
            case .keyDoesNotMatchCertificate:
                "The signer key does not belong to the signer certificate."
            case .identifierMismatch(let certificate, let configured):
                "The certificate is for pass type \(certificate), but the configured pass type is \(configured)."
            case .teamMismatch(let certificate, let configured):
                "The certificate belongs to team \(certificate), but the configured team is \(configured)."
            }
        }
    }

    /// Reads the three PEM documents and checks that they belong together: the key signs for
    /// the certificate, and the certificate's UID and OU are the configured pass type and team
    /// (a mismatch makes Wallet refuse every pass, ../shared/docs/WALLET.md pitfall 5).
    public init(passTypeIdentifier: String, teamIdentifier: String, certificatePEM: String, privateKeyPEM: String, intermediatePEM: String) throws {
        if privateKeyPEM.contains("ENCRYPTED") { throw LoadError.encryptedKey }
        do { certificate = try Certificate(pemEncoded: certificatePEM) } catch {
            throw LoadError.unreadable(what: "signer certificate", reason: String(describing: error))
        }
        do { intermediate = try Certificate(pemEncoded: intermediatePEM) } catch {
            throw LoadError.unreadable(what: "WWDR certificate", reason: String(describing: error))
        }
        do { privateKey = try Certificate.PrivateKey(pemEncoded: privateKeyPEM) } catch {
            throw LoadError.unreadable(what: "signer key", reason: String(describing: error))
        }
        guard privateKey.publicKey == certificate.publicKey else { throw LoadError.keyDoesNotMatchCertificate }
        let subject = CertificateSubject(certificate.subject)
        if let uid = subject.userID, uid != passTypeIdentifier {
            throw LoadError.identifierMismatch(certificate: uid, configured: passTypeIdentifier)
        }
        if let team = subject.organizationalUnit, team != teamIdentifier {
            throw LoadError.teamMismatch(certificate: team, configured: teamIdentifier)
        }
        self.passTypeIdentifier = passTypeIdentifier
        self.teamIdentifier = teamIdentifier
    }

    /// The certificate's UID, OU and CN.
    public var subject: CertificateSubject { CertificateSubject(certificate.subject) }

    /// A detached, DER-encoded CMS SignedData over `manifest`, carrying the WWDR and signer
    /// certificates and the signing time (iOS refuses a signature without one).
    public func signature(of manifest: Data, at signingTime: Date) throws -> Data {
        // The key's own algorithm: SHA-256 with RSA for Apple's RSA pass certificates.
        let bytes = try CMS.sign(
            manifest, additionalIntermediateCertificates: [intermediate], certificate: certificate,
            privateKey: privateKey, signingTime: signingTime, detached: true)
        return Data(bytes)
    }
}

/// The parts of a certificate subject Apple uses: UID (the pass type) and OU (the team).
public struct CertificateSubject: Sendable, Equatable {
    public let userID: String?
    public let organizationalUnit: String?
    public let commonName: String?

    /// `0.9.2342.19200300.100.1.1`, the LDAP `uid` attribute.
    static let userIDType: ASN1ObjectIdentifier = [0, 9, 2342, 19_200_300, 100, 1, 1]

    public init(_ name: DistinguishedName) {
        func first(_ type: ASN1ObjectIdentifier) -> String? {
            name.lazy.flatMap { $0 }.first { $0.type == type }.flatMap { String($0.value) }
        }
        userID = first(Self.userIDType)
        organizationalUnit = first(.RDNAttributeType.organizationalUnitName)
        commonName = first(.RDNAttributeType.commonName)
    }
}
