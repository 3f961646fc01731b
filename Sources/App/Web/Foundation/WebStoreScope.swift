import Fluent
import Foundation
import Vapor

/// The store a store page acts in (behind `WebStaffGate`): a cashier's or manager's own; an
/// owner picks one (`?store=<id>`, remembered in a cookie) and is sent to pick when none is.
struct WebStoreScope: AsyncMiddleware {
    static let cookie = "loyalty_store"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let asked = request.query[String.self, at: "store"].flatMap(UUID.init(uuidString:))
        let remembered = request.cookies[Self.cookie].flatMap { UUID(uuidString: $0.string) }
        let named = asked ?? remembered
        let context: StoreContext?
        do {
            context = try await StoreScopeMiddleware.store(for: request.staff, named: named, on: request.db)
        } catch let error as APIError where error.status == .notFound && asked == nil {
            context = nil  // a remembered store that is gone: pick again
        }
        guard let context else { return request.redirect(to: "/merchant") }
        request.store = context
        let response = try await next.respond(to: request)
        if let asked, request.staff.storeID == nil {
            response.cookies[Self.cookie] = HTTPCookies.Value(
                string: asked.uuidString, path: "/", isSecure: request.cookiesAreSecure, isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }
}
