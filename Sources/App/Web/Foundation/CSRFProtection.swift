import Foundation
import Vapor

/// Cross-site request forgery protection for every page form (decision 0024).
///
/// A random value lives in an HttpOnly, SameSite=Lax cookie and is repeated in each form as
/// `_csrf`; a POST is admitted only when the two match and, when the browser names an
/// `Origin`, it is this site. Another site can make a browser send the cookie (not with
/// SameSite=Lax POSTs, but older browsers) yet can neither read it nor guess the field.
/// Signing in and out issues a new value.
///
/// Two parts: `CSRFProtection` refuses a forged POST (inside the error pages, so the refusal is
/// a page), `CSRFCookie` sets a newly issued value on whatever answer goes out (outside them).
struct CSRFProtection: AsyncMiddleware {
    static let cookie = "loyalty_csrf"
    static let field = "_csrf"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method == .POST {
            // A browser may send a larger form's body after its head: the route would collect
            // it, but this check runs first and must read the token from it.
            if request.body.data == nil {
                _ = try await request.body.collect(max: request.application.routes.defaultMaxBodySize.value).get()
            }
            guard Self.isAdmitted(request) else {
                request.logger.info("page form refused: CSRF token or origin")
                throw APIError(
                    .forbidden, code: "csrf_failed", message: "This form has expired or came from another site. Reload the page and try again.")
            }
        }
        return try await next.respond(to: request)
    }

    private static func isAdmitted(_ request: Request) -> Bool {
        // `Origin: null` names no site (a browser under a strict referrer policy sends it with
        // its own site's forms too): the token alone decides then.
        if let origin = request.headers.first(name: .origin), origin != "null",
            !isSameSite(origin: origin, host: request.headers.first(name: .host))
        {
            return false
        }
        guard let expected = request.cookies[cookie]?.string, !expected.isEmpty,
            let sent = try? request.content.get(String.self, at: field)
        else { return false }
        return constantTimeEquals(expected, sent)
    }

    /// `Origin: http://host:port` names this site when its host and port are the request's
    /// `Host` (the scheme may differ behind a TLS-terminating proxy).
    static func isSameSite(origin: String, host: String?) -> Bool {
        guard let host, let components = URLComponents(string: origin), let originHost = components.host else { return false }
        let originAuthority = components.port.map { "\(originHost):\($0)" } ?? originHost
        return originAuthority.lowercased() == host.lowercased()
    }

    fileprivate struct IssuedTokenKey: StorageKey { typealias Value = String }
}

/// Sets the form token's cookie when this request issued one.
struct CSRFCookie: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        if let issued = request.storage[CSRFProtection.IssuedTokenKey.self] {
            response.cookies[CSRFProtection.cookie] = HTTPCookies.Value(
                string: issued, path: "/", isSecure: request.cookiesAreSecure, isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }
}

extension Request {
    /// The value every form of this page repeats as `_csrf`: the visitor's cookie, or a new
    /// one (set on the response) for a first visit or a fresh sign-in.
    var csrfToken: String {
        if let issued = storage[CSRFProtection.IssuedTokenKey.self] { return issued }
        if let existing = cookies[CSRFProtection.cookie]?.string, existing.count == 43 { return existing }
        return renewCSRFToken()
    }

    /// Replaces the visitor's value (at sign-in and sign-out).
    @discardableResult
    func renewCSRFToken() -> String {
        let value = TokenService.randomTokenValue()
        storage[CSRFProtection.IssuedTokenKey.self] = value
        return value
    }
}
