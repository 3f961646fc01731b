import Foundation
import LoyaltyCore
import Vapor

/// Every page route (WEB.md), beside the API's `routes(_:)`. The pages call the same services
/// as the API: a rule lives in one place.
///
/// Around every page, outermost first: the security headers, the form-token cookie, the
/// visitor (sessions, language), error pages, then the form-token check.
func webRoutes(_ app: Application) throws {
    app.grouped(SecurityHeaders()).get("static", "**") { req in req.application.staticAssets.respond(to: req) }

    let pages = app.grouped(SecurityHeaders(), CSRFCookie(), WebVisitorMiddleware(), WebErrorPages(), CSRFProtection())
    try pages.register(collection: StaffSignInController())
    try pages.register(collection: LandingPagesController())

    // The counter: cashiers and managers of a store, owners in a store they pick.
    let store = pages.grouped("store")
        .grouped(WebStaffGate([.storeStaff, .storeManager, .merchantOwner]))
        .grouped(WebStoreScope())
    _ = store  // the terminal and the store's pages register here
}

extension Route {
    /// The API's routes (`/api/...`, health, the OpenAPI document); every other route is a page
    /// or a static file. The OpenAPI document and the API's isolation matrix cover these; the
    /// pages have a matrix of their own.
    var isAPI: Bool {
        guard case .constant(let first)? = path.first else { return false }
        return ["api", "health", "openapi.json"].contains(first)
    }
}
