import Fluent
import Foundation
import LoyaltyCore
import NIOFoundationCompat
import Testing
import Vapor
import VaporTesting
import WalletTestSupport

@testable import App

/// The Apple Wallet web service, as a device drives it (../shared/docs/WALLET.md §2 test checklist).
@Suite struct AppleWebServiceTests {
    static let passType = TestPassPKI.standard.passTypeIdentifier
    static let device = "a1b2c3d4e5f6a7b8c9d0"
    static let pushToken = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

    func registrationPath(_ card: CardModel, device: String = device, passType: String = passType) -> String {
        "/api/v1/loyalty/apple/v1/devices/\(device)/registrations/\(passType)/\(card.appleSerialNumber)"
    }

    func listPath(device: String = device, since: String? = nil) -> String {
        "/api/v1/loyalty/apple/v1/devices/\(device)/registrations/\(Self.passType)" + (since.map { "?passesUpdatedSince=\($0)" } ?? "")
    }

    func passPath(_ card: CardModel) -> String { "/api/v1/loyalty/apple/v1/passes/\(Self.passType)/\(card.appleSerialNumber)" }

    @Test func registrationNeedsTheCardsOwnTokenAndIsIdempotent() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            let card = counter.card
            let body: [String: JSONValue] = ["pushToken": .string(Self.pushToken)]

