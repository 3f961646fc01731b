import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/api/v1/store/loyalty/stamp`: add, redeem, void.
struct StampsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let stamp = routes.grouped("stamp")
        stamp.post(use: addStamp)
        stamp.post("redeem", use: redeem)
        stamp.post("void", use: void)
    }

    @Sendable
    func addStamp(req: Request) async throws -> Response {
        let input = try req.content.decode(StampRequest.self)
        let (reference, notes) = try input.validated()
        let result = try await req.stamps.addStamp(
            card: reference, notes: notes, store: req.store, by: input.operatorContext(for: req),
            idempotency: try req.idempotency(operation: "stamp", content: input))
        return try await result.encodeResponse(for: req)
    }

    @Sendable
    func redeem(req: Request) async throws -> Response {
        let input = try req.content.decode(StampRequest.self)
        let (reference, notes) = try input.validated()
        let result = try await req.stamps.redeemStamps(
            card: reference, notes: notes, store: req.store, by: input.operatorContext(for: req),
            idempotency: try req.idempotency(operation: "stamp.redeem", content: input))
        return try await result.encodeResponse(for: req)
    }

    @Sendable
    func void(req: Request) async throws -> Response {
        try await VoidRequest.handle(req, family: .stampVoided)
    }
}
