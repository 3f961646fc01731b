import Foundation
import LoyaltyCore
import RoutingKit
import Testing
import Vapor
import VaporTesting

@testable import App

/// The served OpenAPI document and the routes the app registers must name the same
/// operations: no undocumented route, no documented route that does not exist.
@Suite struct OpenAPIRouteTests {
    static let methods = ["get", "post", "put", "patch", "delete"]

    @Test func documentAndRoutesAgree() async throws {
        try await withTestApp { app, _ in
            let response = try await app.send(.GET, "/openapi.json")
            #expect(response.status == .ok)
            let document = try response.json
            #expect(document["openapi"]?.string?.hasPrefix("3.") == true)

            var documented = Set<String>()
            if case .object(let paths) = document["paths"] {
                for (path, item) in paths {
                    for method in Self.methods where item[method] != nil {
                        documented.insert("\(method.uppercased()) \(path)")
                    }
                }
            }

            let registered = Set(
                app.routes.all.filter(\.isAPI).map { route in
                    "\(route.method.rawValue) /" + route.path.map(Self.openAPISegment).joined(separator: "/")
                })

            #expect(registered.subtracting(documented).sorted() == [], "routes missing from openapi.json")
            #expect(documented.subtracting(registered).sorted() == [], "documented operations with no route")
            #expect(registered.count >= 26)
        }
    }

    /// `:merchant_id` → `{merchant_id}`, as OpenAPI writes path parameters.
    static func openAPISegment(_ component: PathComponent) -> String {
        switch component {
        case .constant(let text): text
        case .parameter(let name): "{\(name)}"
        case .anything: "*"
        case .catchall: "**"
        }
    }
}
