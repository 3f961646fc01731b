import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// One merchant's loyalty data across its stores, read-only: cards, transactions, locations,
/// statistics, settings and CSV exports (PINs: `StaffPinsController`). Mounted twice with the same handlers:
/// `/api/v1/merchants/loyalty` for the owner and `/api/v1/admin/loyalty/merchants/{merchant_id}`
/// for the platform admin; `merchantID` is the only difference.
struct MerchantLoyaltyController: RouteCollection {
    let merchantID: @Sendable (Request) async throws -> UUID

    func boot(routes: any RoutesBuilder) throws {
        routes.get("cards", use: cards)
        routes.get("cards", ":card_id", use: card)
        routes.get("cards", ":card_id", "transactions", use: cardTransactions)
        routes.get("transactions", use: transactions)
        routes.get("locations", use: locations)
        routes.get("stats", use: stats)
        routes.get("settings", use: settings)
        routes.get("exports", "transactions.csv", use: exportTransactions)
        routes.get("exports", "cards.csv", use: exportCards)
        try routes.register(collection: AnalyticsController(merchantID: merchantID))
    }

    /// `?store_id=` of a list, checked to be one of the merchant's stores.
    static func storeFilter(_ req: Request, merchantID: UUID) async throws -> UUID? {
        guard let text = req.query[String.self, at: "store_id"] else { return nil }
        guard let id = UUID(uuidString: text) else { throw APIError.validationFailed(["store_id": "must be a store id (UUID)"]) }
        return try await storeFilterCheck(id, merchantID: merchantID, on: req.db)
    }

    @Sendable
    func cards(req: Request) async throws -> Page<CardResponse> {
        let merchantID = try await merchantID(req)
        let storeID = try await Self.storeFilter(req, merchantID: merchantID)
        let search = try req.query.decode(CardSearchQuery.self)
        return try await req.cards.cards(
            merchantID: merchantID, enrolledAt: storeID, status: try search.checkedStatus(), matching: try FieldErrors.queryText(search.q, "q"),
            page: try PageRequest(from: req))
    }

    @Sendable
    func card(req: Request) async throws -> CardResponse {
        try await req.cards.response(for: try await req.cards.card(.id(try CardsController.cardID(req)), merchantID: try await merchantID(req)))
    }

    @Sendable
    func cardTransactions(req: Request) async throws -> Page<TransactionResponse> {
        let merchantID = try await merchantID(req)
        let card = try await req.cards.card(.id(try CardsController.cardID(req)), merchantID: merchantID)
        let filter = try await Self.transactionFilter(req, merchantID: merchantID)
        return try await req.transactions.history(of: card, merchantID: merchantID, filter: filter, page: try PageRequest(from: req))
    }

    @Sendable
    func transactions(req: Request) async throws -> Page<TransactionResponse> {
        let merchantID = try await merchantID(req)
        let filter = try await Self.transactionFilter(req, merchantID: merchantID)
        return try await req.transactions.transactions(merchantID: merchantID, filter: filter, page: try PageRequest(from: req))
    }

    @Sendable
    func locations(req: Request) async throws -> Page<StoreResponse> {
        try await req.tenancy.stores(ofMerchant: try await merchantID(req), page: try PageRequest(from: req))
    }

    @Sendable
    func stats(req: Request) async throws -> StatsResponse {
        let merchantID = try await merchantID(req)
        let storeID = try await Self.storeFilter(req, merchantID: merchantID)
        // "Today" follows the named store's clock, or the merchant's first store's.
        let stores = StoreModel.query(on: req.db).filter(\.$merchant.$id == merchantID)
        if let storeID { stores.filter(\.$id == storeID) }
        let store = try await stores.sort(\.$createdAt).first()
        return try await req.stats.stats(merchantID: merchantID, storeID: storeID, timezone: store?.timezone ?? CreateStoreRequest.defaultTimezone)
    }

    @Sendable
    func settings(req: Request) async throws -> SettingsResponse {
        try await req.settings.settings(of: try await merchantID(req))
    }

    @Sendable
    func exportTransactions(req: Request) async throws -> Response {
        let merchantID = try await merchantID(req)
        let filter = try await Self.transactionFilter(req, merchantID: merchantID)
        return req.exports.transactionsCSV(merchantID: merchantID, filter: filter, for: req)
    }

    @Sendable
    func exportCards(req: Request) async throws -> Response {
        req.exports.cardsCSV(merchantID: try await merchantID(req), for: req)
    }

    /// The request's transaction filter, its store checked to be the merchant's.
    static func transactionFilter(_ req: Request, merchantID: UUID) async throws -> TransactionFilter {
        let filter = try TransactionFilter(from: req)
        if let storeID = filter.storeID { _ = try await storeFilterCheck(storeID, merchantID: merchantID, on: req.db) }
        return filter
    }

    /// Another merchant's store in a filter is `not_found`, never an empty list that would
    /// confirm it exists.
    static func storeFilterCheck(_ storeID: UUID, merchantID: UUID, on database: any Database) async throws -> UUID {
        guard try await StoreModel.query(on: database).filter(\.$id == storeID).filter(\.$merchant.$id == merchantID).first() != nil
        else { throw APIError.notFound("The store") }
        return storeID
    }
}
