import ApplePasses
import Fluent
import Foundation
import SQLKit
import Vapor

/// The platform admin's Apple Wallet debugging: `/api/v1/admin/loyalty/debug/...`. Wallet
/// reports almost nothing to its user, so these show what the server sends and hears.
struct AppleWalletDebugController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let debug = routes.grouped("debug")
        debug.get("apple", use: diagnostics)
        debug.get("apple", "log", use: walletLog)
        debug.get("cards", ":card_id", "apple-pass", use: cardPass)
    }

    @Sendable
    func diagnostics(req: Request) async throws -> AppleWalletDiagnosticsResponse {
        let now = req.application.clock()
        let devices = try await Self.distinctCount("device_library_identifier", on: req.db)
        let passes = try await Self.distinctCount("card_id", on: req.db)
        let logEntries = try await AppleWalletLogModel.query(on: req.db).filter(\.$receivedAt >= now.addingTimeInterval(-86_400)).count()
        guard let issuer = req.application.appleWallet else {
            return AppleWalletDiagnosticsResponse(
                configured: false, passTypeId: nil, teamId: nil, webServiceUrl: nil, signerCertificate: nil, wwdrCertificate: nil,
                checks: [
                    .init(
                        name: "Apple Wallet is configured", ok: false,
                        detail: "set LOYALTY_APPLE_PASS_TYPE_ID, _TEAM_ID, _WWDR_CERT_PATH, _SIGNER_CERT_PATH and _SIGNER_KEY_PATH")
                ],
                registeredDevices: devices, registeredPasses: passes, walletLogEntriesLastDay: logEntries)
        }
        return AppleWalletDiagnosticsResponse(
            configured: true, passTypeId: issuer.signer.passTypeIdentifier, teamId: issuer.signer.teamIdentifier,
            webServiceUrl: issuer.webServiceURL, signerCertificate: .init(issuer.signer.certificate, now: now),
            wwdrCertificate: .init(issuer.signer.intermediate, now: now),
            checks: AppleWalletDiagnosticsResponse.checks(of: issuer, publicBaseURL: req.application.config.publicBaseURL, now: now),
            registeredDevices: devices, registeredPasses: passes, walletLogEntriesLastDay: logEntries)
    }

    /// `COUNT(DISTINCT column)` of the registrations, counted by the database, not in memory.
    private static func distinctCount(_ column: String, on database: any Database) async throws -> Int {
        let row = try await database.sql.select()
            .column(SQLFunction("COUNT", args: SQLDistinct(SQLIdentifier(column))), as: "count")
            .from(AppleDeviceRegistrationModel.schema)
            .first()
        return try row?.decode(column: "count", as: Int.self) ?? 0
    }

    @Sendable
    func walletLog(req: Request) async throws -> Page<AppleWalletLogResponse> {
        try await AppleWalletLogModel.query(on: req.db).sort(\.$receivedAt, .descending).sort(\.$id)
            .page(try PageRequest(from: req)) {
                AppleWalletLogResponse(message: $0.message, clientAddress: $0.clientAddress, receivedAt: $0.receivedAt)
            }
    }

    @Sendable
    func cardPass(req: Request) async throws -> ApplePassDebugResponse {
        try await Self.cardPass(try req.parameters.uuid("card_id"), req: req)
    }

    /// The card's pass as its holder gets it; also read by the admin's wallet page.
    static func cardPass(_ cardID: UUID, req: Request) async throws -> ApplePassDebugResponse {
        let service = try req.applePasses()
        guard let card = try await CardModel.find(cardID, on: req.db) else {
            throw APIError.notFound("The card")
        }
        let pass = try await service.pass(of: card)
        var passJSON = service.design.pass(pass.facts)
        let redacted = String(card.appleAuthToken.prefix(4)) + "…"
        passJSON.authenticationToken = passJSON.authenticationToken.map { _ in redacted }
        let devices = try await AppleDeviceRegistrationModel.query(on: req.db).filter(\.$card.$id == pass.cardID)
            .sort(\.$createdAt).all()
        let lastModified = service.issuer.updateClock.lastModified(of: pass.modified, now: req.application.clock())
        return ApplePassDebugResponse(
            cardId: pass.cardID, merchantId: pass.merchantID, serialNumber: pass.facts.identity.serialNumber,
            // The download link carries the token, the pass's credential: shown redacted too.
            passUrl: ApplePassDownloadController.url(for: card, on: req.application)?
                .replacingOccurrences(of: card.appleAuthToken, with: redacted),
            modifiedAt: pass.modified,
            lastModified: HTTPDate.format(lastModified),
            passJson: try JSONDecoder().decode(JSONValue.self, from: try passJSON.encoded()),
            devices: devices.map {
                .init(
                    deviceLibraryIdentifier: $0.deviceLibraryIdentifier, pushTokenPrefix: String($0.pushToken.prefix(8)),
                    registeredAt: $0.createdAt, updatedAt: $0.updatedAt, pushedThrough: $0.pushedThrough)
            })
    }
}