            #expect(try await app.send(.POST, registrationPath(card), json: body).status == .unauthorized)
            let wrongScheme: HTTPHeaders = ["Authorization": "Bearer \(card.appleAuthToken)"]
            #expect(try await app.send(.POST, registrationPath(card), headers: wrongScheme, json: body).status == .unauthorized)
            // Another card's valid token does not open this card.
            #expect(try await app.send(.POST, registrationPath(card), headers: app.applePassHeaders(other.card), json: body).status == .unauthorized)
            let unknownSerial = registrationPath(card).replacingOccurrences(of: card.appleSerialNumber, with: String(repeating: "0", count: 32))
            #expect(try await app.send(.POST, unknownSerial, headers: app.applePassHeaders(card), json: body).errorCode == "unauthenticated")
            #expect(
                try await app.send(.POST, registrationPath(card, passType: "pass.other"), headers: app.applePassHeaders(card), json: body)
                    .status == .unauthorized)
            #expect(try await AppleDeviceRegistrationModel.query(on: app.db).count() == 0)

            #expect(try await app.send(.POST, registrationPath(card), headers: app.applePassHeaders(card), json: body).status == .created)
            #expect(try await app.send(.POST, registrationPath(card), headers: app.applePassHeaders(card), json: body).status == .ok)
            let newToken = String(Self.pushToken.reversed())
            let renewed = try await app.send(
                .POST, registrationPath(card), headers: app.applePassHeaders(card), json: ["pushToken": .string(newToken)])
            #expect(renewed.status == .ok)
            let rows = try await AppleDeviceRegistrationModel.query(on: app.db).all()
            #expect(rows.count == 1)
            #expect(rows.first?.pushToken == newToken)
        }
    }

    @Test func aPassKeepsItsMostRecentDevicesOnly() async throws {
        try await withAppleWalletApp { app in
            let card = try await Counter.make(in: app).card
            for device in 0..<(AppleWebServiceController.maxDevicesPerPass + 3) {
                try await app.registerPass(of: card, device: "device-\(device)", pushToken: "ab")
            }
            let kept = try await AppleDeviceRegistrationModel.query(on: app.db).all().map(\.deviceLibraryIdentifier)
            #expect(kept.count == AppleWebServiceController.maxDevicesPerPass)
            #expect(kept.contains("device-\(AppleWebServiceController.maxDevicesPerPass + 2)"))
        }
    }

    @Test func registrationRefusesAMissingOrMalformedPushToken() async throws {
        try await withAppleWalletApp { app in
            let card = try await Counter.make(in: app).card
            let headers = app.applePassHeaders(card)
            #expect(try await app.send(.POST, registrationPath(card), headers: headers).status == .badRequest)
            #expect(try await app.send(.POST, registrationPath(card), headers: headers, body: "[1]").status == .badRequest)
            #expect(try await app.send(.POST, registrationPath(card), headers: headers, body: "{\"pushToken\": 5}").status == .unprocessableEntity)
            let notHex = try await app.send(.POST, registrationPath(card), headers: headers, json: ["pushToken": "zz-top"])
            #expect(notHex.errorCode == "validation_failed")
            // Fullwidth digits are hex digits to Swift, not to APNs.
            let fullwidth = try await app.send(.POST, registrationPath(card), headers: headers, json: ["pushToken": "\u{FF10}\u{FF11}"])
            #expect(fullwidth.status == .unprocessableEntity)
            let longDevice = String(repeating: "e\u{301}", count: 128)  // 128 characters, 256 scalars
            #expect(
                try await app.send(.POST, registrationPath(card, device: longDevice), headers: headers, json: ["pushToken": "ab"]).status
                    == .unprocessableEntity)
            #expect(try await AppleDeviceRegistrationModel.query(on: app.db).count() == 0)
            // Wallet may omit the Content-Type: the body is read as JSON all the same.
            var bare = headers
            bare.contentType = .plainText
            let plain = try await app.send(.POST, registrationPath(card), headers: bare, body: "{\"pushToken\":\"\(Self.pushToken)\"}")
            #expect(plain.status == .created)
        }
    }

    @Test func listingReportsOnlyPassesChangedSinceTheDevicesTag() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            let card = counter.card
            #expect(try await app.send(.GET, listPath()).status == .noContent)
            _ = try await app.send(.POST, registrationPath(card), headers: app.applePassHeaders(card), json: ["pushToken": .string(Self.pushToken)])
            try await app.backdatePassRows()

            let first = try await app.send(.GET, listPath())
            #expect(first.status == .ok)
            #expect(try first.json["serialNumbers"] == .array([.string(card.appleSerialNumber)]))
            let tag = try #require(try first.json["lastUpdated"]?.string)
            #expect(try await app.send(.GET, listPath(since: tag)).status == .noContent)

            #expect(try await app.stamp(counter).status == .ok)
            let afterStamp = try await app.send(.GET, listPath(since: tag))
            #expect(afterStamp.status == .ok)
            #expect(try afterStamp.json["serialNumbers"] == .array([.string(card.appleSerialNumber)]))
            let newTag = try #require(try afterStamp.json["lastUpdated"]?.string)
            #expect(Int64(newTag)! >= Int64(tag)!)

            // Another device, another pass type, or a tag that is not ours: nothing to list, or 422.
            #expect(try await app.send(.GET, listPath(device: "another-device")).status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/loyalty/apple/v1/devices/\(Self.device)/registrations/pass.other").status == .noContent)
            #expect(try await app.send(.GET, listPath(since: "yesterday")).status == .unprocessableEntity)
            #expect(try await app.send(.GET, listPath(since: "+5")).status == .unprocessableEntity)
        }
    }

    @Test func aChangeToTheProgramOrTheHolderAlsoListsThePass() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            let card = counter.card
            _ = try await app.send(.POST, registrationPath(card), headers: app.applePassHeaders(card), json: ["pushToken": .string(Self.pushToken)])
            try await app.backdatePassRows()
            let tag = try #require(try await app.send(.GET, listPath()).json["lastUpdated"]?.string)
            let program = try #require(try await ProgramModel.find(counter.program.id, on: app.db))
            program.cardName = "Coffee Club"
            try await program.save(on: app.db)
            #expect(try await app.send(.GET, listPath(since: tag)).status == .ok)
        }
    }

    @Test func theLatestPassHonoursIfModifiedSinceAtSecondPrecision() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            let card = counter.card
            #expect(try await app.send(.GET, passPath(card)).status == .unauthorized)
            try await app.backdatePassRows()

            let first = try await app.send(.GET, passPath(card), headers: app.applePassHeaders(card))
            #expect(first.status == .ok)
            #expect(first.headers.contentType?.description == "application/vnd.apple.pkpass")
            let lastModified = try #require(first.headers.first(name: .lastModified))
            #expect(lastModified.hasSuffix(" GMT"))
            let files = try OpenSSL.unzip(Data(buffer: first.body))
            _ = try OpenSSL.verifyPassSignature(files, rootPath: TestPassPKI.standard.rootPath)

            var conditional = app.applePassHeaders(card)
            conditional.replaceOrAdd(name: .ifModifiedSince, value: lastModified)
            let unchanged = try await app.send(.GET, passPath(card), headers: conditional)
            #expect(unchanged.status == .notModified)
            #expect(unchanged.body.readableBytes == 0)

            #expect(try await app.stamp(counter).status == .ok)
            let changed = try await app.send(.GET, passPath(card), headers: conditional)
            #expect(changed.status == .ok)
            let pass = try JSONDecoder().decode(JSONValue.self, from: try OpenSSL.unzip(Data(buffer: changed.body))["pass.json"]!)
            #expect(pass["storeCard"]?["primaryFields"]?[0]?["value"] == .string("1 / 3"))
            // A pass changed this very second is never declared older than it is.
            let sent = try #require(changed.headers.first(name: .lastModified))
            conditional.replaceOrAdd(name: .ifModifiedSince, value: sent)
            #expect(try await app.send(.GET, passPath(card), headers: conditional).status == .ok)
        }
    }

    @Test func unregisteringStopsTheListing() async throws {
        try await withAppleWalletApp { app in
            let card = try await Counter.make(in: app).card
            _ = try await app.send(.POST, registrationPath(card), headers: app.applePassHeaders(card), json: ["pushToken": .string(Self.pushToken)])
            #expect(try await app.send(.DELETE, registrationPath(card)).status == .unauthorized)
            #expect(try await app.send(.DELETE, registrationPath(card), headers: app.applePassHeaders(card)).status == .ok)
            #expect(try await app.send(.DELETE, registrationPath(card), headers: app.applePassHeaders(card)).status == .ok)
            #expect(try await app.send(.GET, listPath()).status == .noContent)
            #expect(try await AppleDeviceRegistrationModel.query(on: app.db).count() == 0)
        }
    }

    @Test func walletsLogIsKeptAndBounded() async throws {
        try await withAppleWalletApp { app in
            let log = try await app.send(.POST, "/api/v1/loyalty/apple/v1/log", json: ["logs": ["Pass download failed: bad signature", .string(String(repeating: "x", count: 5_000))]])
            #expect(log.status == .ok)
            let rows = try await AppleWalletLogModel.query(on: app.db).sort(\.$message).all()
            #expect(rows.map(\.message) == ["Pass download failed: bad signature", String(repeating: "x", count: AppleWebServiceController.maxLogEntryLength)])
            let tooMany = JSONValue.array(Array(repeating: "x", count: AppleWebServiceController.maxLogEntries + 1))
            #expect(try await app.send(.POST, "/api/v1/loyalty/apple/v1/log", json: ["logs": tooMany]).status == .unprocessableEntity)
            #expect(try await app.send(.POST, "/api/v1/loyalty/apple/v1/log", body: "not json").status == .badRequest)
            #expect(try await app.send(.POST, "/api/v1/loyalty/apple/v1/log", json: ["logs": "one"]).status == .unprocessableEntity)
            #expect(try await AppleWalletLogModel.query(on: app.db).count() == 2)
            // PostgreSQL text cannot hold NUL: it is dropped, not a 500.
            #expect(try await app.send(.POST, "/api/v1/loyalty/apple/v1/log", json: ["logs": "a\u{0}b"]).status == .unprocessableEntity)
            #expect(try await app.send(.POST, "/api/v1/loyalty/apple/v1/log", json: ["logs": ["a\u{0}b"]]).status == .ok)
            #expect(try await AppleWalletLogModel.query(on: app.db).filter(\.$message == "ab").count() == 1)
        }
    }

    @Test func withoutAppleWalletTheServiceSaysSo() async throws {
        try await withTestApp { app, _ in
            let card = try await Counter.make(in: app).card
            let answer = try await app.send(.GET, passPath(card), headers: app.applePassHeaders(card))
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.errorCode == "apple_wallet_unavailable")
            #expect(try await app.send(.GET, "/api/v1/loyalty/passes/apple/\(card.appleSerialNumber).pkpass").errorCode == "apple_wallet_unavailable")
        }
    }
}

@Suite struct AppleWalletLogLimitTests {
    @Test func logPostsAreLimitedPerClient() async throws {
        try await withAppleWalletApp(adjust: { $0.rateLimits = .init(walletLogPerClient: 2) }) { app in
            for _ in 0..<2 {
                #expect(try await app.send(.POST, "/api/v1/loyalty/apple/v1/log", json: ["logs": ["x"]]).status == .ok)
            }
            let limited = try await app.send(.POST, "/api/v1/loyalty/apple/v1/log", json: ["logs": ["x"]])
            #expect(limited.status == .tooManyRequests)
            #expect(try await AppleWalletLogModel.query(on: app.db).count() == 2)
        }
    }
}
