import Fluent
import Foundation
import GoogleWallet
import Vapor

/// The platform admin's Google Wallet debugging: `/api/v1/admin/loyalty/debug/google` and the
/// object of one card. Google tells the holder nothing when an update fails, so these show what
/// the platform sent and what Google answered.
struct GoogleWalletDebugController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let debug = routes.grouped("debug")
        debug.get("google", use: diagnostics)
        debug.get("cards", ":card_id", "google-object", use: cardObject)
    }

    @Sendable
    func diagnostics(req: Request) async throws -> GoogleWalletDiagnosticsResponse {
        let status = try await GoogleWalletStatus.load(req.application, on: req.db)
        guard let issuer = req.application.googleWallet else {
            return GoogleWalletDiagnosticsResponse(
                status: status, tokenUri: nil,
                checks: [.init(name: "Google Wallet is configured", ok: false, detail: "set LOYALTY_GOOGLE_ISSUER_ID and LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON")])
        }
        var checks: [GoogleWalletDiagnosticsResponse.Check] = [
            .init(name: "Service account key loads", ok: true, detail: issuer.serviceAccountEmail)
        ]
        do throws(GoogleWalletError) {
            try await issuer.client.checkToken()
            checks.append(.init(name: "OAuth token", ok: true, detail: "\(issuer.tokenURI) issued a token"))
        } catch {
            checks.append(.init(name: "OAuth token", ok: false, detail: error.description))
        }
        let logo = issuer.design.fallbackLogoURL
        checks.append(
            .init(
                name: "Fallback logo", ok: logo != nil,
                detail: logo ?? "LOYALTY_PUBLIC_BASE_URL is not https: programs without a logo_url get no class"))
        return GoogleWalletDiagnosticsResponse(status: status, tokenUri: issuer.tokenURI, checks: checks)
    }

    @Sendable
    func cardObject(req: Request) async throws -> GoogleObjectDebugResponse {
        try await Self.cardObject(try req.parameters.uuid("card_id"), req: req)
    }

    /// The card's object as Google holds it and as it would be sent now; also read by the
    /// admin's wallet page.
    static func cardObject(_ cardID: UUID, req: Request) async throws -> GoogleObjectDebugResponse {
        guard let issuer = req.application.googleWallet else { throw GoogleWalletDebugController.unavailable }
        guard let card = try await CardModel.find(cardID, on: req.db),
            let source = try await WalletCardSources.load([card], withRewards: true, on: req.db)[try card.requireID()]
        else { throw APIError.notFound("The card") }
        let current = issuer.design.loyaltyObject(GoogleWalletSync.cardFacts(source), program: GoogleWalletSync.programFacts(source))
        let row = try await GoogleWalletObjectModel.query(on: req.db).filter(\.$card.$id == card.requireID()).first()
        let lastSent = try row?.sentBody.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        return GoogleObjectDebugResponse(
            cardId: try card.requireID(), objectId: current.id, classId: current.classId,
            inSync: row?.sentHash == (try GoogleWalletSync.hash(current)), syncedAt: row?.syncedAt, attemptedAt: row?.attemptedAt,
            failures: row?.failures ?? 0, lastError: row?.lastError, noticesSent: row?.noticesSent ?? 0,
            noticeWindowStart: row?.noticeWindowStart, lastSent: lastSent,
            current: try JSONDecoder().decode(JSONValue.self, from: JSONEncoder.googleWallet.encode(current)),
            saveUrl: try await GoogleSaveLink.url(for: card, on: req.application, database: req.db))
    }

    static let unavailable = APIError(
        .serviceUnavailable, code: "google_wallet_unavailable",
        message: "Google Wallet is not set up on this platform (LOYALTY_GOOGLE_* settings).")
}
