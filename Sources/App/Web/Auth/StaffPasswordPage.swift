import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/account/password`: a staff member changes their own password, with the current one (the
/// rules of `POST /api/v1/auth/password`: the login throttle counts each try, every other
/// session ends). An account whose password the server drew (an invitation, a reset) is sent
/// here by `WebStaffGate` before any other page, and goes on to where it was heading after.
struct StaffPasswordPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("password", use: form)
        routes.post("password", use: change)
    }

    struct Page: Encodable, Sendable {
        let email: String
        /// The password was drawn by someone else: it must be replaced before anything else.
        let isRequired: Bool
        let next: String
        var done = false
        var error: String?
    }

    struct ChangeForm: Content {
        var currentPassword: String?
        var newPassword: String?
        var newPasswordAgain: String?
        var next: String?

        enum CodingKeys: String, CodingKey {
            case currentPassword = "current_password"
            case newPassword = "new_password"
            case newPasswordAgain = "new_password_again"
            case next
        }
    }

    @Sendable
    func form(req: Request) async throws -> Response {
        var page = Self.page(req, next: req.query[String.self, at: "next"])
        page.done = req.query[String.self, at: "done"] == "changed"
        return try await render(req, page)
    }

    @Sendable
    func change(req: Request) async throws -> Response {
        let staff = req.staff
        let form = try req.content.decode(ChangeForm.self)
        var page = Self.page(req, next: form.next)
        do {
            guard !(form.currentPassword ?? "").isEmpty else { throw PasswordRefusal.currentMissing }
            // With the current one present, the API's rule can only refuse the new one.
            let (current, new) = try ChangePasswordRequest(currentPassword: form.currentPassword, newPassword: form.newPassword).validated()
            guard form.newPasswordAgain == new else { throw PasswordRefusal.repeatDiffers }
            guard new != current else { throw PasswordRefusal.unchanged }
            guard let user = try await UserModel.find(staff.userID, on: req.db) else { throw APIError.unauthenticated }
            // A session left open must not become a way to guess the password: the login's counters apply.
            try await AuthController.admitPasswordAttempt(email: user.email, req: req)
            guard try await req.application.passwordHashing.verify(current, against: user.passwordHash) else {
                throw PasswordRefusal.currentWrong
            }
            try await req.staffAccounts.setPassword(new, of: user, keepingSession: req.accessTokenHash)
            req.logger.info("staff changed their password on the pages", metadata: ["user_id": "\(staff.userID.uuidString)"])
            if page.isRequired { return req.redirect(to: page.next.isEmpty ? StaffSignInController.landing(for: staff.role) : page.next) }
            return req.redirect(to: "/account/password?done=changed")
        } catch let refusal as PasswordRefusal {
            page.error = req.t(refusal.key)
            return try await render(req, page, status: .unprocessableEntity)
        } catch let error as APIError {
            page.error = error.code == "validation_failed" ? req.t(PasswordRefusal.tooShort.key) : req.words(for: error)
            let response = try await render(req, page, status: error.status)
            if let retry = error.headers.first(name: "Retry-After") { response.headers.replaceOrAdd(name: "Retry-After", value: retry) }
            return response
        }
    }

    /// What the form says when it refuses; the API's field errors have their own wording.
    enum PasswordRefusal: Error {
        case currentMissing, tooShort, repeatDiffers, unchanged, currentWrong

        var key: String {
            switch self {
            case .currentMissing: "account.password_current_missing"
            case .tooShort: "account.password_rule"
            case .repeatDiffers: "account.password_repeat_differs"
            case .unchanged: "account.password_unchanged"
            case .currentWrong: "account.password_current_wrong"
            }
        }
    }

    static func page(_ req: Request, next: String?) -> Page {
        let staff = req.visitor.staff
        return Page(
            email: staff?.identity.email ?? "", isRequired: staff?.mustChangePassword ?? false,
            next: WebPaths.safeReturnPath(next) ?? "")
    }

    private func render(_ req: Request, _ page: Page, status: HTTPStatus = .ok) async throws -> Response {
        try await req.renderPage("account/password", title: "account.password_title", page, status: status)
    }
}
