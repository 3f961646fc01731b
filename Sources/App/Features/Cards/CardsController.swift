import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Cards at the counter: enroll, look up, list, show, and the owner's manual adjustment.
struct CardsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let cards = routes.grouped("cards")
        cards.post("enroll", use: enroll)
        cards.post("lookup", use: lookup)
        cards.get(use: list)
        cards.get(":card_id", use: show)
        cards.grouped(StaffRoleMiddleware([.merchantOwner])).post(":card_id", "points", "adjust", use: adjustPoints)
    }

    @Sendable
    func enroll(req: Request) async throws -> Response {
        let target = try req.content.decode(EnrollRequest.self).validated()
        return try await req.cards.enroll(target, store: req.store, byStaff: true).1.encodeResponse(status: .created, for: req)
    }

    @Sendable
    func lookup(req: Request) async throws -> CardResponse {
        let reference = try req.content.decode(CardLookupRequest.self).validated()
        return try await req.cards.response(for: try await req.cards.card(reference, merchantID: req.store.merchantID))
    }

    @Sendable
    func list(req: Request) async throws -> Page<CardResponse> {
        let page = try PageRequest(from: req)
        let search = try req.query.decode(CardSearchQuery.self)
        return try await req.cards.cards(merchantID: req.store.merchantID, matching: try FieldErrors.queryText(search.q, "q"), page: page)
    }

    @Sendable
    func show(req: Request) async throws -> CardResponse {
        try await req.cards.response(for: try await req.cards.card(.id(try Self.cardID(req)), merchantID: req.store.merchantID))
    }

    @Sendable
    func adjustPoints(req: Request) async throws -> Response {
        let cardID = try Self.cardID(req)
        let input = try req.content.decode(AdjustPointsRequest.self)
        let (delta, reason) = try input.validated()
        // An authenticated owner acts here, not a cashier: no staff PIN is asked.
        let operatorContext = OperatorContext(request: req)
        let result = try await req.points.adjust(
            card: .id(cardID), delta: delta, reason: reason, store: req.store, by: operatorContext,
            idempotency: try req.idempotency(operation: "points.adjust:\(cardID)", content: input))
        return try await result.encodeResponse(for: req)
    }

    static func cardID(_ req: Request) throws -> UUID {
        try req.parameters.uuid("card_id")
    }
}
