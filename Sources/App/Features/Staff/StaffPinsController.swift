import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/api/v1/store/loyalty/pins`: the current store's staff PINs, for managers and owners.
struct StaffPinsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let pins = routes.grouped("pins").grouped(StaffRoleMiddleware([.merchantOwner, .storeManager]))
        pins.get(use: list)
        pins.post(use: create)
        pins.patch(":pin_id", use: update)
        pins.delete(":pin_id", use: delete)
        pins.post(":pin_id", "unlock", use: unlock)
    }

    @Sendable
    func list(req: Request) async throws -> [PinResponse] {
        try await req.staffPins.pins(of: req.store)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let input = try req.content.decode(CreatePinRequest.self).validated()
        return try await req.staffPins.create(name: input.name, pin: input.pin, userID: input.userID, store: req.store)
            .encodeResponse(status: .created, for: req)
    }

    @Sendable
    func update(req: Request) async throws -> PinResponse {
        let change = try req.content.decode(UpdatePinRequest.self).validated()
        return try await req.staffPins.update(try Self.pinID(req), with: change, store: req.store)
    }

    @Sendable
    func delete(req: Request) async throws -> HTTPStatus {
        try await req.staffPins.delete(try Self.pinID(req), store: req.store)
        return .noContent
    }

    @Sendable
    func unlock(req: Request) async throws -> PinResponse {
        try await req.staffPins.unlock(try Self.pinID(req), store: req.store)
    }

    static func pinID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("pin_id", as: UUID.self) else { throw APIError.notFound("The staff PIN") }
        return id
    }
}
