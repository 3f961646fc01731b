import Fluent
import Foundation
import LoyaltyCore
import Vapor

extension Application {
    private struct PinHasherKey: StorageKey { typealias Value = PinHasher }
    private struct RaceWindowKey: StorageKey { typealias Value = Duration }

    /// Made once from the secret key at start-up.
    var pinHasher: PinHasher {
        get {
            guard let hasher = storage[PinHasherKey.self] else { preconditionFailure("configure(_:config:) has not run") }
            return hasher
        }
        set { storage[PinHasherKey.self] = newValue }
    }

    /// Test switch: a pause inside every card operation between reading the locked card and
    /// writing, which turns any missing lock into a failing concurrency test.
    var raceWindow: Duration {
        get { storage[RaceWindowKey.self] ?? .zero }
        set { storage[RaceWindowKey.self] = newValue }
    }
}

extension Request {
    var cardOperations: CardOperationRunner {
        let antiFraud = application.config.antiFraud
        var runner = CardOperationRunner(
            database: db, writeGate: application.writeGate,
            pins: PinVerifier(
                hasher: application.pinHasher, maxAttempts: antiFraud.pinMaxFailedAttempts,
                lockout: TimeInterval(antiFraud.pinLockoutMinutes * 60)),
            now: application.clock)
        runner.pauseBeforeWrite = application.raceWindow
        if let wallets = application.walletUpdates { runner.afterCommit = { wallets.cardsChanged([$0]) } }
        return runner
    }

    var programs: ProgramService {
        var service = ProgramService(database: db, writeGate: application.writeGate, antiFraud: application.config.antiFraud)
        service.googleIssuerID = application.googleWallet?.issuerID
        if let wallets = application.walletUpdates { service.afterChange = { wallets.programChanged(merchantID: $0) } }
        return service
    }

    var cards: CardService {
        var service = CardService(database: db, writeGate: application.writeGate, programs: programs, now: application.clock)
        if let wallets = application.walletUpdates { service.afterEnroll = { wallets.cardCreated($0) } }
        return service
    }

    var stamps: StampService { StampService(runner: cardOperations) }
    var points: PointsService { PointsService(runner: cardOperations) }
    var voids: VoidService { VoidService(runner: cardOperations) }
    var staffPins: StaffPinService { StaffPinService(database: db, hasher: application.pinHasher, now: application.clock) }
    var stats: StatsService { StatsService(database: db, now: application.clock) }

    /// The `Idempotency-Key` of a balance-changing request, fingerprinted with what it asks.
    func idempotency(operation: String, content: some Encodable) throws -> IdempotencyRequest? {
        guard let key = headers.first(name: "Idempotency-Key") else { return nil }
        guard (1...IdempotencyRequest.maximumKeyLength).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw APIError.validationFailed(["Idempotency-Key": "must be 1 to 255 visible ASCII characters"], status: .badRequest)
        }
        return try IdempotencyRequest(key: key, operation: operation, content: content)
    }
}

extension OperationResult where Value: Content {
    /// The first answer, or the stored one for a retry (marked `Idempotent-Replayed: true`).
    func encodeResponse(for request: Request) async throws -> Response {
        switch self {
        case .performed(let value):
            return try await value.encodeResponse(for: request)
        case .replayed(let stored):
            var headers = HTTPHeaders()
            headers.contentType = .json
            headers.add(name: "Idempotent-Replayed", value: "true")
            return Response(status: HTTPResponseStatus(statusCode: stored.status), headers: headers, body: .init(string: stored.body))
        }
    }
}
