import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/login` and `/logout` for staff (WEB.md's fixed points), on the API's sign-in rules: the
/// same throttle, the same password check, a session in the same table.
struct StaffSignInController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
        routes.get("login", use: form)
        routes.post("login", use: signIn)
        routes.post("logout", use: signOut)
    }

    struct SignInPage: Encodable, Sendable {
        var email = ""
        var next = ""
        var error: String?
        /// Development with the demo data loaded: the accounts to try.
        var demoAccounts: [DemoAccount] = []
    }

    struct DemoAccount: Encodable, Sendable {
        let email: String
        let role: String
    }

    struct SignInForm: Content {
        var email: String?
        var password: String?
        var next: String?
    }

    @Sendable
    func home(req: Request) async throws -> Response {
        guard let staff = req.visitor.staff else {
            if req.visitor.customer != nil { return req.redirect(to: "/customer/card") }
            return req.redirect(to: "/login")
        }
        return req.redirect(to: Self.landing(for: staff.identity.role))
    }

    @Sendable
    func form(req: Request) async throws -> Response {
        if let staff = req.visitor.staff { return req.redirect(to: Self.landing(for: staff.identity.role)) }
        var page = SignInPage()
        page.next = WebPaths.safeReturnPath(req.query[String.self, at: "next"]) ?? ""
        page.demoAccounts = try await demoAccounts(req)
        return try await req.renderPage("login", title: "login.title", page)
    }

    @Sendable
    func signIn(req: Request) async throws -> Response {
        let input = try req.content.decode(SignInForm.self)
        var page = SignInPage(email: String((input.email ?? "").prefix(254)), next: WebPaths.safeReturnPath(input.next) ?? "")
        page.demoAccounts = try await demoAccounts(req)
        let credentials: (email: String, password: String)
        do {
            credentials = try LoginRequest(email: input.email, password: input.password).validated()
        } catch {
            page.error = req.t("login.missing")
            return try await req.renderPage("login", title: "login.title", page, status: .unprocessableEntity)
        }
        do {
            try await AuthController.admitPasswordAttempt(email: credentials.email, req: req)
            let user = try await UserModel.query(on: req.db).filter(\.$email == credentials.email).first()
            let matches = try await req.application.passwordHashing.verify(credentials.password, against: user?.passwordHash)
            guard let user, matches else { throw APIError.invalidCredentials }
            guard user.isActive else { throw APIError.accountDeactivated }
            let session = try await req.webSessions.open(
                for: .user(try user.requireID()), lifetime: req.application.config.staffTokenLifetime, origin: req.sessionOrigin)
            req.logger.info("staff signed in to the pages", metadata: ["user_id": "\(user.id?.uuidString ?? "")"])
            req.renewCSRFToken()
            let destination = WebPaths.safeReturnPath(input.next) ?? Self.landing(for: user.role)
            let response = req.redirect(
                to: user.passwordChangeRequired ? WebPaths.passwordChange(returningTo: destination) : destination, redirectType: .normal)
            response.cookies[WebRealm.staff.cookieName] = req.sessionCookie(session)
            return response
        } catch let error as APIError {
            page.error = error.code == "unauthenticated" ? req.t("login.wrong") : req.words(for: error)
            let response = try await req.renderPage("login", title: "login.title", page, status: error.status)
            if let retry = error.headers.first(name: "Retry-After") { response.headers.replaceOrAdd(name: "Retry-After", value: retry) }
            return response
        }
    }

    @Sendable
    func signOut(req: Request) async throws -> Response {
        if let staff = req.visitor.staff { try await req.webSessions.close(tokenHash: staff.tokenHash) }
        req.renewCSRFToken()
        let response = req.redirect(to: "/login", redirectType: .normal)
        response.cookies[WebRealm.staff.cookieName] = Request.expiredCookie
        response.cookies[WebStoreScope.cookie] = Request.expiredCookie
        return response
    }

    /// Where each role starts (WEB.md): the counter's staff see the terminal and nothing else first.
    static func landing(for role: Role) -> String {
        switch role {
        case .storeStaff, .storeManager: "/store/terminal"
        case .merchantOwner: "/merchant"
        case .platformAdmin: "/admin"
        }
    }

    /// The demo accounts, listed on the sign-in page only in development and only while the
    /// demo merchant exists: a production server never shows accounts.
    private func demoAccounts(_ req: Request) async throws -> [DemoAccount] {
        guard req.application.environment == .development,
            try await MerchantModel.query(on: req.db).filter(\.$contactEmail == DemoCommand.merchantEmail).first() != nil
        else { return [] }
        return DemoCommand.staffAccounts.map { DemoAccount(email: $0.email, role: req.t("role." + $0.role.rawValue)) }
    }
}
