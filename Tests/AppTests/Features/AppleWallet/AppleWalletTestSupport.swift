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
    }
}

extension Application {
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
