import Foundation
import Vapor

/// Turns an error on a page route into a page in the visitor's language (the API's JSON is
/// for programs). A visitor whose session ended is sent to sign in again.
struct WebErrorPages: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let apiError = APIErrorMiddleware.apiError(for: error, request: request)
            if apiError.status.code >= 500 {
                request.logger.error("page failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            if apiError.code == "unauthenticated", request.method == .GET {
                return request.redirect(to: "/login?next=" + WebPaths.returnPath(of: request).urlQueryEncoded)
            }
            let page = ErrorPage(status: Int(apiError.status.code), message: request.words(for: apiError))
            let response = try await request.renderPage("error", title: "error.title", page, status: apiError.status)
            for (name, value) in apiError.headers where name.lowercased() == "retry-after" {
                response.headers.replaceOrAdd(name: name, value: value)
            }
            return response
        }
    }
}

extension WebErrorPages {
    /// A browser asking for an address outside the API that no page answers (a mistyped link,
    /// an old bookmark) gets a page, not the API's JSON.
    static func wantsPage(_ request: Request) -> Bool {
        let first = request.url.path.split(separator: "/").first.map(String.init) ?? ""
        guard !["api", "health", "openapi.json", "static"].contains(first) else { return false }
        return request.headers.first(name: .accept)?.contains("text/html") == true
    }

    /// The error page without the page middleware (no route matched, so none ran): the
    /// language from the remembered choice or the browser, the security headers added here.
    static func unmatchedPage(_ error: APIError, for request: Request) async throws -> Response {
        request.visitor.language = Language.choose(
            query: request.query[String.self, at: "lang"], cookie: request.cookies[WebVisitorMiddleware.languageCookie]?.string,
            account: nil, acceptLanguage: request.headers.first(name: .acceptLanguage))
        let page = ErrorPage(status: Int(error.status.code), message: request.words(for: error))
        let response = try await request.renderPage("error", title: "error.title", page, status: error.status)
        SecurityHeaders.apply(to: response)
        return response
    }
}

struct ErrorPage: Encodable, Sendable {
    let status: Int
    let message: String
}
