import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import Vapor

/// Staff sign-in: `/api/v1/auth/login`, `/logout`, `/me`.
struct AuthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let auth = routes.grouped("auth")
        auth.post("login", use: login)
        let signedIn = auth.grouped(StaffAuthMiddleware(Set(Role.allCases)))
        signedIn.post("logout", use: logout)
        signedIn.get("me", use: me)
    }

    @Sendable
    func login(req: Request) async throws -> StaffTokenResponse {
        let credentials = try req.content.decode(LoginRequest.self).validated()
        let limits = req.application.config.rateLimits
        // Counted before the password is checked, so guessing costs attempts whether or not it succeeds.
        try await req.rateLimiter.enforce([
            ("login:account:\(credentials.email)", limits.loginPerAccount),
            ("login:client:\(req.clientAddress)", limits.loginPerClient),
        ])
        let user = try await UserModel.query(on: req.db).filter(\.$email == credentials.email).first()
        let passwordMatches = try await req.application.passwordHashing.verify(
            credentials.password, against: user?.passwordHash)
        guard let user, passwordMatches, user.isActive else { throw APIError.invalidCredentials }
        let token = try await req.tokens.issue(
            for: .user(try user.requireID()), lifetime: req.application.config.staffTokenLifetime)
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
}
