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

    /// How far a filtered list counts its matches before it says "more than 1,000": the exact
    /// figure of a common name or a busy store's month read every match (16,723 customers,
    /// 89,428 ledger rows at the benchmark's size), and a list is read a page at a time. The
    /// unfiltered lists' totals are kept, so exact (decision 0038).
    static let countCap = 1_000
}
