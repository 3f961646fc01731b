import Fluent
import Foundation
import SQLKit
import Vapor

/// Probes for a process supervisor or load balancer.
///
/// `/health/live`: the process answers (restart it if not). `/health/ready`: it can also reach
/// its database (send it traffic only if so).
struct HealthController: RouteCollection {
    struct Status: Content {
        let status: String
        var database: String?
    }

    /// What "ready" means: by default, the database answers a trivial query.
    var checkDependencies: @Sendable (Request) async throws -> Void = { req in
        try await req.db.sql.raw("SELECT 1").run()
    }

    func boot(routes: any RoutesBuilder) throws {
        let health = routes.grouped("health")
        health.get("live", use: live)
        health.get("ready", use: ready)
    }

    @Sendable
    func live(req: Request) async throws -> Status {
        Status(status: "ok")
    }

    @Sendable
    func ready(req: Request) async throws -> Response {
        do {
            try await checkDependencies(req)
            return try await Status(status: "ok", database: "ok").encodeResponse(for: req)
        } catch {
            req.logger.error("readiness check failed", metadata: ["error": "\(String(reflecting: error))"])
            return try await Status(status: "unavailable", database: "unreachable")
                .encodeResponse(status: .serviceUnavailable, for: req)
        }
    }
}
