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
    // Any staff member's own account; the one page open while a drawn password waits to be replaced.
    let account = pages.grouped("account").grouped(WebStaffGate(Set(Role.allCases), admitsPasswordChange: true))
    try account.register(collection: StaffPasswordPage())

    // The counter: cashiers and managers of a store, owners in a store they pick.
    let store = pages.grouped("store")
        .grouped(WebStaffGate([.storeStaff, .storeManager, .merchantOwner]))
        .grouped(WebStoreScope())
    try store.register(collection: TerminalController())
    try store.register(collection: StoreCardsPages())
    try store.register(collection: StoreEnrollPage())
    let managers = store.grouped(WebStaffGate([.merchantOwner, .storeManager]))
    try managers.register(collection: StorePinsPage())
    try managers.register(collection: StoreStatsPage())
    try managers.register(collection: StorePosterPage())

    // The back office: an owner for its own merchant, the platform admin for all of them.
    let merchant = pages.grouped("merchant").grouped(WebStaffGate([.merchantOwner]))
    try merchant.register(collection: MerchantHomePage())
    try merchant.register(collection: MerchantAnalyticsPages())
    try merchant.register(collection: MerchantProgramPages())
    try merchant.register(collection: MerchantPeoplePages())
    let admin = pages.grouped("admin").grouped(WebStaffGate([.platformAdmin]))
    try admin.register(collection: AdminHomePage())
    try admin.register(collection: AdminPages())
    try admin.register(collection: AdminAnalyticsPages())

    // Customers: enrollment, the card behind its private link, accounts; then their own pages.
    try pages.register(collection: EnrollmentPageController())
    try pages.register(collection: CardPagesController())
    try pages.register(collection: CustomerSignInController())
    let customer = pages.grouped("customer").grouped(WebCustomerGate())
    try customer.register(collection: CardPagesController.Own())
    try customer.register(collection: CustomerProfileController())
}

extension Route {
    /// The API's routes (`/api/...`, health, the OpenAPI document, metrics); every other route is a page
    /// or a static file. The OpenAPI document and the API's isolation matrix cover these; the
    /// pages have a matrix of their own.
    var isAPI: Bool {
        guard case .constant(let first)? = path.first else { return false }
        return ["api", "health", "openapi.json", "metrics"].contains(first)
    }
}
