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
    /// Passes one device identifier may register: far beyond any real wallet of loyalty cards,
    /// and a bound on what one identifier can make the service push and list (decision 0010).
    static let maxPassesPerDevice = 100
    static let maxLogEntries = 50
    static let maxLogEntryLength = 2_000
    /// Log rows older than this are deleted as new ones arrive.
    static let logRetention: TimeInterval = 14 * 86_400
    /// Rows kept per client address, and in all: the endpoint has no credential, so what it can
    /// make us store is bounded (at most 10,000 × 2,000 characters), the oldest going first.
    static let maxKeptLogEntriesPerClient = 500
    static let maxKeptLogEntries = 10_000

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
        // This pass's token speaks for this pass only: a new push token changes the registration
        // of (device, this pass), never the device's other passes (Wallet re-registers each).
        if let existing = try await registration(device: device, cardID: cardID, on: req.db) {
            if existing.pushToken != body.pushToken {
                existing.pushToken = body.pushToken
                try await existing.save(on: req.db)
            }
            return Response(status: .ok)
        }
        // Checked before the insert without a lock: parallel registrations can pass it by a few,
        // which the bound tolerates.
        let held = try await AppleDeviceRegistrationModel.query(on: req.db).filter(\.$deviceLibraryIdentifier == device).count()
        guard held < Self.maxPassesPerDevice else {
            throw APIError.conflict(
                "too_many_passes_on_device", "This device already holds \(Self.maxPassesPerDevice) passes of this service.",
                details: ["max_passes_per_device": .int(Self.maxPassesPerDevice)])
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
            .join(CardModel.self, on: \AppleDeviceRegistrationModel.$card.$id == \CardModel.$id)
            .filter(\.$deviceLibraryIdentifier == device).filter(CardModel.self, \.$blockedAt == nil)
            .with(\.$card).all()
        // A constant number of reads whatever the number of passes (at most 100 per device).
        let passes = try await service.passes(of: registrations.map(\.card)).values
            .map { (serial: $0.facts.identity.serialNumber, modified: $0.modified) }
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
        var rows: [AppleWalletLogModel] = []
        for message in body.logs {
            let text = WalletLogText.sanitized(message, maxLength: Self.maxLogEntryLength)
            req.logger.warning("Apple Wallet reports: \(text)", metadata: ["source": "apple-wallet-log"])
            rows.append(AppleWalletLogModel(message: text, clientAddress: req.clientAddress, receivedAt: now))
        }
        if !rows.isEmpty { try await rows.create(on: req.db) }
        try await Self.trimWalletLog(client: req.clientAddress, now: now, on: req.db)
        return Response(status: .ok)
    }

    /// Deletes rows past the retention, then the oldest beyond the caps of the client and of all.
    static func trimWalletLog(
        client: String, now: Date, perClient: Int = maxKeptLogEntriesPerClient, total limit: Int = maxKeptLogEntries,
        on database: any Database
    ) async throws {
        try await AppleWalletLogModel.query(on: database).filter(\.$receivedAt < now.addingTimeInterval(-logRetention)).delete()
        let ofClient = AppleWalletLogModel.query(on: database).filter(\.$clientAddress == client)
        let kept = try await ofClient.copy().count()
        if kept > perClient {
            let excess = try await ofClient.copy().sort(\.$receivedAt).sort(\.$id).limit(kept - perClient).all(\.$id)
            try await AppleWalletLogModel.query(on: database).filter(\.$id ~~ excess).delete()
        }
        let total = try await AppleWalletLogModel.query(on: database).count()
        if total > limit {
            let excess = try await AppleWalletLogModel.query(on: database).sort(\.$receivedAt).sort(\.$id)
                .limit(total - limit).all(\.$id)
            try await AppleWalletLogModel.query(on: database).filter(\.$id ~~ excess).delete()
        }
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
            let serial = req.parameters.get("serial_number"), FieldRules.storableText(serial, maxLength: 255) == nil,
            let header = req.headers.first(name: .authorization), header.hasPrefix("ApplePass ")
        else { throw Self.unauthorized }
        let token = String(header.dropFirst("ApplePass ".count))
        // A blocked or replaced card's pass opens nothing: it stops updating (decision 0018).
        guard let card = try await CardModel.query(on: req.db).filter(\.$appleSerialNumber == serial).first(),
            constantTimeEquals(card.appleAuthToken, token), card.blockedAt == nil
        else { throw Self.unauthorized }
        return card
    }

    private static func deviceLibraryIdentifier(_ req: Request) throws -> String {
        // Counted in Unicode scalars, as JSON Schema's maxLength counts.
        guard let device = req.parameters.get("device_library_id"), (1...255).contains(device.unicodeScalars.count) else {
            throw APIError.validationFailed(["deviceLibraryIdentifier": "must be 1 to 255 characters"])
        }
        // PostgreSQL text cannot hold NUL: refused here rather than failing in the query.
        if let problem = FieldRules.storableText(device, maxLength: 255) {
            throw APIError.validationFailed(["deviceLibraryIdentifier": problem])
        }
        return device
    }

    private func registration(device: String, cardID: UUID, on database: any Database) async throws -> AppleDeviceRegistrationModel? {
        try await AppleDeviceRegistrationModel.query(on: database)
            .filter(\.$deviceLibraryIdentifier == device).filter(\.$card.$id == cardID).first()
    }
}
