import Fluent
import FluentKit
import Foundation
import Vapor

/// A bearer token, stored only as the SHA-256 of its value.
///
/// The token itself is 256 random bits shown once at login; a database dump reveals only
/// hashes, which cannot be turned back into usable tokens. Exactly one of `user` (staff realm)
/// and `customer` (storefront realm) is set.
final class AccessTokenModel: Model, @unchecked Sendable {
    static let schema = "access_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @OptionalParent(key: "user_id") var user: UserModel?
    @OptionalParent(key: "customer_id") var customer: CustomerModel?
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// Where the sign-in came from, shown in the account's session list; also what makes an
    /// address "known" to the account for the login throttle (decision 0015).
    @OptionalField(key: "client_address") var clientAddress: String?
    @OptionalField(key: "user_agent") var userAgent: String?
    /// `cookie` for a page session (decision 0024); absent for a bearer token. Each is
    /// accepted only where it was issued for.
    @OptionalField(key: "kind") var kind: String?
    /// A page session's last request, for its idle timeout; touched at most once a minute.
    @OptionalField(key: "last_seen_at") var lastSeenAt: Date?

    init() {}

    init(tokenHash: String, subject: TokenSubject, expiresAt: Date, origin: SessionOrigin? = nil) {
        self.clientAddress = origin?.clientAddress
        self.userAgent = origin?.userAgent
        self.tokenHash = tokenHash
        switch subject {
        case .user(let id): self.$user.id = id
        case .customer(let id): self.$customer.id = id
        }
        self.expiresAt = expiresAt
    }
}

/// Whom a token speaks for: the two realms never mix.
enum TokenSubject: Equatable, Sendable {
    case user(UUID)
    case customer(UUID)
}

/// Where a sign-in came from, as the session list shows it.
struct SessionOrigin: Sendable, Equatable {
    /// Longest user agent kept; the rest is cut.
    static let maximumUserAgentLength = 256

    let clientAddress: String
    let userAgent: String?

    init(clientAddress: String, userAgent: String?) {
        self.clientAddress = clientAddress
        self.userAgent = userAgent.map { String($0.prefix(Self.maximumUserAgentLength)) }
    }
}
