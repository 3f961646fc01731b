import ApplePasses
import Fluent
import Foundation
import Logging
import LoyaltyCore
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

@testable import App

/// The access log never carries the credentials that travel in paths (issue #8): private-link
/// tokens, pass serials, the `ApplePass` token and device library identifiers.
@Suite struct RequestLogTests {
    @Test func credentialsInPathsAndQueriesNeverReachTheLog() async throws {
        try await withAppleWalletApp { app in
            let lines = app.captureRequestLogs()
            let merchant = try await app.makeMerchant()
            let store = try await app.makeStore(of: merchant, code: "LOG-1")
            let program = try await app.makeProgram(
                for: merchant,
                rules: ProgramRules(
                    loyaltyType: .stamps, stampsTarget: 10, stampsRewardDescription: "Coffee", cooldownMinutes: 0, maxDailyStamps: 100))
            let card = try await app.makeCard(for: try await app.makeCustomer(of: merchant), program: program, store: store)
            let device = "device-\(UUID().uuidString.lowercased())"
            let passType = app.appleWallet!.signer.passTypeIdentifier

            let enrolled = try await app.send(.POST, "/api/v1/loyalty/enroll/LOG-1", json: ["name": "Ada"])
            #expect(enrolled.status == .created)
            let link = try #require(try enrolled.json["card_link"]?.string)
            let linkToken = String(link.split(separator: "/").last!)
            #expect(try await app.send(.GET, link).status == .ok)
            #expect(try await app.send(.GET, link + "/unknown/suffix").status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/loyalty/passes/apple/\(card.appleAuthToken).pkpass").status == .ok)
            try await app.registerPass(of: card, device: device, pushToken: "0f1e2d3c4b5a6978")
            #expect(try await app.send(.GET, "/api/v1/loyalty/apple/v1/devices/\(device)/registrations/\(passType)").status == .ok)
            _ = try await app.send(
                .GET, "/api/v1/loyalty/apple/v1/passes/\(passType)/\(card.appleSerialNumber)", headers: app.applePassHeaders(card))
            #expect(try await app.send(.GET, "/api/v1/nowhere/\(linkToken)?token=\(linkToken)").status == .notFound)

            let log = lines.withLockedValue { $0.joined(separator: "\n") }
            #expect(log.contains("GET /api/v1/loyalty/cards/:link_token 200"))
            #expect(log.contains("GET /api/v1/loyalty/passes/apple/:pass_file 200"))
            #expect(log.contains("/api/v1/loyalty/apple/v1/devices/:device_library_id/registrations/:pass_type_id/:serial_number"))
            #expect(log.contains("GET /api/v1/loyalty/cards/*/*/* 404"))
            for secret in [linkToken, card.appleSerialNumber, card.appleAuthToken, device] {
                #expect(!log.contains(secret), "the log carries \(secret)")
            }
        }
    }

    @Test func unmatchedPathsKeepOnlyTheWordsOfRoutes() async throws {
        try await withTestApp { app, _ in
            let paths = try #require(app.loggedPaths)
            #expect(paths.redacted("/api/v1/loyalty/cards/abc123/x") == "/api/v1/loyalty/cards/*/*")
            #expect(paths.redacted("/") == "/")
            #expect(paths.redacted("/favicon.ico") == "/*")
        }
    }
}

extension Application {
    /// Sends every request's log lines to the returned list as well (message and metadata).
    func captureRequestLogs() -> NIOLockedValueBox<[String]> {
        let lines = NIOLockedValueBox<[String]>([])
        middleware.use(CaptureLogsMiddleware(lines: lines), at: .beginning)
        return lines
    }
}

/// Gives each request a logger that records into `lines`.
private struct CaptureLogsMiddleware: AsyncMiddleware {
    let lines: NIOLockedValueBox<[String]>

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let metadata = request.logger.handler.metadata
        var logger = Logger(label: "test.request") { _ in RecordingLogHandler(lines: lines) }
        for (key, value) in metadata { logger[metadataKey: key] = value }
        request.logger = logger
        return try await next.respond(to: request)
    }
}

private struct RecordingLogHandler: LogHandler {
    let lines: NIOLockedValueBox<[String]>
    var metadata: Logger.Metadata = [:]
    // Info and above, as production logs: debug and trace carry Fluent's and SQL's query
    // values and are for a developer's machine (decision 0017).
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:]) { _, new in new }.map { "\($0)=\($1)" }.sorted()
        lines.withLockedValue { $0.append("\(event.message) \(fields.joined(separator: " "))") }
    }
}
