import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting
import WalletTestSupport

@testable import App

/// Google Wallet inside the app: start-up checks, the save links in the card answers and on the
/// card page, the class id rule, and the admin's views. Calls to Google itself are the system
/// tests' business (system-tests/test_google_wallet.py, against a stand-in).
@Suite struct GoogleWalletAppTests {
    let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID())").path

    @Test(arguments: [
        ["LOYALTY_GOOGLE_ISSUER_ID": "3388000000012345678"], ["LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON": "/etc/key.json"],
        ["LOYALTY_GOOGLE_ISSUER_ID": "issuer-x", "LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON": "/etc/key.json"],
        ["LOYALTY_GOOGLE_API_BASE_URL": "http://walletobjects.googleapis.com/walletobjects/v1"],
    ])
    func aWrongSetupStopsStartUpSayingWhy(environment: [String: String]) {
        #expect {
            try AppConfig.load(from: environment, isProduction: false, dataDirectory: dataDirectory)
        } throws: { error in
            (error as? ConfigError)?.description.contains("LOYALTY_GOOGLE_") == true
        }
    }

    @Test func aBadKeyFileStopsStartUpNamingTheSettingNotTheKey() async throws {
        var config = AppConfig(database: .sqlite(.init(path: "\(dataDirectory)/x.sqlite")), secretKey: String(repeating: "k", count: 64))
        config.enableTestGoogleWallet()
        config.wallet.googleServiceAccountJSONPath = try TestServiceAccount.standard.writeKeyFile(
            tokenURI: "https://oauth2.googleapis.com/token", overriding: ["private_key": "-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----"])
        await #expect {
            _ = try await GoogleWalletIssuer.load(config, now: Date.init)
        } throws: { error in
            let text = (error as? ConfigError)?.description ?? ""
            return text.contains("LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON") && text.contains("private_key") && !text.contains("SECRET")
        }
        config.wallet.googleServiceAccountJSONPath = "/nonexistent/key.json"
        await #expect {
            _ = try await GoogleWalletIssuer.load(config, now: Date.init)
        } throws: { error in
            (error as? ConfigError)?.description.contains("no file at /nonexistent/key.json") == true
        }
    }

    @Test func everyCardAnswerCarriesASaveLinkUntilTheCardIsBlocked() async throws {
        try await withTestApp(adjust: { $0.enableTestGoogleWallet() }) { app, _ in
            let counter = try await Counter.make(in: app)
            let enrolled = try await app.send(.POST, "/api/v1/loyalty/enroll/\(counter.store.code)", json: ["name": "Walk-in"])
            #expect(enrolled.status == .created)
            let link = try #require(try enrolled.json["card"]?["wallet"]?["google_save_url"]?.string)
            #expect(link.hasPrefix("https://pay.google.com/gp/v/save/"))
            #expect(link.count <= GoogleSaveLink.maximumLength)
            let cardLink = try #require(try enrolled.json["card_link"]?.string)
            let byLink = try await app.send(.GET, cardLink)
            #expect(try byLink.json["wallet"]?["google_save_url"]?.string?.hasPrefix("https://pay.google.com/gp/v/save/") == true)

            let customer = try await app.makeCustomer(of: counter.merchant, email: "ada@example.com", name: "Ada")
            let token = try await app.token(for: customer)
            _ = try await app.send(.POST, "/api/v1/storefront/loyalty/enroll", token: token)
            let own = try await app.send(.GET, "/api/v1/storefront/loyalty/card", token: token)
            let ownLink = try #require(try own.json["wallet"]?["google_save_url"]?.string)
            #expect(ownLink != link, "each card's link names its own object")

            let card = try #require(try await CardModel.query(on: app.db).filter(\.$customer.$id == customer.requireID()).first())
            let blocked = try await app.send(
                .POST, "/api/v1/merchants/loyalty/cards/\(try card.requireID())/block", token: counter.ownerToken, json: ["reason": "lost"])
            #expect(blocked.status == .ok)
            let reloaded = try #require(try await CardModel.find(card.requireID(), on: app.db))
            #expect(try await WalletLinks.of(reloaded, on: app, database: app.db).googleSaveUrl == nil)
            await app.walletUpdates?.waitUntilIdle()
        }
    }

    @Test func withoutGoogleWalletTheLinkIsNullAndTheDebugViewSaysSo() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let enrolled = try await app.send(.POST, "/api/v1/loyalty/enroll/\(counter.store.code)", json: ["name": "Walk-in"])
            #expect(try enrolled.json["card"]?["wallet"]?["google_save_url"]?.isNull == true)
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let object = try await app.send(.GET, "/api/v1/admin/loyalty/debug/cards/\(counter.cardID)/google-object", token: admin)
            #expect(object.status == .serviceUnavailable)
            #expect(object.errorCode == "google_wallet_unavailable")
            let diagnostics = try await app.send(.GET, "/api/v1/admin/loyalty/debug/google", token: admin)
            #expect(try diagnostics.json["status"]?["configured"]?.bool == false)
        }
    }

    @Test func aFailedSyncIsOwedAndShownToTheAdmin() async throws {
        try await withTestApp(adjust: { $0.enableTestGoogleWallet() }) { app, _ in
            let counter = try await Counter.make(in: app)
            let sync = try #require(app.googleWalletSync)
            // Google is at a closed port: the attempt fails, and the object stays owed.
            let (report, busy) = try await sync.sync(cards: [counter.cardID])
            #expect(report.failed == 1 && report.sent == 0 && busy.isEmpty)
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let object = try await app.send(.GET, "/api/v1/admin/loyalty/debug/cards/\(counter.cardID)/google-object", token: admin)
            #expect(object.status == .ok)
            #expect(try object.json["in_sync"]?.bool == false)
            #expect(try object.json["failures"]?.int == 1)
            #expect(try object.json["last_error"]?.string?.contains("OAuth token") == true)
            #expect(try object.json["current"]?["secondaryLoyaltyPoints"] != nil || object.json["current"]?["loyaltyPoints"] != nil)
            let status = try await app.send(.GET, "/api/v1/admin/loyalty/wallet-status", token: admin)
            #expect(try status.json["google"]?["configured"]?.bool == true)
            #expect(try status.json["google"]?["objects_owed"]?.int == 1)
            #expect(try status.json["google"]?["objects_synced"]?.int == 0)
            #expect(try status.json["google"]?["last_error"]?.string?.contains("OAuth token") == true)
            let diagnostics = try await app.send(.GET, "/api/v1/admin/loyalty/debug/google", token: admin)
            let tokenCheck = try diagnostics.json["checks"]?.array?.first { $0["name"]?.string == "OAuth token" }
            #expect(tokenCheck?["ok"]?.bool == false)
            // The row's claim was released: the next round may try again at once.
            let row = try #require(try await GoogleWalletObjectModel.query(on: app.db).filter(\.$card.$id == counter.cardID).first())
            #expect(row.leaseOwner == nil && row.leaseUntil == nil)
        }
    }

    @Test func shutdownDoesNotWaitForAGoogleThatDoesNotAnswer() async throws {
        try await withTestApp(adjust: {
            $0.enableTestGoogleWallet()
            $0.wallet.googleRequestTimeoutSeconds = 60
        }) { app, _ in
            let counter = try await Counter.make(in: app)
            let sync = try #require(app.googleWalletSync)
            // Google is at a closed port, where each call spends its whole timeout (60 s here).
            sync.cardsChanged([counter.cardID])
            try await Task.sleep(for: .milliseconds(500))
            let started = ContinuousClock.now
            await sync.finishForShutdown()
            #expect(ContinuousClock.now - started < .seconds(40), "shutdown waited for Google's timeout")
            // The work was cancelled, not lost: the card is still owed.
            let row = try #require(try await GoogleWalletObjectModel.query(on: app.db).filter(\.$card.$id == counter.cardID).first())
            #expect(row.sentHash == nil)
        }
    }

    @Test func aClassIDOfAnotherIssuerIsRefused() async throws {
        try await withTestApp(adjust: { $0.enableTestGoogleWallet() }) { app, _ in
            let counter = try await Counter.make(in: app)
            let refused = try await app.send(
                .PATCH, "/api/v1/merchants/loyalty/program", token: counter.ownerToken, json: ["google_class_id": "1234.someone-else"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.errorCode == "validation_failed")
            let accepted = try await app.send(
                .PATCH, "/api/v1/merchants/loyalty/program", token: counter.ownerToken,
                json: ["google_class_id": "3388000000012345678.lumiere"])
            #expect(accepted.status == .ok)
            await app.walletUpdates?.waitUntilIdle()
        }
    }
}
