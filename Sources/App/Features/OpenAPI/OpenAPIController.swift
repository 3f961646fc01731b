import Fluent
import Foundation
import Vapor

/// Serves the OpenAPI description of the API at `/openapi.json`.
///
/// The document is written by hand in `Resources/openapi.json`; `OpenAPIRouteTests` fails when
/// it and the registered routes disagree, so it cannot drift.
struct OpenAPIController: RouteCollection {
    let document: ByteBuffer

    init() throws {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw ConfigError("openapi.json is missing from the App bundle")
        }
        document = ByteBuffer(bytes: Array(try Data(contentsOf: url)))
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("openapi.json", use: serve)
    }

    @Sendable
    func serve(req: Request) async throws -> Response {
        Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(buffer: document))
    }
}
