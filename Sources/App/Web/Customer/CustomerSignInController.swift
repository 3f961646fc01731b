import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Customer accounts on the pages: `/customer/login`, `/customer/register` (`?store=CODE`: the
/// store code decides the merchant) and `/customer/logout`, on the API's storefront rules (the
/// same throttles, the same refusal of a known e-mail address, decision 0008), with a page
/// session in the customer realm as `StaffSignInController` opens one for staff.
struct CustomerSignInController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let customer = routes.grouped("customer")
        customer.get("login", use: loginForm)
        customer.post("login", use: login)
        customer.get("register", use: registerForm)
        customer.post("register", use: register)
        customer.post("logout", use: logout)
    }

    struct AccountPage: Encodable, Sendable {
        var store = ""
        /// The store's name when the code names one, to greet the customer with.
        var storeName = ""
        var name = ""
        var email = ""
        var consent = false
        var next = ""
        var error: String?
    }

    struct AccountForm: Content {
        var store: String?
        var name: String?
        var email: String?
        var password: String?
        var consent: String?
        var next: String?
    }

    @Sendable
    func loginForm(req: Request) async throws -> Response {
        if req.visitor.customer != nil { return req.redirect(to: "/customer/card") }
        let page = try await Self.page(store: req.query[String.self, at: "store"], next: req.query[String.self, at: "next"], req: req)
        return try await req.renderPage("customer/login", title: "customer.login_title", page, stylesheet: "customer.css")
    }

    @Sendable
    func login(req: Request) async throws -> Response {
        let input = try req.content.decode(AccountForm.self)
        var page = try await Self.page(store: input.store, next: input.next, req: req)
        page.email = String((input.email ?? "").prefix(254))
        do {
            let credentials = try CustomerLoginRequest(storeCode: input.store, email: input.email, password: input.password).validated()
            let customer = try await StorefrontAuthController.authenticate(credentials, req: req)
            return try await Self.signIn(customer, next: input.next, req: req)
        } catch let error as APIError {
            page.error = Self.words(for: error, req: req)
            return try await Self.refusal(error, template: "customer/login", title: "customer.login_title", page, req: req)
        }
    }

    @Sendable
    func registerForm(req: Request) async throws -> Response {
        if req.visitor.customer != nil { return req.redirect(to: "/customer/card") }
        let page = try await Self.page(store: req.query[String.self, at: "store"], next: nil, req: req)
        return try await req.renderPage("customer/register", title: "customer.register_title", page, stylesheet: "customer.css")
    }

    @Sendable
    func register(req: Request) async throws -> Response {
        let input = try req.content.decode(AccountForm.self)
        var page = try await Self.page(store: input.store, next: nil, req: req)
        page.name = String((input.name ?? "").prefix(200))
        page.email = String((input.email ?? "").prefix(254))
        page.consent = input.consent != nil
        guard page.consent else {
            page.error = req.t("customer.consent_missing")
            return try await req.renderPage(
                "customer/register", title: "customer.register_title", page, status: .unprocessableEntity, stylesheet: "customer.css")
        }
        do {
            let request = CustomerRegisterRequest(
                storeCode: input.store, email: input.email, password: input.password, name: input.name, phone: nil, birthday: nil,
                locale: req.language.rawValue, marketingConsent: false)
            let customer = try await StorefrontAuthController.register(try request.validated(), req: req)
            return try await Self.signIn(customer, next: nil, req: req)
        } catch let error as APIError {
            page.error = Self.words(for: error, req: req)
            return try await Self.refusal(error, template: "customer/register", title: "customer.register_title", page, req: req)
        }
    }

    @Sendable
    func logout(req: Request) async throws -> Response {
        if let customer = req.visitor.customer { try await req.webSessions.close(tokenHash: customer.tokenHash) }
        req.renewCSRFToken()
        let response = req.redirect(to: "/customer/login", redirectType: .normal)
        response.cookies[WebRealm.customer.cookieName] = Request.expiredCookie
        return response
    }

    /// A new page session for `customer` (a new id at every sign-in), and a new form token.
    static func signIn(_ customer: CustomerModel, next: String?, req: Request) async throws -> Response {
        let session = try await req.webSessions.open(
            for: .customer(try customer.requireID()), lifetime: req.application.config.customerTokenLifetime, origin: req.sessionOrigin)
        req.logger.info("customer signed in to the pages", metadata: ["customer_id": "\(customer.id?.uuidString ?? "")"])
        req.renewCSRFToken()
        let response = req.redirect(to: WebPaths.safeReturnPath(next) ?? "/customer/card", redirectType: .normal)
        response.cookies[WebRealm.customer.cookieName] = req.sessionCookie(session)
        return response
    }

    static func page(store code: String?, next: String?, req: Request) async throws -> AccountPage {
        var page = AccountPage()
        page.next = WebPaths.safeReturnPath(next) ?? ""
        let code = String((code ?? "").trimmingCharacters(in: .whitespaces).prefix(64)).uppercased()
        page.store = code
        if !code.isEmpty, FieldRules.storableText(code) == nil,
            let store = try await StoreModel.query(on: req.db).filter(\.$code == code).first()
        {
            page.storeName = store.name
        }
        return page
    }

    /// The API's refusals in a customer's words; a wrong password and an unknown address read
    /// the same, as in the API.
    static func words(for error: APIError, req: Request) -> String {
        switch error.code {
        case "unauthenticated": req.t("customer.login_wrong")
        case "not_found": req.t("customer.store_unknown")
        case "already_exists": req.t("customer.email_known")
        case "validation_failed":
            if case .object(let fields)? = error.details["fields"] {
                if fields["store_code"] != nil {
                    req.t("customer.store_unknown")
                } else if fields["password"] != nil {
                    req.t("customer.password_invalid")
                } else if fields["email"] != nil {
                    req.t("customer.email_invalid")
                } else if fields["name"] != nil {
                    req.t("customer.name_invalid")
                } else {
                    req.words(for: error)
                }
            } else {
                req.words(for: error)
            }
        default: req.words(for: error)
        }
    }

    static func refusal(_ error: APIError, template: String, title: String, _ page: AccountPage, req: Request) async throws -> Response {
        let response = try await req.renderPage(template, title: title, page, status: error.status, stylesheet: "customer.css")
        if let retry = error.headers.first(name: "Retry-After") { response.headers.replaceOrAdd(name: "Retry-After", value: retry) }
        return response
    }
}
