import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/admin/wallets`: Apple and Google Wallet status and diagnostics, Wallet's own log, and a
/// card lookup showing the card's Apple pass and Google object. The same handlers as the
/// API's `/admin/loyalty/wallet-status` and `/debug/...` produce what is shown.
struct AdminWalletsPage: RouteCollection {
    static let logEntries = 20

    func boot(routes: any RoutesBuilder) throws {
        routes.get("wallets", use: show)
    }

    struct Check: Encodable, Sendable {
        let name: String
        let ok: Bool
        let detail: String
    }

    struct Fact: Encodable, Sendable {
        let label: String
        let value: String
    }

    struct WalletPage: Encodable, Sendable {
        var appleConfigured = false
        var appleFacts: [Fact] = []
        var appleChecks: [Check] = []
        var googleConfigured = false
        var googleFacts: [Fact] = []
        var googleChecks: [Check] = []
        var log: [Fact] = []
        var card = ""
        var searched = false
        var error: String?
        var applePass: [Fact] = []
        var applePassJSON = ""
        var appleUnavailable = ""
        var googleObject: [Fact] = []
        var googleObjectJSON = ""
        var googleUnavailable = ""
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let format = AdminFormat.format(req)
        let none = req.t("admin.none")
        var page = WalletPage()

        let apple = try await AppleWalletDebugController().diagnostics(req: req)
        page.appleConfigured = apple.configured
        page.appleFacts = [
            Fact(label: req.t("admin.pass_type_id"), value: apple.passTypeId ?? none),
            Fact(label: req.t("admin.team_id"), value: apple.teamId ?? none),
            Fact(label: req.t("admin.web_service_url"), value: apple.webServiceUrl ?? none),
            Fact(
                label: req.t("admin.signer_certificate"),
                value: apple.signerCertificate.map { req.t("admin.days_left", format.number($0.daysRemaining)) } ?? none),
            Fact(label: req.t("admin.registered_devices"), value: format.number(apple.registeredDevices)),
            Fact(label: req.t("admin.registered_passes"), value: format.number(apple.registeredPasses)),
            Fact(label: req.t("admin.log_last_day"), value: format.number(apple.walletLogEntriesLastDay)),
        ]
        page.appleChecks = apple.checks.map { Check(name: $0.name, ok: $0.ok, detail: $0.detail) }

        let google = try await GoogleWalletDebugController().diagnostics(req: req)
        page.googleConfigured = google.status.configured
        page.googleFacts = [
            Fact(label: req.t("admin.issuer_id"), value: google.status.issuerId ?? none),
            Fact(label: req.t("admin.service_account"), value: google.status.serviceAccountEmail ?? none),
            Fact(label: req.t("admin.objects_synced"), value: format.number(google.status.objectsSynced)),
            Fact(label: req.t("admin.objects_owed"), value: format.number(google.status.objectsOwed)),
            Fact(label: req.t("admin.classes_synced"), value: format.number(google.status.classesSynced)),
            Fact(label: req.t("admin.last_sync"), value: google.status.lastSyncAt.map(format.dateTime) ?? none),
            Fact(label: req.t("admin.last_error"), value: google.status.lastError ?? none),
        ]
        page.googleChecks = google.checks.map { Check(name: $0.name, ok: $0.ok, detail: $0.detail) }

        page.log = try await AppleWalletLogModel.query(on: req.db).sort(\.$receivedAt, .descending).sort(\.$id)
            .limit(Self.logEntries).all()
            .map { Fact(label: format.dateTime($0.receivedAt) + " · " + $0.clientAddress, value: $0.message) }

        var status = HTTPStatus.ok
        if let asked = req.query[String.self, at: "card"]?.trimmingCharacters(in: .whitespaces), !asked.isEmpty {
            page.card = String(asked.prefix(64))
            page.searched = true
            if let card = try await Self.card(asked, on: req.db) {
                try await Self.lookUp(try card.requireID(), into: &page, req: req, format: format)
            } else {
                page.error = req.t("admin.card_not_found")
                status = .notFound
            }
        }
        return try await req.renderBackOffice("backoffice/admin/wallets", title: "admin.wallets_title", page, status: status)
    }

    /// A card by its id or its number (spaces and dashes as printed are ignored).
    static func card(_ text: String, on db: any Database) async throws -> CardModel? {
        if let id = UUID(uuidString: text) { return try await CardModel.find(id, on: db) }
        let digits = text.filter { !$0.isWhitespace && $0 != "-" }
        guard !digits.isEmpty, digits.count <= 32, digits.allSatisfy(\.isNumber) else { return nil }
        return try await CardModel.query(on: db).filter(\.$cardNumber == digits).first()
    }

    static func lookUp(_ cardID: UUID, into page: inout WalletPage, req: Request, format: StorePageFormat) async throws {
        let none = req.t("admin.none")
        do {
            let pass = try await AppleWalletDebugController.cardPass(cardID, req: req)
            page.applePass = [
                Fact(label: req.t("admin.serial_number"), value: pass.serialNumber),
                Fact(label: req.t("admin.modified_at"), value: format.dateTime(pass.modifiedAt)),
                Fact(label: req.t("admin.registered_devices"), value: format.number(pass.devices.count)),
                Fact(label: req.t("admin.pass_url"), value: pass.passUrl ?? none),
            ]
            page.applePassJSON = try Self.pretty(pass.passJson)
        } catch let error as APIError where error.status == .serviceUnavailable {
            page.appleUnavailable = req.t("admin.apple_unavailable")
        }
        do {
            let object = try await GoogleWalletDebugController.cardObject(cardID, req: req)
            page.googleObject = [
                Fact(label: req.t("admin.object_id"), value: object.objectId),
                Fact(label: req.t("admin.in_sync"), value: req.t(object.inSync ? "admin.yes" : "admin.no")),
                Fact(label: req.t("admin.last_sync"), value: object.syncedAt.map(format.dateTime) ?? none),
                Fact(label: req.t("admin.failures"), value: format.number(object.failures)),
                Fact(label: req.t("admin.last_error"), value: object.lastError ?? none),
            ]
            page.googleObjectJSON = try Self.pretty(object.current)
        } catch let error as APIError where error.status == .serviceUnavailable {
            page.googleUnavailable = req.t("admin.google_unavailable")
        }
    }

    static func pretty(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
