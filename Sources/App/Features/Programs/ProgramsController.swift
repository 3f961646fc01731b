import Fluent
import Foundation
import LoyaltyCore
import NIOFoundationCompat
import Vapor

/// A merchant's program: `/api/v1/store/loyalty/program` (the acting store's merchant) and
/// `/api/v1/merchants/loyalty/program` (the owner's). Reading needs `loyalty.view_programs`
/// and `loyalty.view_rewards`; changing needs `loyalty.manage_programs` and
/// `loyalty.manage_rewards` (the catalog is part of the program).
struct ProgramsController: RouteCollection {
    /// Whose program the request is about.
    let merchantID: @Sendable (Request) async throws -> UUID

    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(PermissionMiddleware([.viewPrograms, .viewRewards])).get("program", use: show)
        let managers = routes.grouped(PermissionMiddleware([.managePrograms, .manageRewards]))
        managers.post("program", use: create)
        managers.patch("program", use: update)
        managers.delete("program", use: delete)
    }

    @Sendable
    func show(req: Request) async throws -> ProgramResponse {
        let program = try await req.programs.activeProgram(merchantID: try await merchantID(req))
        return try await req.programs.response(for: program)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let merchantID = try await merchantID(req)
        let input = try req.content.decode(ProgramRequest.self)
        let program = try await req.programs.create(input, presentKeys: try Self.presentKeys(of: req), merchantID: merchantID)
        return try await program.encodeResponse(status: .created, for: req)
    }

    @Sendable
    func update(req: Request) async throws -> ProgramResponse {
        let merchantID = try await merchantID(req)
        let input = try req.content.decode(ProgramRequest.self)
        return try await req.programs.update(input, presentKeys: try Self.presentKeys(of: req), merchantID: merchantID)
    }

    @Sendable
    func delete(req: Request) async throws -> HTTPStatus {
        try await req.programs.deactivate(merchantID: try await merchantID(req))
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
