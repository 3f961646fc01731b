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

/// The answer to a successful staff login.
struct StaffTokenResponse: Content {
    let accessToken: String
    let tokenType: String
    let expiresAt: Date
    let user: UserResponse

    init(_ token: TokenService.IssuedToken, user: UserModel) throws {
        accessToken = token.value
        tokenType = "bearer"
        expiresAt = token.expiresAt
        self.user = try UserResponse(user)
    }
}

/// `POST /auth/password`
struct ChangePasswordRequest: Content {
    var currentPassword: String?
    var newPassword: String?

    func validated() throws -> (currentPassword: String, newPassword: String) {
        var errors = FieldErrors()
        if currentPassword?.isEmpty ?? true { errors.record("current_password", "is required") }
        let newPassword = errors.requiredText(newPassword, "new_password", FieldRules.password)
        try errors.throwIfAny()
        return (currentPassword ?? "", newPassword)
    }
}

/// `POST .../users/{user_id}/password`: an owner or the admin sets a staff member's password.
struct ResetPasswordRequest: Content {
    var password: String?

    func validated() throws -> String {
        var errors = FieldErrors()
        let password = errors.requiredText(password, "password", FieldRules.password)
        try errors.throwIfAny()
        return password
    }
}

/// A signed-in session of a staff account; never the token or its hash.
struct SessionResponse: Content {
    let id: UUID
    let createdAt: Date?
    let expiresAt: Date
    @NullEncoded var clientAddress: String?
    @NullEncoded var userAgent: String?
    /// The session this very request is made with.
    let current: Bool

    init(_ token: AccessTokenModel, currentTokenHash: String?) throws {
        id = try token.requireID()
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        clientAddress = token.clientAddress
        userAgent = token.userAgent
        current = token.tokenHash == currentTokenHash
    }
}
