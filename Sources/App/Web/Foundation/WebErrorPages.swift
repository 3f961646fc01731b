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

struct ErrorPage: Encodable, Sendable {
    let status: Int
    let message: String
}
