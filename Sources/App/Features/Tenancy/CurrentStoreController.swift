import Fluent
import Foundation
import Vapor

/// The acting store itself: `GET /api/v1/store/current`, what a terminal shows in its header.
struct CurrentStoreController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("current", use: show)
    }

    @Sendable
    func show(req: Request) async throws -> StoreResponse {
        guard let store = try await StoreModel.find(req.store.storeID, on: req.db) else { throw APIError.notFound("The store") }
        return try StoreResponse(store)
    }
}
