import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// A signed-in customer's own loyalty: `/api/v1/storefront/loyalty` (card, history,
/// self-enrollment, program).
struct StorefrontLoyaltyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("card", use: card)
        routes.get("transactions", use: transactions)
        routes.post("enroll", use: enroll)
        routes.get("program", use: program)
    }

    @Sendable
    func card(req: Request) async throws -> CustomerCardResponse {
        let card = try await Self.ownCard(req)
        return CustomerCardResponse(
            card, program: try await PublicProgramResponse.load(merchantID: req.customer.merchantID, activeOnly: false, on: req.db),
            wallet: try await WalletLinks.of(card, on: req.application, database: req.db))
    }

    @Sendable
    func transactions(req: Request) async throws -> Page<CustomerTransactionResponse> {
        let card = try await Self.ownCard(req)
        // A reissued card's history continues its predecessors' (decision 0018).
        let cards = try await CardLineage.cardIDs(endingAt: card, on: req.db)
        return try await TransactionModel.query(on: req.db)
            .filter(\.$card.$id ~~ cards)
            .sort(\.$recordedAtMilliseconds, .descending)
            .sort(\.$sequence, .descending)
            .page(try PageRequest(from: req), map: CustomerTransactionResponse.init)
    }

    @Sendable
    func enroll(req: Request) async throws -> Response {
        let customer = req.customer
        let card = try await Self.enrollOwn(req)
        let program = try await PublicProgramResponse.load(merchantID: customer.merchantID, on: req.db)
        return try await CustomerCardResponse(card, program: program, wallet: try await WalletLinks.of(card, on: req.application, database: req.db)).encodeResponse(status: .created, for: req)
    }

    @Sendable
    func program(req: Request) async throws -> PublicProgramResponse {
        try await PublicProgramResponse.load(merchantID: req.customer.merchantID, on: req.db)
    }

    /// A card for the signed-in customer, when the merchant allows enrolling online (the API
    /// and the customer's card page).
    static func enrollOwn(_ req: Request) async throws -> CardModel {
        let customer = req.customer
        guard try await SettingsService.settings(of: customer.merchantID, on: req.db).allowSelfEnrollment else {
            throw APIError.forbidden("This merchant enrolls customers in store only.")
        }
        let store = try await Self.homeStore(of: customer.merchantID, on: req.db)
        return try await req.cards.enroll(.existing(customer.customerID), store: store).0
    }

    static func ownCard(_ req: Request) async throws -> CardModel {
        guard let card = try await CardModel.query(on: req.db)
            .filter(\.$merchant.$id == req.customer.merchantID)
            .filter(\.$customer.$id == req.customer.customerID)
            .filter(\.$replacedByCardID == nil)
            .first()
        else { throw APIError.notFound("Your card") }
        return card
    }

    /// Online enrollments count toward the merchant's first store in the statistics.
    static func homeStore(of merchantID: UUID, on database: any Database) async throws -> StoreContext {
        guard let store = try await StoreModel.query(on: database).filter(\.$merchant.$id == merchantID).sort(\.$createdAt).first() else {
            throw APIError.notFound("The store")
        }
        return try StoreContext(store)
    }
}
