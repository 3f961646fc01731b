import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Staff accounts of one merchant after onboarding: `.../users/{user_id}/deactivate`,
/// `/reactivate`, `/password`, `/sessions`, `/login-lock`. Mounted, like
/// `MerchantOnboardingController`, under `/admin/merchants/{merchant_id}` for the platform
/// admin and under `/merchants` for an owner; `merchantID` is the only difference.
struct StaffAccountsController: RouteCollection {
    /// Which merchant the request is about; throws `not_found` for one the caller may not see.
    let merchantID: @Sendable (Request) async throws -> UUID

    func boot(routes: any RoutesBuilder) throws {
        let user = routes.grouped("users", ":user_id")
        user.post("deactivate", use: deactivate)
        user.post("reactivate", use: reactivate)
        user.post("password", use: resetPassword)
        user.get("sessions", use: sessions)
        user.delete("sessions", ":session_id", use: revokeSession)
        user.delete("login-lock", use: clearLoginLock)
    }

    @Sendable
    func deactivate(req: Request) async throws -> UserResponse {
        let user = try await target(req)
        try await req.staffAccounts.deactivate(user, by: req.staff.userID)
        return try UserResponse(user)
    }

    @Sendable
    func reactivate(req: Request) async throws -> UserResponse {
        let user = try await target(req)
        try await req.staffAccounts.setActive(true, user: user)
        return try UserResponse(user)
    }

    /// Sets a staff member's password (who forgot theirs) and ends all of their sessions.
    @Sendable
    func resetPassword(req: Request) async throws -> HTTPStatus {
        let user = try await target(req)
        let password = try req.content.decode(ResetPasswordRequest.self).validated()
        try await req.staffAccounts.resetPassword(password, of: user, by: req.staff.userID)
        return .noContent
    }

    @Sendable
    func sessions(req: Request) async throws -> Page<SessionResponse> {
        let user = try await target(req)
        return try await req.staffAccounts.sessions(
            ofUser: try user.requireID(), page: try PageRequest(from: req), currentTokenHash: req.accessTokenHash)
    }

    @Sendable
    func revokeSession(req: Request) async throws -> HTTPStatus {
        let user = try await target(req)
        try await req.staffAccounts.revokeSession(try req.parameters.uuid("session_id"), ofUser: try user.requireID())
        return .noContent
    }

    /// Lifts the login lock of the account, from every address (decision 0015).
    @Sendable
    func clearLoginLock(req: Request) async throws -> HTTPStatus {
        try await req.staffAccounts.clearLoginLock(of: try await target(req))
        return .noContent
    }

    /// The `{user_id}` of the path, an account of the request's merchant.
    private func target(_ req: Request) async throws -> UserModel {
        let merchantID = try await merchantID(req)
        return try await req.staffAccounts.user(try req.parameters.uuid("user_id"), ofMerchant: merchantID)
    }
}
