import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Blocking, unblocking and reissuing a card. Mounted for store managers and owners at the
/// counter (`/store/loyalty/cards/...`, the acting store on the ledger rows) and for owners
/// across stores (`/merchants/loyalty/cards/...`). Cashiers may not: taking a customer's
/// balance out of use, or moving it to a new card, is a manager's call (decision 0018).
struct CardLifecycleController: RouteCollection {
    let merchantID: @Sendable (Request) async throws -> UUID
    /// The store a reissue is recorded in, `nil` when acting across stores.
    let storeID: @Sendable (Request) -> UUID?

    func boot(routes: any RoutesBuilder) throws {
        let card = routes.grouped("cards", ":card_id")
        card.post("block", use: block)
        card.post("unblock", use: unblock)
        card.post("reissue", use: reissue)
    }

    @Sendable
    func block(req: Request) async throws -> CardResponse {
        let reason = try req.content.decode(BlockCardRequest.self).validated()
        let card = try await req.cardLifecycle.block(try CardsController.cardID(req), merchantID: try await merchantID(req), reason: reason)
        return try await req.cards.response(for: card)
    }

    @Sendable
    func unblock(req: Request) async throws -> CardResponse {
        let card = try await req.cardLifecycle.unblock(try CardsController.cardID(req), merchantID: try await merchantID(req))
        return try await req.cards.response(for: card)
    }

    @Sendable
    func reissue(req: Request) async throws -> Response {
        let reason = try (req.body.data == nil ? ReissueCardRequest() : req.content.decode(ReissueCardRequest.self)).validated()
        let result = try await req.cardLifecycle.reissue(
            try CardsController.cardID(req), merchantID: try await merchantID(req), storeID: storeID(req), reason: reason,
            by: OperatorContext(request: req))
        return try await ReissueCardResponse(
            card: try await req.cards.response(for: result.card), previousCardId: try result.previous.requireID(),
            cardLink: result.linkToken.map { "/api/v1/loyalty/cards/\($0)" }
        ).encodeResponse(status: .created, for: req)
    }
}

extension Request {
    var cardLifecycle: CardLifecycleService {
        var service = CardLifecycleService(database: db, writeGate: application.writeGate, now: application.clock)
        if let wallets = application.walletUpdates { service.afterCommit = { wallets.cardsChanged($0) } }
        return service
    }
}
