import Fluent
import Foundation
import Vapor

/// `/api/v1/store/loyalty/stats` (this store) and `/stats/merchant` (all stores).
struct StatsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("stats", use: store)
        routes.get("stats", "merchant", use: merchant)
    }

    @Sendable
    func store(req: Request) async throws -> StatsResponse {
        try await req.stats.stats(for: req.store, merchantWide: false)
    }

    @Sendable
    func merchant(req: Request) async throws -> StatsResponse {
        try await req.stats.stats(for: req.store, merchantWide: true)
    }
}
