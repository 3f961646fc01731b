import Fluent
import Foundation
import NIOCore
import LoyaltyCore
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct ErrorResponseTests {
    /// `{"error": {"code", "message", "details"}}` and nothing else.
    func expectErrorShape(_ response: TestingHTTPResponse, code: String) throws {
        let body = try response.json
        guard case .object(let top) = body else {
            Issue.record("not an object")
            return
        }
        #expect(Set(top.keys) == ["error"])
        #expect(body["error"]?["code"]?.string == code)
        #expect(body["error"]?["message"]?.string?.isEmpty == false)
        if case .object = body["error"]?["details"] {} else { Issue.record("details is not an object") }
        #expect(response.headers.contentType == .json)
    }

    /// A handler cancelled because its client hung up is a 499 in the log, not an internal error.
    @Test func aHandlerCancelledByItsClientIsA499NotAnInternalError() async throws {
        try await withTestApp { app, _ in
            app.get("test-cancelled") { _ -> String in throw CancellationError() }
            let response = try await app.send(.GET, "/test-cancelled")
            #expect(response.status.code == 499)
            try expectErrorShape(response, code: "client_closed_request")
        }
    }

    @Test func unknownRoutesAreNotFound() async throws {
        try await withTestApp { app, _ in
            let response = try await app.send(.GET, "/api/v1/nothing-here")
            #expect(response.status == .notFound)
            try expectErrorShape(response, code: "not_found")
        }
    }

    @Test func anotherMethodOnAKnownPathIsNotAllowed() async throws {
        try await withTestApp { app, _ in
            let response = try await app.send(.PUT, "/api/v1/store/loyalty/program")
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers.first(name: "Allow") == "DELETE, GET, PATCH, POST")
            try expectErrorShape(response, code: "method_not_allowed")
            let parameterized = try await app.send(.DELETE, "/api/v1/store/loyalty/cards/\(UUID())")
            #expect(parameterized.headers.first(name: "Allow") == "GET")
        }
    }

    @Test func malformedJSONIsABadRequest() async throws {
        try await withTestApp { app, _ in
            let response = try await app.send(.POST, "/api/v1/auth/login", body: "{\"email\": ")
            #expect(response.status == .badRequest)
            try expectErrorShape(response, code: "validation_failed")
            #expect(try response.json["error"]?["details"]?["fields"]?["body"]?.string == "is not valid JSON")
        }
    }

    @Test func aJSONArrayWhereAnObjectBelongsIsABadRequest() async throws {
        try await withTestApp { app, _ in
            let response = try await app.send(.POST, "/api/v1/auth/login", body: "[1, 2]")
            #expect(response.status == .badRequest)
            try expectErrorShape(response, code: "validation_failed")
        }
    }

    @Test func oversizeBodiesAreRefused() async throws {
        try await withTestApp(adjust: { $0.maxBodyBytes = 1_024 }) { app, _ in
            // The body limit applies while a real server streams the body in, so use a socket.
            let padding = String(repeating: "x", count: 4_000)
            let response = try await app.testing(method: .running(hostname: "127.0.0.1", port: 0))
                .sendRequest(.POST, "/api/v1/auth/login", headers: ["Content-Type": "application/json"],
                    body: ByteBuffer(string: "{\"email\": \"\(padding)\"}"))
            #expect(response.status == .payloadTooLarge)
            try expectErrorShape(response, code: "payload_too_large")
        }
    }

    @Test func otherContentTypesAreRefused() async throws {
        try await withTestApp { app, _ in
            let response = try await app.send(
                .POST, "/api/v1/auth/login", headers: ["Content-Type": "text/csv"], body: "email,password")
            #expect(response.status == .unsupportedMediaType)
            try expectErrorShape(response, code: "unsupported_media_type")
        }
    }

    @Test func internalErrorsLeakNoSQL() async throws {
        try await withTestApp { app, _ in
            app.get("explode") { req -> String in
                try await req.db.sql.raw("SELECT secret_column FROM missing_table").run()
                return "unreachable"
            }
            let response = try await app.send(.GET, "/explode", headers: ["X-Request-Id": "req-42"])
            #expect(response.status == .internalServerError)
            try expectErrorShape(response, code: "internal_error")
            let text = String(buffer: response.body).lowercased()
            for leak in ["missing_table", "secret_column", "select", "sqlite", "postgres", "fluent"] {
                #expect(!text.contains(leak), "response mentions \(leak)")
            }
            #expect(text.contains("req-42"))
        }
    }

    @Test func everyResponseCarriesItsRequestID() async throws {
        try await withTestApp { app, _ in
            let echoed = try await app.send(.GET, "/health/live", headers: ["X-Request-Id": "abc-123"])
            #expect(echoed.headers.first(name: "X-Request-Id") == "abc-123")
            let fresh = try await app.send(.GET, "/nowhere")
            #expect(fresh.headers.first(name: "X-Request-Id")?.isEmpty == false)
        }
    }
}

@Suite struct HealthTests {
    @Test func liveAndReadyAnswer() async throws {
        try await withTestApp { app, _ in
            let live = try await app.send(.GET, "/health/live")
            #expect(live.status == .ok)
            #expect(try live.json == ["status": "ok"])
            let ready = try await app.send(.GET, "/health/ready")
            #expect(ready.status == .ok)
            #expect(try ready.json["database"]?.string == "ok")
        }
    }

    @Test func readyReportsAnUnreachableDatabase() async throws {
        struct Unreachable: Error {}
        try await withTestApp { app, _ in
            let failing = HealthController(checkDependencies: { _ in throw Unreachable() })
            try app.grouped("failing").register(collection: failing)
            let ready = try await app.send(.GET, "/failing/health/ready")
            #expect(ready.status == .serviceUnavailable)
            #expect(try ready.json["status"]?.string == "unavailable")
        }
    }
}
