import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `POST /auth/login`
struct LoginRequest: Content {
    var email: String?
    var password: String?

    func validated() throws -> (email: String, password: String) {
        var errors = FieldErrors()
        let email = errors.requiredText(email, "email")
        // Not trimmed: spaces can be part of a password.
        if password?.isEmpty ?? true { errors.record("password", "is required") }
        try errors.throwIfAny()
        return (email.lowercased(), password ?? "")
    }
}

/// A staff account as `/auth/me` and login show it.
struct MeResponse: Content {
    let id: UUID
    let email: String
    @NullEncoded var name: String?
    let role: Role
    @NullEncoded var merchantId: UUID?
    @NullEncoded var storeId: UUID?

    init(_ user: UserModel) throws {
        id = try user.requireID()
        email = user.email
        name = user.name
        role = user.role
        merchantId = user.$merchant.id
        storeId = user.$store.id
    }
}

/// The answer to a successful staff login.
struct StaffTokenResponse: Content {
    let accessToken: String
    let tokenType: String
    let expiresAt: Date
    let user: MeResponse

    init(_ token: TokenService.IssuedToken, user: UserModel) throws {
        accessToken = token.value
        tokenType = "bearer"
        expiresAt = token.expiresAt
        self.user = try MeResponse(user)
    }
}
