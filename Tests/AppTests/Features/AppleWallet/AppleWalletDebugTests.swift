import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting
import WalletTestSupport

@testable import App

@Suite struct AppleWalletDebugTests {
    @Test func diagnosticsPassWhenEverythingFits() async throws {
        try await withAppleWalletApp { app in
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let answer = try await app.send(.GET, "/api/v1/admin/loyalty/debug/apple", token: admin)
            #expect(answer.status == .ok)
            #expect(try answer.json["configured"]?.bool == true)
            #expect(try answer.json["web_service_url"]?.string == "https://loyalty.example.test/api/v1/loyalty/apple")
            let checks = try #require(try answer.json["checks"]?.array)
            #expect(checks.count == 6)
            #expect(checks.allSatisfy { $0["ok"]?.bool == true }, "\(checks)")
            #expect(try (answer.json["signer_certificate"]?["days_remaining"]?.int ?? 0) > 800)
        }
    }

    @Test func diagnosticsNameTheWrongWWDRAndTheMissingHTTPS() async throws {
        let other = TestPassPKI.other
        try await withAppleWalletApp(adjust: { config in
            config.wallet.appleWWDRCertificatePath = other.wwdrPath
            config.publicBaseURL = nil
        }) { app in
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let checks = try #require(try await app.send(.GET, "/api/v1/admin/loyalty/debug/apple", token: admin).json["checks"]?.array)
            let failed = checks.filter { $0["ok"]?.bool == false }.compactMap { $0["name"]?.string }
            #expect(failed == ["WWDR certificate issued the signer certificate", "passes carry an https web service URL"])
        }
    }

    @Test func diagnosticsSayWhatToSetWhenAppleWalletIsOff() async throws {
        try await withTestApp { app, _ in
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let answer = try await app.send(.GET, "/api/v1/admin/loyalty/debug/apple", token: admin)
            #expect(try answer.json["configured"]?.bool == false)
            #expect(try answer.json["checks"]?[0]?["detail"]?.string?.contains("LOYALTY_APPLE_PASS_TYPE_ID") == true)
        }
    }

    @Test func theCardViewShowsThePassAndItsDevices() async throws {
        try await withAppleWalletApp { app in
            let card = try await Counter.make(in: app).card
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let device = "device-under-debug"
            let path = "/api/v1/loyalty/apple/v1/devices/\(device)/registrations/pass.test.loyalty/\(card.appleSerialNumber)"
            _ = try await app.send(.POST, path, headers: app.applePassHeaders(card), json: ["pushToken": "abcdef0123456789"])
            _ = try await app.send(.POST, "/api/v1/loyalty/apple/v1/log", json: ["logs": ["Invalid data error reading pass"]])

            let view = try await app.send(.GET, "/api/v1/admin/loyalty/debug/cards/\(card.id!.uuidString)/apple-pass", token: admin)
            #expect(view.status == .ok)
            #expect(try view.json["pass_json"]?["serialNumber"]?.string == card.appleSerialNumber)
            #expect(try view.json["devices"]?[0]?["device_library_identifier"]?.string == device)
            #expect(try view.json["devices"]?[0]?["push_token_prefix"]?.string == "abcdef01")
            #expect(try view.json["devices"]?[0]?["pushed_through"]?.isNull == true)
            #expect(try view.json["pass_json"]?["authenticationToken"]?.string == String(card.appleAuthToken.prefix(4)) + "…")
            #expect(!String(buffer: view.body).contains(card.appleAuthToken))
            let log = try await app.send(.GET, "/api/v1/admin/loyalty/debug/apple/log", token: admin)
            #expect(try log.json["items"]?[0]?["message"]?.string == "Invalid data error reading pass")
            #expect(try await app.send(.GET, "/api/v1/admin/loyalty/debug/cards/\(UUID().uuidString)/apple-pass", token: admin).status == .notFound)
            try await app.registerPass(of: card, device: "second-device", pushToken: "abcdef02")
            let diagnostics = try await app.send(.GET, "/api/v1/admin/loyalty/debug/apple", token: admin)
            #expect(try diagnostics.json["registered_devices"]?.int == 2)
            #expect(try diagnostics.json["registered_passes"]?.int == 1)
            #expect(try diagnostics.json["wallet_log_entries_last_day"]?.int == 1)
        }
    }
}
