import ApplePasses
import Fluent
import Foundation
import SQLKit
import Vapor
import VaporTesting
import WalletTestSupport

@testable import App

/// A test app with Apple Wallet on (the throwaway PKI) and an https public URL.
///
/// The wallet's update times come from the rows' `updated_at`, which Fluent stamps with the
/// real clock, so these apps run on the real clock too.
func withAppleWalletApp(
    adjust: @escaping (inout AppConfig) -> Void = { _ in },
    _ test: (Application) async throws -> Void
) async throws {
    try await withTestApp(adjust: { config in
        config.enableTestAppleWallet()
        adjust(&config)
    }) { app, _ in
        app.clock = { Date() }
        try await test(app)
    }
}

extension AppConfig {
    /// Apple Wallet on, signed by the throwaway PKI, with an https public URL.
    mutating func enableTestAppleWallet(_ pki: TestPassPKI = .standard) {
        wallet.applePassTypeID = pki.passTypeIdentifier
        wallet.appleTeamID = pki.teamIdentifier
        wallet.appleWWDRCertificatePath = pki.wwdrPath
        wallet.appleSignerCertificatePath = pki.signerCertificatePath
        wallet.appleSignerKeyPath = pki.signerKeyPath
        publicBaseURL = "https://loyalty.example.test"
        // Nothing leaves the machine: a closed port (tests of pushes record them instead).
        wallet.appleAPNsURL = "https://127.0.0.1:9"
    }
}

/// Records pushes instead of sending them; answers what a test told it, `delivered` otherwise.
actor RecordingPushTransport: ApplePushTransport {
    private(set) var pushed: [String] = []
    private var outcomes: [String: ApplePushOutcome] = [:]

    func answer(_ outcome: ApplePushOutcome, for token: String) { outcomes[token] = outcome }

    func push(toDeviceToken token: String) async -> ApplePushOutcome {
        pushed.append(token)
        return outcomes[token] ?? .delivered
    }

    nonisolated func shutdown() async {}
}

extension Application {
    /// Swaps the APNs client (which never connected) for a recorder.
    func recordPushes() async -> RecordingPushTransport {
        await walletPushes?.transport.shutdown()
        let recorder = RecordingPushTransport()
        walletPushes = WalletPushNotifier(transport: recorder, issuer: appleWallet!, database: { [self] in self.db }, logger: logger)
        return recorder
    }

    /// Registers `card`'s pass on a device, as Wallet does.
    func registerPass(of card: CardModel, device: String, pushToken: String) async throws {
        let path = "/api/v1/loyalty/apple/v1/devices/\(device)/registrations/\(appleWallet!.signer.passTypeIdentifier)/\(card.appleSerialNumber)"
        let answer = try await send(.POST, path, headers: applePassHeaders(card), json: ["pushToken": .string(pushToken)])
        guard answer.status == .created || answer.status == .ok else { throw TestSetupError("registration answered \(answer.status)") }
    }

    /// Moves every row a pass shows a minute into the past: the pass then "last changed"
    /// outside the web service's settle window.
    func backdatePassRows(by seconds: TimeInterval = 60) async throws {
        let past = Date().addingTimeInterval(-seconds)
        for table in [CardModel.schema, ProgramModel.schema, MerchantModel.schema, CustomerModel.schema] {
            try await db.sql.update(table).set("updated_at", to: past).run()
        }
    }

    /// `Authorization: ApplePass <token>` for a card.
    func applePassHeaders(_ card: CardModel) -> HTTPHeaders {
        ["Authorization": "ApplePass \(card.appleAuthToken)"]
    }
}
