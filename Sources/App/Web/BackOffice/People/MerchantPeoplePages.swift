import Vapor

/// The owner's cards, transactions, staff accounts and PINs pages: issue #11, people area.
/// Each page is a collection of its own; this one only mounts them under `/merchant`.
struct MerchantPeoplePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        try routes.register(collection: MerchantCardsPages())
        try routes.register(collection: MerchantTransactionsPage())
        try routes.register(collection: MerchantStaffPage())
        try routes.register(collection: MerchantPinsPage())
    }
}
