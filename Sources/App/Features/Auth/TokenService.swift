import Crypto
import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import Vapor

/// Issues, resolves and revokes opaque bearer tokens.
struct TokenService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    /// A freshly issued token: `value` is shown to the client once and never stored.
    struct IssuedToken: Sendable {
        let value: String
        let expiresAt: Date
    }

    func issue(for subject: TokenSubject, lifetime: TimeInterval, origin: SessionOrigin? = nil) async throws -> IssuedToken {
        let value = Self.randomTokenValue()
        let expiresAt = now().addingTimeInterval(lifetime)
        try await AccessTokenModel(tokenHash: Self.hash(value), subject: subject, expiresAt: expiresAt, origin: origin)
            .create(on: database)
        return IssuedToken(value: value, expiresAt: expiresAt)
    }

    /// The subject of a live bearer token, named by its hash: known, not revoked, not expired.
    /// A page session's cookie value is refused here (`WebSessions` resolves those).
    func subject(ofTokenHash tokenHash: String) async throws -> TokenSubject? {
        guard let token = try await AccessTokenRow.find(tokenHash: tokenHash, kind: nil, on: database),
            token.revoked_at == nil,
            token.expires_at > now()
        else { return nil }
        return token.subject
    }

    /// Revokes the token with this hash; later requests with it get 401.
    func revoke(tokenHash: String) async throws {
        try await AccessTokenModel.query(on: database)
            .filter(\.$tokenHash == tokenHash)
            .filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: now())
            .update()
    }

    /// The staff account's live sessions (not revoked, not expired), newest first.
    func sessions(ofUser userID: UUID) async throws -> [AccessTokenModel] {
        try await AccessTokenModel.query(on: database)
            .filter(\.$user.$id == userID)
            .filter(\.$revokedAt == nil)
            .filter(\.$expiresAt > now())
            .sort(\.$createdAt, .descending).sort(\.$id)
            .all()
    }

    /// Revokes one live session of the account; `false` when it has no such session.
    func revoke(session sessionID: UUID, ofUser userID: UUID) async throws -> Bool {
        guard let session = try await AccessTokenModel.query(on: database)
            .filter(\.$id == sessionID)
            .filter(\.$user.$id == userID)
            .filter(\.$revokedAt == nil)
            .filter(\.$expiresAt > now())
            .first()
        else { return false }
        try await revoke(tokenHash: session.tokenHash)
        return true
    }

    /// Revokes every session of the account at once, except the one whose hash is `keeping`.
    func revokeAll(ofUser userID: UUID, keeping tokenHash: String? = nil) async throws {
        var query = AccessTokenModel.query(on: database)
            .filter(\.$user.$id == userID)
            .filter(\.$revokedAt == nil)
        if let tokenHash { query = query.filter(\.$tokenHash != tokenHash) }
        try await query.set(\.$revokedAt, to: now()).update()
    }

    /// Whether the account signed in from this address within about `period` (revoked and
    /// expired sessions count: the address is what matters). Measured by the session's expiry,
    /// which follows the app's clock.
    func hasSignedIn(user userID: UUID, from clientAddress: String, within period: TimeInterval) async throws -> Bool {
        try await AccessTokenModel.query(on: database)
            .filter(\.$user.$id == userID)
            .filter(\.$clientAddress == clientAddress)
            .filter(\.$expiresAt > now().addingTimeInterval(-period))
            .first() != nil
    }

    /// 32 random bytes, base64url without padding: 43 characters.
    static func randomTokenValue() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return bytes.base64URLEncoded
    }

    /// SHA-256 suffices here (unlike for passwords): the value has 256 bits of entropy, so
    /// there is nothing to guess.
    static func hash(_ value: String) -> String {
        SHA256.hash(data: Data(value.utf8)).hexEncoded
    }
}
