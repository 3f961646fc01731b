import Fluent
import Foundation
import LoyaltyCore
import NIOFoundationCompat
import Vapor

/// `/api/v1/store/loyalty/program`: every store role reads it; owners and managers change it.
struct ProgramsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("program", use: show)
        let managers = routes.grouped(StaffRoleMiddleware([.merchantOwner, .storeManager]))
        managers.post("program", use: create)
        managers.patch("program", use: update)
        managers.delete("program", use: delete)
    }

    @Sendable
    func show(req: Request) async throws -> ProgramResponse {
        let program = try await req.programs.activeProgram(merchantID: req.store.merchantID)
        return try await req.programs.response(for: program)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let input = try req.content.decode(ProgramRequest.self)
        let program = try await req.programs.create(input, presentKeys: try Self.presentKeys(of: req), merchantID: req.store.merchantID)
        return try await program.encodeResponse(status: .created, for: req)
    }

    @Sendable
    func update(req: Request) async throws -> ProgramResponse {
        let input = try req.content.decode(ProgramRequest.self)
        return try await req.programs.update(input, presentKeys: try Self.presentKeys(of: req), merchantID: req.store.merchantID)
    }

    @Sendable
    func delete(req: Request) async throws -> HTTPStatus {
        try await req.programs.deactivate(merchantID: req.store.merchantID)
        return .noContent
    }

    /// The top-level keys the body names, so PATCH can tell `"logo_url": null` (clear it) from
    /// an absent key (keep it).
    static func presentKeys(of req: Request) throws -> Set<String> {
        guard let body = req.body.data else { return [] }
        let object = try JSONDecoder().decode([String: JSONValue].self, from: Data(buffer: body))
        return Set(object.keys)
    }
}
