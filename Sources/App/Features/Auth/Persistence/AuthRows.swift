import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// The rows every authenticated request reads first, with SQLKit into plain `Decodable`s:
/// Fluent reflects over the whole model (`Mirror`) to decode one row, and these two reads
/// were half of a small signed-in page's time in the server (decision 0040). Writes stay
/// with the Fluent models.

/// What authentication needs of one `access_tokens` row.
struct AccessTokenRow: Decodable, Sendable {
    let user_id: UUID?
    let customer_id: UUID?
    let expires_at: Date
    let revoked_at: Date?
    let created_at: Date?
    let last_seen_at: Date?

    var subject: TokenSubject? {
        if let user_id { return .user(user_id) }
        if let customer_id { return .customer(customer_id) }
        return nil
    }

    /// The token with this hash and `kind` (`nil`: a bearer token, `cookie`: a page session).
    static func find(tokenHash: String, kind: String?, on database: any Database) async throws -> AccessTokenRow? {
        let query = database.sql.select()
            .columns("user_id", "customer_id", "expires_at", "revoked_at", "created_at", "last_seen_at")
            .from(AccessTokenModel.schema)
            .where("token_hash", .equal, tokenHash)
        if let kind { query.where("kind", .equal, kind) } else { query.where("kind", .is, SQLLiteral.null) }
        return try await query.first(decoding: AccessTokenRow.self)
    }
}

/// What a request needs of a signed-in staff account: one `users` row, never its password hash.
struct StaffAccountRow: Decodable, Sendable {
    let email: String
    let name: String?
    let role: Role
    let merchant_id: UUID?
    let store_id: UUID?
    let is_active: Bool
    let language: String?
    let password_change_required: Bool

    static func find(_ userID: UUID, on database: any Database) async throws -> StaffAccountRow? {
        try await database.sql.select()
            .columns("email", "name", "role", "merchant_id", "store_id", "is_active", "language", "password_change_required")
            .from(UserModel.schema)
            .where("id", .equal, userID)
            .first(decoding: StaffAccountRow.self)
    }

    func identity(userID: UUID) -> StaffIdentity {
        StaffIdentity(userID: userID, email: email, role: role, merchantID: merchant_id, storeID: store_id)
    }
}
