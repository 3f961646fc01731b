import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import Vapor

/// The life of a staff account after onboarding: deactivation, passwords, sessions and the
/// login lock. The caller names the merchant (the admin any, an owner its own); an account of
/// another merchant is `not_found`.
struct StaffAccountService: Sendable {
    let database: any Database
    let writeGate: AsyncGate?
    let passwords: PasswordHashing
    let throttle: LoginThrottle
    let now: @Sendable () -> Date

    private var tokens: TokenService { TokenService(database: database, now: now) }

    /// The merchant's staff account, or `not_found`.
    func user(_ userID: UUID, ofMerchant merchantID: UUID) async throws -> UserModel {
        guard
            let user = try await UserModel.query(on: database)
                .filter(\.$id == userID)
                .filter(\.$merchant.$id == merchantID)
                .first()
        else { throw APIError.notFound("The user") }
        return user
    }

    /// Deactivates the account of someone else than `actingUserID` (an owner or admin who
    /// locked themselves out could not undo it): the API and the owner's page both ask here.
    func deactivate(_ user: UserModel, by actingUserID: UUID?) async throws {
        guard try user.requireID() != actingUserID else { throw APIError.forbidden("You cannot deactivate your own account.") }
        try await setActive(false, user: user)
    }

    /// Sets someone else's password; one's own changes with the current one
    /// (`/api/v1/auth/password`). `isTemporary`: the server drew it to be handed over, and the
    /// account must choose its own before it opens a page (decision 0041).
    func resetPassword(_ password: String, of user: UserModel, by actingUserID: UUID?, isTemporary: Bool = false) async throws {
        guard try user.requireID() != actingUserID else {
            throw APIError.forbidden("Change your own password at /api/v1/auth/password, with the current one.")
        }
        try await setPassword(password, of: user, changeRequired: isTemporary)
    }

    /// Deactivates (every session ends at once) or reactivates the account.
    func setActive(_ isActive: Bool, user: UserModel) async throws {
        let userID = try user.requireID()
        let now = self.now
        try await database.writeTransaction(gate: writeGate) { db in
            try await UserModel.query(on: db).filter(\.$id == userID).set(\.$isActive, to: isActive).update()
            if !isActive { try await TokenService(database: db, now: now).revokeAll(ofUser: userID) }
        }
        user.isActive = isActive
    }

    /// Sets a new password and ends every session but `keepingSession` (the caller's own, when
    /// one changes one's own password), in one transaction. `changeRequired` is false when the
    /// account chose the password itself, which ends a required change.
    func setPassword(_ password: String, of user: UserModel, keepingSession: String? = nil, changeRequired: Bool = false) async throws {
        let userID = try user.requireID()
        let hash = try await passwords.hash(password)
        let now = self.now
        try await database.writeTransaction(gate: writeGate) { db in
            try await UserModel.query(on: db).filter(\.$id == userID)
                .set(\.$passwordHash, to: hash)
                .set(\.$passwordChangeRequired, to: changeRequired)
                .update()
            try await TokenService(database: db, now: now).revokeAll(ofUser: userID, keeping: keepingSession)
        }
        user.passwordHash = hash
        user.passwordChangeRequired = changeRequired
    }

    func sessions(ofUser userID: UUID, page: PageRequest, currentTokenHash: String?) async throws -> Page<SessionResponse> {
        let all = try await tokens.sessions(ofUser: userID)
        let items = try all.dropFirst((page.page - 1) * page.perPage).prefix(page.perPage)
            .map { try SessionResponse($0, currentTokenHash: currentTokenHash) }
        return Page(items: Array(items), total: all.count, page: page.page, perPage: page.perPage)
    }

    /// Ends one live session of the account, or `not_found`.
    func revokeSession(_ sessionID: UUID, ofUser userID: UUID) async throws {
        guard try await tokens.revoke(session: sessionID, ofUser: userID) else { throw APIError.notFound("The session") }
    }

    /// Forgets the account's login counters, from every address.
    func clearLoginLock(of user: UserModel) async throws {
        try await throttle.clear(accountBucket: LoginThrottle.accountBucket(staffEmail: user.email))
    }
}

extension Request {
    var staffAccounts: StaffAccountService {
        StaffAccountService(
            database: db, writeGate: application.writeGate, passwords: application.passwordHashing, throttle: loginThrottle,
            now: application.clock)
    }
}
