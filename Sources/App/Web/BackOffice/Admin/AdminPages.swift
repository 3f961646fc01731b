import Vapor

/// The admin's merchants, onboarding, merchant settings and wallet pages: issue #11, admin area.
/// `/admin` itself (the programs dashboard) is `AdminHomePage`.
struct AdminPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        // Onboarding first: its constant `new` must not be read as a merchant id.
        try routes.register(collection: AdminOnboardingPage())
        try routes.register(collection: AdminMerchantsPages())
        try routes.register(collection: AdminSettingsPage())
        try routes.register(collection: AdminWalletsPage())
    }
}
