import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/api/v1/store/loyalty/points`: earn (also plain `POST /points`), redeem, void.
struct PointsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let points = routes.grouped("points")
        points.post(use: earn)
        points.post("earn", use: earn)
        points.post("redeem", use: redeem)
        points.post("void", use: void)
    }

    @Sendable
    func earn(req: Request) async throws -> Response {
        let input = try req.content.decode(EarnPointsRequest.self)
        let checked = try input.validated()
        let result = try await req.points.earn(
            card: checked.card, purchaseCents: checked.cents, orderReference: checked.orderReference, notes: checked.notes,
            store: req.store, by: input.operatorContext(for: req),
            idempotency: try req.idempotency(operation: "points.earn", content: input))
        return try await result.encodeResponse(for: req)
    }

    @Sendable
    func redeem(req: Request) async throws -> Response {
        let input = try req.content.decode(RedeemPointsRequest.self)
        let checked = try input.validated()
        let result = try await req.points.redeem(
            card: checked.card, rewardID: checked.rewardID, notes: checked.notes, store: req.store,
            by: input.operatorContext(for: req), idempotency: try req.idempotency(operation: "points.redeem", content: input))
        return try await result.encodeResponse(for: req)
    }

    @Sendable
    func void(req: Request) async throws -> Response {
        try await VoidRequest.handle(req, family: .pointsVoided)
    }
}
