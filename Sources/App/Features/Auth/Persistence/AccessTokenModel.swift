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

    init() {}

    init(tokenHash: String, subject: TokenSubject, expiresAt: Date) {
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
