import Fluent
import FluentKit
import Foundation
import Vapor

/// Who a page session speaks for; each realm has its own cookie, so a merchant's customer and
/// its staff never share a session, as with tokens.
enum WebRealm: Sendable {
    case staff, customer

    var cookieName: String {
        switch self {
        case .staff: "loyalty_staff"
        case .customer: "loyalty_customer"
        }
    }
}

/// Page sessions: an opaque cookie whose SHA-256 is a row of `access_tokens` with
/// `kind = cookie` (decision 0024), so every instance sees the same sessions and everything
/// that ends an account's sessions ends these too.
///
/// A session ends at sign-out, at its absolute lifetime (the token lifetime of its realm) or
/// after `idleTimeout` without a request, whichever comes first.
struct WebSessions: Sendable {
    static let kind = "cookie"
    /// `last_seen_at` is written at most this often: a page view is not a write.
    static let touchInterval: TimeInterval = 60

    let database: any Database
    let now: @Sendable () -> Date

    /// Opens a new session (a new id at every sign-in: a planted cookie is worth nothing).
    func open(for subject: TokenSubject, lifetime: TimeInterval, origin: SessionOrigin) async throws -> TokenService.IssuedToken {
        let value = TokenService.randomTokenValue()
        let expiresAt = now().addingTimeInterval(lifetime)
        let row = AccessTokenModel(tokenHash: TokenService.hash(value), subject: subject, expiresAt: expiresAt, origin: origin)
        row.kind = Self.kind
        row.lastSeenAt = now()
        try await row.create(on: database)
        return .init(value: value, expiresAt: expiresAt)
    }

    /// The subject of a live session cookie, and its hash; nil for an unknown, revoked, expired
    /// or idle one.
    func resolve(cookieValue: String, idleTimeout: TimeInterval) async throws -> (subject: TokenSubject, tokenHash: String)? {
        guard cookieValue.count <= 128 else { return nil }
        let tokenHash = TokenService.hash(cookieValue)
        guard let row = try await AccessTokenRow.find(tokenHash: tokenHash, kind: Self.kind, on: database), row.revoked_at == nil
        else { return nil }
        let now = now()
        let lastSeen = row.last_seen_at ?? row.created_at ?? now
        guard row.expires_at > now, now.timeIntervalSince(lastSeen) < idleTimeout else { return nil }
        if now.timeIntervalSince(lastSeen) >= Self.touchInterval {
            try await AccessTokenModel.query(on: database)
                .filter(\.$tokenHash == tokenHash)
                .set(\.$lastSeenAt, to: now)
                .update()
        }
        return row.subject.map { ($0, tokenHash) }
    }

    func close(tokenHash: String) async throws {
        try await TokenService(database: database, now: now).revoke(tokenHash: tokenHash)
    }
}

extension Request {
    var webSessions: WebSessions { WebSessions(database: db, now: application.clock) }

    /// Whether cookies carry `Secure`: everywhere but development (a laptop on plain http).
    var cookiesAreSecure: Bool { application.environment != .development }

    /// The cookie that carries a session of `realm`: HttpOnly, SameSite=Lax, gone at its expiry.
    func sessionCookie(_ token: TokenService.IssuedToken) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: token.value, expires: token.expiresAt, path: "/", isSecure: cookiesAreSecure, isHTTPOnly: true, sameSite: .lax)
    }

    /// A cookie that removes itself.
    static let expiredCookie = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isHTTPOnly: true, sameSite: .lax)
}
