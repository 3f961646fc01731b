import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Staff PINs, mounted three times: a store's (`/store/loyalty/pins`, managers and owners),
/// a merchant's across stores (`/merchants/loyalty/pins`, owners) and, read-only, any
/// merchant's for the platform admin. Who may call it is decided where it is mounted.
struct StaffPinsController: RouteCollection {
    /// Which PINs the request may see and change.
    let scope: @Sendable (Request) async throws -> PinScope
    /// Whether this mount may create, change, delete and unlock.
    let isWritable: Bool

    func boot(routes: any RoutesBuilder) throws {
        let pins = routes.grouped("pins")
        pins.get(use: list)
        guard isWritable else { return }
        pins.post(use: create)
        pins.patch(":pin_id", use: update)
        pins.delete(":pin_id", use: delete)
        pins.post(":pin_id", "unlock", use: unlock)
    }

    @Sendable
    func list(req: Request) async throws -> [PinResponse] {
        var scope = try await scope(req)
        if scope.storeID == nil {
            scope.storeID = try await MerchantLoyaltyController.storeFilter(req, merchantID: scope.merchantID)
        }
        return try await req.staffPins.pins(in: scope)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let scope = try await scope(req)
        let input = try req.content.decode(CreatePinRequest.self).validated()
        // A store mount creates in its store; a merchant mount names the store in the body.
        guard let storeID = scope.storeID ?? input.storeID else {
            throw APIError.validationFailed(["store_id": "is required: name the store the PIN works in"])
        }
        guard let store = try await StoreModel.query(on: req.db).filter(\.$id == storeID).filter(\.$merchant.$id == scope.merchantID).first()
        else { throw APIError.notFound("The store") }
        return try await req.staffPins.create(name: input.name, pin: input.pin, userID: input.userID, store: try StoreContext(store))
            .encodeResponse(status: .created, for: req)
    }

    @Sendable
    func update(req: Request) async throws -> PinResponse {
        let change = try req.content.decode(UpdatePinRequest.self).validated()
        return try await req.staffPins.update(try Self.pinID(req), with: change, in: try await scope(req))
    }

    @Sendable
    func delete(req: Request) async throws -> HTTPStatus {
        try await req.staffPins.delete(try Self.pinID(req), in: try await scope(req))
        return .noContent
    }

    @Sendable
    func unlock(req: Request) async throws -> PinResponse {
        try await req.staffPins.unlock(try Self.pinID(req), in: try await scope(req))
    }

    static func pinID(_ req: Request) throws -> UUID {
        try req.parameters.uuid("pin_id")
    }
}
