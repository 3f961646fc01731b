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
