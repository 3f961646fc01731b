import ApplePasses
import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// The Apple Wallet web service (Apple's "PassKit Web Service Reference", v1), rooted at the
/// pass's `webServiceURL`, `/api/v1/loyalty/apple`. Wallet registers the devices a pass is on,
/// asks which passes changed, fetches the latest pass and reports its errors here.
///
/// Every endpoint is idempotent (Wallet retries, and old iOS versions sent odd sequences).
/// Unknown serials and wrong tokens get the same 401, so the service never confirms a serial.
struct AppleWebServiceController: RouteCollection {
    /// Devices kept per pass. Wallet sometimes registers under fresh device identifiers
    /// (Apple's forums report it); past this, the longest-silent registrations make room.
    static let maxDevicesPerPass = 20
    static let maxLogEntries = 50
    static let maxLogEntryLength = 2_000
    /// Log rows older than this are deleted as new ones arrive.
    static let logRetention: TimeInterval = 14 * 86_400

    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("apple", "v1")
        let registration = v1.grouped("devices", ":device_library_id", "registrations", ":pass_type_id", ":serial_number")
        registration.post(use: register)
        registration.delete(use: unregister)
        v1.get("devices", ":device_library_id", "registrations", ":pass_type_id", use: updatedSerials)
        v1.get("passes", ":pass_type_id", ":serial_number", use: latestPass)
        v1.post("log", use: log)
    }

    /// 201 for a new registration, 200 when this device already had the pass (a changed push
    /// token is saved either way).
    @Sendable
    func register(req: Request) async throws -> Response {
        let card = try await authenticatedCard(req)
        let device = try Self.deviceLibraryIdentifier(req)
        let body = try AppleWebServiceJSON.decode(AppleWebServiceJSON.Registration.self, from: req, field: "pushToken")
        guard (1...512).contains(body.pushToken.utf8.count), body.pushToken.allSatisfy({ $0.isASCII && $0.isHexDigit }) else {
            throw APIError.validationFailed(["pushToken": "must be the device's APNs token in hexadecimal"])
        }
        let cardID = try card.requireID()
        // A device has one push token for all its passes: a new one replaces it everywhere.
        try await AppleDeviceRegistrationModel.query(on: req.db)
            .filter(\.$deviceLibraryIdentifier == device).filter(\.$pushToken != body.pushToken)
            .set(\.$pushToken, to: body.pushToken).update()
        if try await registration(device: device, cardID: cardID, on: req.db) != nil {
            return Response(status: .ok)
        }
        do {
            try await AppleDeviceRegistrationModel(cardID: cardID, deviceLibraryIdentifier: device, pushToken: body.pushToken)
                .create(on: req.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return Response(status: .ok)  // a parallel request registered it first
        }
        let newestFirst = try await AppleDeviceRegistrationModel.query(on: req.db).filter(\.$card.$id == cardID)
            .sort(\.$updatedAt, .descending).sort(\.$id).all(\.$id)
        let stale = Array(newestFirst.dropFirst(Self.maxDevicesPerPass))
        if !stale.isEmpty {
            try await AppleDeviceRegistrationModel.query(on: req.db).filter(\.$id ~~ stale).delete()
        }
        return Response(status: .created)
    }

    @Sendable
    func unregister(req: Request) async throws -> Response {
        let card = try await authenticatedCard(req)
        let device = try Self.deviceLibraryIdentifier(req)
        try await AppleDeviceRegistrationModel.query(on: req.db)
            .filter(\.$deviceLibraryIdentifier == device).filter(\.$card.$id == card.requireID()).delete()
        return Response(status: .ok)
    }

    /// The device's passes that changed after `passesUpdatedSince`, or 204. The device library
    /// identifier is the only credential Apple defines here; the answer holds serials only.
    @Sendable
    func updatedSerials(req: Request) async throws -> Response {
        let service = try req.applePasses()
        let device = try Self.deviceLibraryIdentifier(req)
        var since: Int64?
        if let text = req.query[String.self, at: "passesUpdatedSince"] {
            guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let tag = Int64(text) else {
                throw APIError.validationFailed(["passesUpdatedSince": "must be a lastUpdated value this service sent"])
            }
            since = tag
        }
        guard req.parameters.get("pass_type_id") == service.issuer.signer.passTypeIdentifier else { return Response(status: .noContent) }
        let registrations = try await AppleDeviceRegistrationModel.query(on: req.db)
            .filter(\.$deviceLibraryIdentifier == device).with(\.$card).all()
        var passes: [(serial: String, modified: Date)] = []
        for registration in registrations {
            let pass = try await service.pass(of: registration.card)
            passes.append((pass.facts.identity.serialNumber, pass.modified))
        }
        guard let update = service.issuer.updateClock.updates(of: passes, since: since, now: req.application.clock()) else {
            return Response(status: .noContent)
        }
        return try AppleWebServiceJSON.response(
            AppleWebServiceJSON.SerialNumbers(serialNumbers: update.serials.sorted(), lastUpdated: String(update.tag)))
    }

    /// The current pass, or 304 when the device's copy (its `If-Modified-Since`, an HTTP-date
    /// and not a number: ../shared/docs/WALLET.md, pitfall 9) is current.
    @Sendable
    func latestPass(req: Request) async throws -> Response {
        let card = try await authenticatedCard(req)
        let service = try req.applePasses()
        let pass = try await service.pass(of: card)
        let now = req.application.clock()
        if let header = req.headers.first(name: .ifModifiedSince), let since = HTTPDate.parse(header),
            service.issuer.updateClock.isUnchanged(pass.modified, ifModifiedSince: since)
        {
            return Response(status: .notModified)
        }
        return try service.response(pass, now: now)
    }

    /// Wallet's error reports: logged, and kept for the admin's debug view.
    @Sendable
    func log(req: Request) async throws -> Response {
        let body = try AppleWebServiceJSON.decode(AppleWebServiceJSON.Log.self, from: req, field: "logs")
        guard body.logs.count <= Self.maxLogEntries else {
            throw APIError.validationFailed(["logs": "at most \(Self.maxLogEntries) messages per request"])
        }
        // No credential here: the limit bounds what one client can make us store.
        try await req.rateLimiter.enforce([("apple-log:client:\(req.clientAddress)", req.application.config.rateLimits.walletLogPerClient)])
        let now = req.application.clock()
        for message in body.logs {
            // PostgreSQL text cannot hold NUL; nothing Wallet writes needs it.
            let text = String(String(message.unicodeScalars.filter { $0 != "\u{0}" }).prefix(Self.maxLogEntryLength))
            req.logger.warning("Apple Wallet reports: \(text)", metadata: ["source": "apple-wallet-log"])
            try await AppleWalletLogModel(message: text, clientAddress: req.clientAddress, receivedAt: now).create(on: req.db)
        }
        try await AppleWalletLogModel.query(on: req.db).filter(\.$receivedAt < now.addingTimeInterval(-Self.logRetention)).delete()
        return Response(status: .ok)
    }

    // MARK: - Credentials

    static let unauthorized = APIError(
        .unauthorized, code: "unauthenticated", message: "The pass is unknown or the ApplePass token is wrong.",
        headers: ["WWW-Authenticate": "ApplePass"])

    /// The card whose serial and `Authorization: ApplePass <token>` match, for this platform's
    /// pass type. The scheme is matched exactly and the token compared in constant time.
    private func authenticatedCard(_ req: Request) async throws -> CardModel {
        let issuer = try req.requireAppleWallet()
        guard req.parameters.get("pass_type_id") == issuer.signer.passTypeIdentifier,
            let serial = req.parameters.get("serial_number"),
            let header = req.headers.first(name: .authorization), header.hasPrefix("ApplePass ")
        else { throw Self.unauthorized }
        let token = String(header.dropFirst("ApplePass ".count))
        guard let card = try await CardModel.query(on: req.db).filter(\.$appleSerialNumber == serial).first(),
            constantTimeEquals(card.appleAuthToken, token)
        else { throw Self.unauthorized }
        return card
    }

    private static func deviceLibraryIdentifier(_ req: Request) throws -> String {
        // Counted in Unicode scalars, as JSON Schema's maxLength counts.
        guard let device = req.parameters.get("device_library_id"), (1...255).contains(device.unicodeScalars.count) else {
            throw APIError.validationFailed(["deviceLibraryIdentifier": "must be 1 to 255 characters"])
        }
        return device
    }

    private func registration(device: String, cardID: UUID, on database: any Database) async throws -> AppleDeviceRegistrationModel? {
        try await AppleDeviceRegistrationModel.query(on: database)
            .filter(\.$deviceLibraryIdentifier == device).filter(\.$card.$id == cardID).first()
    }
}
