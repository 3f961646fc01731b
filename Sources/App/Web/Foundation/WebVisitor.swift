import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Who is looking at a page: a signed-in staff member, a signed-in customer, both (two
/// realms, two cookies) or neither; and the language the page is in.
struct WebVisitor: Sendable {
    struct Staff: Sendable {
        let identity: StaffIdentity
        let name: String?
        let tokenHash: String
        /// The server drew the password (an invitation, a reset): every page but the one that
        /// changes it sends there first.
        let mustChangePassword: Bool
    }

    struct Customer: Sendable {
        let identity: CustomerIdentity
        let name: String
        let tokenHash: String
    }

    var staff: Staff?
    var customer: Customer?
    var language: Language = .en
}

extension Request {
    private struct WebVisitorKey: StorageKey { typealias Value = WebVisitor }

    /// Set by `WebVisitorMiddleware` on every page route.
    var visitor: WebVisitor {
        get { storage[WebVisitorKey.self] ?? WebVisitor() }
        set { storage[WebVisitorKey.self] = newValue }
    }

    /// The page's language.
    var language: Language { visitor.language }

    /// A text of the catalog in the page's language.
    func t(_ key: String, _ arguments: String...) -> String {
        application.catalog.text(key, in: language, arguments)
    }
}

/// Resolves the session cookies and the page's language once per page request.
///
/// Only a cookie that is present costs a query: anonymous pages read nothing.
struct WebVisitorMiddleware: AsyncMiddleware {
    static let languageCookie = "loyalty_lang"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        var visitor = WebVisitor()
        var accountLanguage: Language?
        let config = request.application.config
        if let value = request.cookies[WebRealm.staff.cookieName]?.string,
            let (subject, hash) = try await request.webSessions.resolve(cookieValue: value, idleTimeout: config.webStaffIdleTimeout),
            case .user(let userID) = subject,
            let user = try await StaffAccountRow.find(userID, on: request.db), user.is_active
        {
            visitor.staff = .init(
                identity: user.identity(userID: userID), name: user.name, tokenHash: hash,
                mustChangePassword: user.password_change_required)
            accountLanguage = user.language.flatMap(Language.init(rawValue:))
        }
        if let value = request.cookies[WebRealm.customer.cookieName]?.string,
            let (subject, hash) = try await request.webSessions.resolve(cookieValue: value, idleTimeout: config.webCustomerIdleTimeout),
            case .customer(let customerID) = subject,
            let customer = try await CustomerModel.find(customerID, on: request.db), customer.erasedAt == nil
        {
            visitor.customer = .init(
                identity: CustomerIdentity(customerID: customerID, merchantID: customer.$merchant.id), name: customer.name, tokenHash: hash)
            accountLanguage = accountLanguage ?? Language(rawValue: customer.locale.rawValue)
        }
        let asked = request.query[String.self, at: "lang"].flatMap(Language.init(rawValue:))
        visitor.language = Language.choose(
            query: asked?.rawValue, cookie: request.cookies[Self.languageCookie]?.string, account: accountLanguage,
            acceptLanguage: request.headers.first(name: .acceptLanguage))
        request.visitor = visitor

        let response = try await next.respond(to: request)
        if let asked {
            response.cookies[Self.languageCookie] = HTTPCookies.Value(
                string: asked.rawValue, maxAge: 365 * 86_400, path: "/", isSecure: request.cookiesAreSecure, isHTTPOnly: true,
                sameSite: .lax)
            // Remembered with the account too, so the next device starts in it.
            if let staff = visitor.staff, accountLanguage != asked {
                try await UserModel.query(on: request.db).filter(\.$id == staff.identity.userID).set(\.$language, to: asked.rawValue).update()
            }
        }
        return response
    }
}

/// Admits a page request only from a signed-in staff member with one of `roles`; others are
/// sent to sign in (and come back here after), a wrong role gets the 403 page. An account that
/// must replace a password the server drew is sent to do that first (and comes back here after),
/// unless `admitsPasswordChange` (the page that changes it).
struct WebStaffGate: AsyncMiddleware {
    let roles: Set<Role>
    let admitsPasswordChange: Bool

    init(_ roles: Set<Role>, admitsPasswordChange: Bool = false) {
        self.roles = roles
        self.admitsPasswordChange = admitsPasswordChange
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let staff = request.visitor.staff else {
            return request.redirect(to: "/login?next=" + WebPaths.returnPath(of: request).urlQueryEncoded)
        }
        if staff.mustChangePassword, !admitsPasswordChange {
            // A form sent meanwhile is not replayed: only a page to open comes back.
            let next = request.method == .GET ? WebPaths.returnPath(of: request) : nil
            return request.redirect(to: WebPaths.passwordChange(returningTo: next), redirectType: .normal)
        }
        guard roles.contains(staff.identity.role) else { throw APIError.forbidden("Your role may not open this page.") }
        request.staff = staff.identity
        request.accessTokenHash = staff.tokenHash
        return try await next.respond(to: request)
    }
}

/// Admits a page request only from a signed-in customer; others are sent to sign in.
struct WebCustomerGate: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let customer = request.visitor.customer else {
            return request.redirect(to: "/customer/login?next=" + WebPaths.returnPath(of: request).urlQueryEncoded)
        }
        request.customer = customer.identity
        request.accessTokenHash = customer.tokenHash
        return try await next.respond(to: request)
    }
}

enum WebPaths {
    /// The staff member's own password page, with where to go after.
    static func passwordChange(returningTo next: String? = nil) -> String {
        guard let next = safeReturnPath(next) else { return "/account/password" }
        return "/account/password?next=" + next.urlQueryEncoded
    }

    /// The path and query to come back to after signing in.
    static func returnPath(of request: Request) -> String {
        var path = request.url.path
        if let query = request.url.query, !query.isEmpty { path += "?" + query }
        return path
    }

    /// `next` only when it is a path of this site (`/x`, not `//evil.example` or `https://…`)
    /// without control characters: a sign-in link must not become a way to send someone elsewhere.
    static func safeReturnPath(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), next.count <= 512,
            // No control character (a NUL, a newline) or line separator may reach a `Location`
            // header or a page.
            !next.unicodeScalars.contains(where: {
                $0 == "\\" || [.control, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory)
            })
        else { return nil }
        return next
    }
}

extension String {
    var urlQueryEncoded: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? ""
    }
}
