import Fluent
import Foundation
import LoyaltyCore
import NIOFoundationCompat
import Testing
import Vapor
import VaporTesting
import WalletTestSupport

@testable import App

@Suite struct ApplePassDownloadTests {
    @Test func theHolderDownloadsASignedPassOfTheirCard() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            let customer = try await app.makeCustomer(of: counter.merchant, email: "ada@example.com", name: "Ada Lovelace")
            let token = try await app.token(for: customer)
            _ = try await app.send(.POST, "/api/v1/storefront/loyalty/enroll", token: token)
            let card = try await app.send(.GET, "/api/v1/storefront/loyalty/card", token: token)
            let url = try #require(try card.json["wallet"]?["apple_pass_url"]?.string)
            #expect(url.hasPrefix("https://loyalty.example.test/api/v1/loyalty/passes/apple/"))
            #expect(url.hasSuffix(".pkpass"))

            let download = try await app.send(.GET, String(url.dropFirst("https://loyalty.example.test".count)))
            #expect(download.status == .ok)
            #expect(download.headers.contentType?.description == "application/vnd.apple.pkpass")
            #expect(download.headers.first(name: .cacheControl) == "no-store")
            let files = try OpenSSL.unzip(Data(buffer: download.body))
            _ = try OpenSSL.verifyPassSignature(files, rootPath: TestPassPKI.standard.rootPath)

            let model = try #require(try await CardModel.query(on: app.db).filter(\.$customer.$id == customer.requireID()).first())
            let pass = try JSONDecoder().decode(JSONValue.self, from: try #require(files["pass.json"]))
            #expect(pass["serialNumber"]?.string == model.appleSerialNumber)
            #expect(pass["authenticationToken"]?.string == model.appleAuthToken)
            #expect(pass["passTypeIdentifier"]?.string == "pass.test.loyalty")
            #expect(pass["teamIdentifier"]?.string == "TEST123456")
            #expect(pass["webServiceURL"]?.string == "https://loyalty.example.test/api/v1/loyalty/apple")
            #expect(pass["barcodes"]?[0]?["message"]?.string == model.qrToken)
            #expect(pass["organizationName"]?.string == counter.merchant.name)
            #expect(pass["storeCard"]?["secondaryFields"]?[0]?["value"]?.string == "Ada Lovelace")
            #expect(Set(files.keys).isSuperset(of: ["icon.png", "en.lproj/pass.strings", "fr.lproj/pass.strings", "de.lproj/pass.strings", "lb.lproj/pass.strings"]))
        }
    }

    @Test func theSerialNumberStaysWhenTheCardChanges() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            let before = counter.card.appleSerialNumber
            #expect(try await app.stamp(counter).status == .ok)
            let after = try await app.reloadCard(counter)
            #expect(after.appleSerialNumber == before)
            #expect(after.appleAuthToken == counter.card.appleAuthToken)
        }
    }

    @Test func unknownOrMalformedPassFilesAreNotFound() async throws {
        try await withAppleWalletApp { app in
            let card = try await Counter.make(in: app).card
            #expect(try await app.send(.GET, "/api/v1/loyalty/passes/apple/\(ApplePassIdentity.random().serialNumber).pkpass").status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/loyalty/passes/apple/\(card.appleAuthToken)").status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/loyalty/passes/apple/\(card.appleAuthToken).pkpass").status == .ok)
            // The serial, which the device listing answers to anyone naming a device, opens nothing.
            #expect(try await app.send(.GET, "/api/v1/loyalty/passes/apple/\(card.appleSerialNumber).pkpass").status == .notFound)
        }
    }

    @Test func withoutAnHTTPSPublicURLPassesCarryNoWebService() async throws {
        try await withAppleWalletApp(adjust: { $0.publicBaseURL = "http://localhost:8080" }) { app in
            let card = try await Counter.make(in: app).card
            let download = try await app.send(.GET, "/api/v1/loyalty/passes/apple/\(card.appleAuthToken).pkpass")
            let pass = try JSONDecoder().decode(JSONValue.self, from: try OpenSSL.unzip(Data(buffer: download.body))["pass.json"]!)
            #expect(pass["webServiceURL"] == nil)
            #expect(pass["authenticationToken"] == nil)
        }
    }

    @Test func theWalletLinkIsNullWithoutAppleWallet() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let enrolled = try await app.send(.POST, "/api/v1/loyalty/enroll/\(counter.store.code)", json: ["name": "Walk-in"])
            #expect(try enrolled.json["card"]?["wallet"]?["apple_pass_url"]?.isNull == true)
        }
    }

    @Test func aSignedArchiveIsReusedUntilTheCardChanges() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            let path = "/api/v1/loyalty/passes/apple/\(counter.card.appleAuthToken).pkpass"
            let cache = app.appleWallet!.signedPasses
            let first = try await app.send(.GET, path)
            let second = try await app.send(.GET, path)
            #expect(first.status == .ok && second.status == .ok)
            #expect(Data(buffer: first.body) == Data(buffer: second.body))
            #expect(cache.statistics.hits == 1 && cache.statistics.misses == 1)

            #expect(try await app.stamp(counter).status == .ok)
            let changed = try await app.send(.GET, path)
            let pass = try JSONDecoder().decode(JSONValue.self, from: try OpenSSL.unzip(Data(buffer: changed.body))["pass.json"]!)
            #expect(pass["storeCard"]?["primaryFields"]?[0]?["value"]?.string == "1 / 3")
            #expect(cache.statistics.misses == 2)
            #expect(cache.statistics.entries == 1)
        }
    }

    @Test func aBlockedCardsPassIsGoneAndItsLinkShowsNoPass() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            let path = "/api/v1/loyalty/passes/apple/\(counter.card.appleAuthToken).pkpass"
            #expect(try await app.send(.GET, path).status == .ok)
            let blocked = try await app.send(
                .POST, "/api/v1/merchants/loyalty/cards/\(counter.cardID)/block", token: counter.ownerToken, json: ["reason": "stolen"])
            #expect(blocked.status == .ok)
            let gone = try await app.send(.GET, path)
            #expect(gone.status == .gone)
            #expect(gone.errorCode == "card_blocked")
            let latest = try await app.send(
                .GET, "/api/v1/loyalty/apple/v1/passes/\(TestPassPKI.standard.passTypeIdentifier)/\(counter.card.appleSerialNumber)",
                headers: app.applePassHeaders(counter.card))
            #expect(latest.status == .unauthorized)
        }
    }
}
