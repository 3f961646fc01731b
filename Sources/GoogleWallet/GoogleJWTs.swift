import Foundation
import JWTKit

/// The two JWTs the platform signs with the service account's key (RS256, `kid` = the key's
/// id, as google-auth does): the assertion traded for an OAuth token, and the save link.
///
/// Times are plain integers: Google documents `iat` as an integer, and jwt-kit's date claims
/// would encode fractional seconds by default (WALLET.md pitfall 15).
public struct GoogleJWTs: Sendable {
    public static let walletScope = "https://www.googleapis.com/auth/wallet_object.issuer"
    /// Google refuses assertions valid for more than an hour.
    static let assertionLifetime = 3600

    private let keys: JWTKeyCollection
    private let key: ServiceAccountKey

    public init(key: ServiceAccountKey) async {
        self.key = key
        keys = JWTKeyCollection()
        await keys.add(rsa: key.privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.privateKeyID))
    }

    /// The JWT-bearer grant's assertion (WALLET.md §4.1).
    public func tokenAssertion(at now: Date) async throws -> String {
        let issuedAt = Int(now.timeIntervalSince1970)
        return try await sign(
            AssertionClaims(
                iss: key.clientEmail, scope: Self.walletScope, aud: key.tokenURI.absoluteString, iat: issuedAt,
                exp: issuedAt + Self.assertionLifetime))
    }

    /// `https://pay.google.com/gp/v/save/<JWT>` naming objects that were inserted through the
    /// REST API first (the "skinny" form, which keeps the link short).
    public func saveLink(objects: [ObjectReference], origins: [String], at now: Date) async throws -> String {
        let claims = SaveClaims(
            iss: key.clientEmail, aud: "google", typ: "savetowallet", iat: Int(now.timeIntervalSince1970), origins: origins,
            payload: .init(loyaltyObjects: objects))
        return "https://pay.google.com/gp/v/save/" + (try await sign(claims))
    }

    /// The object a save link names: its id and its class's.
    public struct ObjectReference: Codable, Sendable, Equatable {
        public let id: String
        public let classId: String

        public init(id: String, classId: String) {
            self.id = id
            self.classId = classId
        }
    }

    private func sign(_ claims: some JWTPayload) async throws -> String {
        try await keys.sign(claims, kid: JWKIdentifier(string: key.privateKeyID))
    }

    struct AssertionClaims: JWTPayload {
        let iss: String
        let scope: String
        let aud: String
        let iat: Int
        let exp: Int
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    struct SaveClaims: JWTPayload {
        struct Payload: Codable, Sendable {
            let loyaltyObjects: [ObjectReference]
        }

        let iss: String
        let aud: String
        let typ: String
        let iat: Int
        let origins: [String]
        let payload: Payload
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}
