import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import Vapor

/// Admits a request only with a live staff token whose role is one of `roles`.
///
/// This is where authorization lives for a route group: a handler behind it can rely on
/// `request.staff` having one of the roles. No token, a bad or revoked one, or a customer's
/// token: 401. A staff member with another role: 403.
struct StaffAuthMiddleware: AsyncMiddleware {
    let roles: Set<Role>

    init(_ roles: Set<Role>) { self.roles = roles }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let tokenHash = request.bearerTokenHash,
            case .user(let userID) = try await request.tokens.subject(ofTokenHash: tokenHash),
            let user = try await StaffAccountRow.find(userID, on: request.db),
            user.is_active
        else { throw APIError.unauthenticated }
        guard roles.contains(user.role) else { throw APIError.forbidden("Your role may not use this endpoint.") }
        request.staff = user.identity(userID: userID)
        request.accessTokenHash = tokenHash
        return try await next.respond(to: request)
    }
}

/// Admits a request only with a live customer token; staff tokens get 401 here.
struct CustomerAuthMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let tokenHash = request.bearerTokenHash,
            case .customer(let customerID) = try await request.tokens.subject(ofTokenHash: tokenHash),
            let customer = try await CustomerModel.find(customerID, on: request.db)
        else { throw APIError.unauthenticated }
        request.customer = CustomerIdentity(customerID: customerID, merchantID: customer.$merchant.id)
        request.accessTokenHash = tokenHash
        return try await next.respond(to: request)
    }
}

/// Narrows a group already behind `StaffAuthMiddleware` to fewer roles (who may change the
/// program, manage PINs, adjust points): 403 for the others.
struct StaffRoleMiddleware: AsyncMiddleware {
    let roles: Set<Role>

    init(_ roles: Set<Role>) { self.roles = roles }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard roles.contains(request.staff.role) else {
            throw APIError.forbidden("Only " + roles.map(\.rawValue).sorted().joined(separator: " or ") + " may do this.")
        }
        return try await next.respond(to: request)
    }
}

/// Admits staff whose role grants every one of `permissions` (`Role.permissions`); 403 for
/// the others. Behind `StaffAuthMiddleware`.
struct PermissionMiddleware: AsyncMiddleware {
    let permissions: Set<Permission>

    init(_ permissions: Set<Permission>) { self.permissions = permissions }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let missing = permissions.subtracting(request.staff.role.permissions)
        guard missing.isEmpty else {
            throw APIError.forbidden("Your role lacks " + missing.map(\.rawValue).sorted().joined(separator: ", ") + ".")
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// SHA-256 of the `Authorization: Bearer` token, computed once per request.
    fileprivate var bearerTokenHash: String? {
        headers.bearerAuthorization.map { TokenService.hash($0.token) }
    }
}
