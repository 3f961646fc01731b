import Fluent
import Foundation
import Vapor

/// Google's side of the wallet status: configured, and how far the objects are from the cards.
struct GoogleWalletStatus: Content {
    let configured: Bool
    @NullEncoded var issuerId: String?
    let serviceAccountFileReadable: Bool
    @NullEncoded var serviceAccountEmail: String?
    @NullEncoded var apiBaseUrl: String?
    /// Objects Google accepted at their last attempt.
    let objectsSynced: Int
    /// Objects Google never accepted, or whose last attempt failed: the next sync sends them.
    let objectsOwed: Int
    let classesSynced: Int
    @NullEncoded var lastSyncAt: Date?
    /// The newest failure still standing (an object or a class).
    @NullEncoded var lastError: String?
    @NullEncoded var lastErrorAt: Date?

    static func load(_ application: Application, on db: any Database) async throws -> GoogleWalletStatus {
        let wallet = application.config.wallet
        let readable = wallet.googleServiceAccountJSONPath.map { FileManager.default.isReadableFile(atPath: $0) } ?? false
        guard let issuer = application.googleWallet else {
            return GoogleWalletStatus(
                configured: false, issuerId: wallet.googleIssuerID, serviceAccountFileReadable: readable, serviceAccountEmail: nil,
                apiBaseUrl: nil, objectsSynced: 0, objectsOwed: 0, classesSynced: 0, lastSyncAt: nil, lastError: nil, lastErrorAt: nil)
        }
        func objects() -> QueryBuilder<GoogleWalletObjectModel> { GoogleWalletObjectModel.query(on: db) }
        let syncedCount = try await objects().filter(\.$sentHash != nil).filter(\.$failures == 0).count()
        let total = try await objects().count()
        let classes = try await GoogleWalletClassModel.query(on: db).filter(\.$sentHash != nil).filter(\.$failures == 0).count()
        let lastSync = try await objects().max(\.$syncedAt)
        let failingObject = try await objects().filter(\.$failures > 0).sort(\.$attemptedAt, .descending).first()
        let failingClass = try await GoogleWalletClassModel.query(on: db).filter(\.$failures > 0).sort(\.$attemptedAt, .descending).first()
        let failures: [(String?, Date?)] = [
            failingObject.map { ($0.lastError, $0.attemptedAt) }, failingClass.map { ($0.lastError, $0.attemptedAt) },
        ].compactMap { $0 }
        let newest = failures.max { ($0.1 ?? .distantPast) < ($1.1 ?? .distantPast) }
        return GoogleWalletStatus(
            configured: true, issuerId: issuer.issuerID, serviceAccountFileReadable: readable,
            serviceAccountEmail: issuer.serviceAccountEmail, apiBaseUrl: issuer.apiBaseURL, objectsSynced: syncedCount,
            objectsOwed: total - syncedCount, classesSynced: classes, lastSyncAt: lastSync ?? nil,
            lastError: newest?.0, lastErrorAt: newest?.1)
    }
}

/// `GET /admin/loyalty/debug/google`: the settings, a live token check, and the sync counts.
struct GoogleWalletDiagnosticsResponse: Content {
    /// The same shape as Apple's diagnostics: one thing checked, and what to do when it fails.
    typealias Check = AppleWalletDiagnosticsResponse.Check

    let status: GoogleWalletStatus
    @NullEncoded var tokenUri: String?
    let checks: [Check]
}

/// `GET /admin/loyalty/debug/cards/{card_id}/google-object`: the card's object as Google last
/// accepted it and as it would be sent now.
struct GoogleObjectDebugResponse: Content {
    let cardId: UUID
    let objectId: String
    let classId: String
    /// Whether Google holds the object as the card is now.
    let inSync: Bool
    @NullEncoded var syncedAt: Date?
    @NullEncoded var attemptedAt: Date?
    let failures: Int
    @NullEncoded var lastError: String?
    let noticesSent: Int
    @NullEncoded var noticeWindowStart: Date?
    @NullEncoded var lastSent: JSONValue?
    let current: JSONValue
    @NullEncoded var saveUrl: String?
}
