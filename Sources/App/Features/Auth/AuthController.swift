import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import Vapor

/// Staff sign-in and one's own account: `/api/v1/auth/login`, `/logout`, `/me`, `/password`,
/// `/sessions`.
struct AuthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let auth = routes.grouped("auth")
        auth.post("login", use: login)
        let signedIn = auth.grouped(StaffAuthMiddleware(Set(Role.allCases)))
        signedIn.post("logout", use: logout)
        signedIn.get("me", use: me)
        signedIn.post("password", use: changePassword)
        signedIn.get("sessions", use: sessions)
        signedIn.delete("sessions", ":session_id", use: revokeSession)
    }

    @Sendable
    func login(req: Request) async throws -> StaffTokenResponse {
        let credentials = try req.content.decode(LoginRequest.self).validated()
        // Counted before the password is checked, so guessing costs attempts whether or not it succeeds.
        try await Self.admitPasswordAttempt(email: credentials.email, req: req)
        let user = try await UserModel.query(on: req.db).filter(\.$email == credentials.email).first()
        let passwordMatches = try await req.application.passwordHashing.verify(
            credentials.password, against: user?.passwordHash)
        guard let user, passwordMatches else { throw APIError.invalidCredentials }
        // Said only to whoever knows the password: a stranger learns nothing about the account.
        guard user.isActive else { throw APIError.accountDeactivated }
        let token = try await req.tokens.issue(
            for: .user(try user.requireID()), lifetime: req.application.config.staffTokenLifetime, origin: req.sessionOrigin)
        req.logger.info("staff signed in", metadata: ["user_id": "\(user.id?.uuidString ?? "")"])
        return try StaffTokenResponse(token, user: user)
    }

    @Sendable
    func logout(req: Request) async throws -> HTTPStatus {
        if let hash = req.accessTokenHash { try await req.tokens.revoke(tokenHash: hash) }
        return .noContent
    }

    @Sendable
    func me(req: Request) async throws -> UserResponse {
        guard let user = try await UserModel.find(req.staff.userID, on: req.db) else { throw APIError.unauthenticated }
        return try UserResponse(user)
    }

    /// Changes one's own password (the current one is required) and signs out every other
    /// session of the account.
    @Sendable
    func changePassword(req: Request) async throws -> HTTPStatus {
        let input = try req.content.decode(ChangePasswordRequest.self).validated()
        guard let user = try await UserModel.find(req.staff.userID, on: req.db) else { throw APIError.unauthenticated }
        // A stolen token must not become a way to guess the password: the login's counters apply.
        try await Self.admitPasswordAttempt(email: user.email, req: req)
        guard try await req.application.passwordHashing.verify(input.currentPassword, against: user.passwordHash) else {
            throw APIError.validationFailed(["current_password": "is not the account's password"])
        }
        try await req.staffAccounts.setPassword(input.newPassword, of: user, keepingSession: req.accessTokenHash)
        return .noContent
    }

    @Sendable
    func sessions(req: Request) async throws -> Page<SessionResponse> {
        try await req.staffAccounts.sessions(
            ofUser: req.staff.userID, page: try PageRequest(from: req), currentTokenHash: req.accessTokenHash)
    }

    @Sendable
    func revokeSession(req: Request) async throws -> HTTPStatus {
        try await req.staffAccounts.revokeSession(try req.parameters.uuid("session_id"), ofUser: req.staff.userID)
        return .noContent
    }

    /// Applies the login throttle (decision 0015) to one password attempt for `email`.
    static func admitPasswordAttempt(email: String, req: Request) async throws {
        let client = req.clientAddress
        try await req.loginThrottle.admit(accountBucket: LoginThrottle.accountBucket(staffEmail: email), client: client) {
            guard let user = try await UserModel.query(on: req.db).filter(\.$email == email).first() else { return false }
            return try await req.tokens.hasSignedIn(user: try user.requireID(), from: client, within: LoginThrottle.knownClientPeriod)
        }
    }
}
