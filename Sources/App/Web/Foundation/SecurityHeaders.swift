import Vapor

/// The headers every page and static file carries.
///
/// The Content-Security-Policy admits scripts and styles only from this site's files (no
/// inline script, no inline style, no `eval`), images from here and `data:` URLs, and forms
/// only to here; no site may frame the pages (clickjacking at a till).
struct SecurityHeaders: AsyncMiddleware {
    static let contentSecurityPolicy = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        Self.apply(to: response)
        return response
    }

    static func apply(to response: Response) {
        let headers = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            // Private card links are in page addresses: never hand them to another site. Not
            // `no-referrer`: under it browsers send `Origin: null` with the pages' own form
            // posts, and the form check (`CSRFProtection`) refuses every one of them.
            ("Referrer-Policy", "same-origin"),
            // The terminal's camera scanner is the only device access any page needs.
            ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
        ]
        for (name, value) in headers where !response.headers.contains(name: name) {
            response.headers.replaceOrAdd(name: name, value: value)
        }
    }
}
