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

    /// Vapor decodes `%00` into path parameters; PostgreSQL text cannot hold it. Each route
    /// answers as for any unknown value, never with a 500.
    @Test func aNulInAPathParameterIsAnsweredLikeAnyUnknownValue() async throws {
        try await withAppleWalletApp { app in
            let card = try await Counter.make(in: app).card
            let headers = app.applePassHeaders(card)
            let body: [String: JSONValue] = ["pushToken": .string(Self.pushToken)]
            let nulSerial = registrationPath(card).replacingOccurrences(of: card.appleSerialNumber, with: "ab%00cd")
            #expect(try await app.send(.POST, nulSerial, headers: headers, json: body).status == .unauthorized)
            #expect(try await app.send(.GET, passPath(card).replacingOccurrences(of: card.appleSerialNumber, with: "%00"), headers: headers).status == .unauthorized)
            let nulDevice = registrationPath(card, device: "dev%00ice")
            let refused = try await app.send(.POST, nulDevice, headers: headers, json: body)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.errorCode == "validation_failed")
            #expect(try await app.send(.GET, listPath(device: "dev%00ice")).status == .unprocessableEntity)
            #expect(try await app.send(.GET, "/api/v1/loyalty/passes/apple/ab%00cd.pkpass").status == .notFound)
        }
    }

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
            // A pass changed this very second is never declared older than it is. "Now" is pinned
            // to the moment of the change, so the check holds however slowly the machine runs
            // (past the 10 s settle window the pass is settled and a 304 is right).
            let stamped = try #require(try await CardModel.find(card.id, on: app.db)?.updatedAt)
            app.clock = { stamped }
            let sameMoment = try await app.send(.GET, passPath(card), headers: conditional)
            let sent = try #require(sameMoment.headers.first(name: .lastModified))
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

/// Wallet's log has no credential: it can neither forge log lines nor fill the disk (issue #8).
@Suite struct AppleWalletLogSafetyTests {
    @Test(arguments: [
        ("line\nINFO forged entry", "line\\u{000A}INFO forged entry"),
        ("a\r\nb", "a\\u{000D}\\u{000A}b"),
        ("\u{1B}[2Jclear", "\\u{001B}[2Jclear"),
        ("left\u{202E}thgir", "left\\u{202E}thgir"),
        ("sep\u{2028}arated", "sep\\u{2028}arated"),
        ("nul\u{0}dropped", "nuldropped"),
        ("plain café ☕", "plain café ☕"),
    ])
    func messagesAreOneVisibleLine(input: String, expected: String) {
        #expect(WalletLogText.sanitized(input, maxLength: 2_000) == expected)
    }

    @Test func aForgedLineIsStoredEscaped() async throws {
        try await withAppleWalletApp { app in
            let log = try await app.send(.POST, "/api/v1/loyalty/apple/v1/log", json: ["logs": ["ok\n[ERROR] admin password reset"]])
            #expect(log.status == .ok)
            let rows = try await AppleWalletLogModel.query(on: app.db).all()
            #expect(rows.map(\.message) == ["ok\\u{000A}[ERROR] admin password reset"])
        }
    }

    @Test func theLogKeepsItsNewestRowsPerClientAndInAll() async throws {
        try await withTestApp { app, _ in
            let start = Date()
            for index in 0..<6 {
                try await AppleWalletLogModel(message: "a\(index)", clientAddress: "10.0.0.1", receivedAt: start.addingTimeInterval(Double(2 * index)))
                    .create(on: app.db)
                try await AppleWalletLogModel(message: "b\(index)", clientAddress: "10.0.0.2", receivedAt: start.addingTimeInterval(Double(2 * index + 1)))
                    .create(on: app.db)
            }
            try await AppleWebServiceController.trimWalletLog(client: "10.0.0.1", now: start, perClient: 4, total: 100, on: app.db)
            let first = try await AppleWalletLogModel.query(on: app.db).filter(\.$clientAddress == "10.0.0.1").all().map(\.message).sorted()
            #expect(first == ["a2", "a3", "a4", "a5"])
            try await AppleWebServiceController.trimWalletLog(client: "10.0.0.2", now: start, perClient: 100, total: 5, on: app.db)
            let all = try await AppleWalletLogModel.query(on: app.db).all().map(\.message).sorted()
            #expect(all == ["a4", "a5", "b3", "b4", "b5"])
        }
    }
}

/// One device identifier, or one pass's token, reaches no further than it should (issue #8).
@Suite struct AppleDeviceIdentifierTests {
    static let passType = TestPassPKI.standard.passTypeIdentifier

    @Test func onePasssTokenChangesOnlyItsOwnRegistrationsPushToken() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            let second = try await app.makeCard(
                for: try await app.makeCustomer(of: counter.merchant), program: counter.program, store: counter.store)
            try await app.registerPass(of: counter.card, device: "shared-device", pushToken: "aaaa")
            try await app.registerPass(of: second, device: "shared-device", pushToken: "aaaa")
            // Pass A's token, a new push token: only (device, A) changes.
            try await app.registerPass(of: counter.card, device: "shared-device", pushToken: "bbbb")
            let rows = try await AppleDeviceRegistrationModel.query(on: app.db).all()
            #expect(rows.first { $0.$card.id == counter.cardID }?.pushToken == "bbbb")
            #expect(rows.first { $0.$card.id == second.id }?.pushToken == "aaaa")
        }
    }

    @Test func aDeviceHoldsAtMostAHundredPasses() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            for _ in 0..<AppleWebServiceController.maxPassesPerDevice {
                let card = try await app.makeCard(
                    for: try await app.makeCustomer(of: counter.merchant), program: counter.program, store: counter.store)
                try await AppleDeviceRegistrationModel(cardID: try card.requireID(), deviceLibraryIdentifier: "full-device", pushToken: "ab")
                    .create(on: app.db)
            }
            let path = "/api/v1/loyalty/apple/v1/devices/full-device/registrations/\(Self.passType)/\(counter.card.appleSerialNumber)"
            let refused = try await app.send(.POST, path, headers: app.applePassHeaders(counter.card), json: ["pushToken": "ab"])
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "too_many_passes_on_device")
            #expect(try await AppleDeviceRegistrationModel.query(on: app.db).count() == AppleWebServiceController.maxPassesPerDevice)
            // Another device is not affected.
            try await app.registerPass(of: counter.card, device: "other-device", pushToken: "ab")
        }
    }

    @Test func theListingAnswersEveryPassOfADeviceButNoneOfABlockedCard() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            var cards = [counter.card]
            for _ in 0..<4 {
                cards.append(try await app.makeCard(
                    for: try await app.makeCustomer(of: counter.merchant), program: counter.program, store: counter.store))
            }
            for card in cards { try await app.registerPass(of: card, device: "many-passes", pushToken: "ab") }
            try await app.backdatePassRows()
            let listing = try await app.send(.GET, "/api/v1/loyalty/apple/v1/devices/many-passes/registrations/\(Self.passType)")
            #expect(Set(try listing.json["serialNumbers"]?.array?.compactMap(\.string) ?? []) == Set(cards.map(\.appleSerialNumber)))

            #expect(try await app.send(
                .POST, "/api/v1/merchants/loyalty/cards/\(counter.cardID)/block", token: counter.ownerToken, json: ["reason": "lost"]).status == .ok)
            let after = try await app.send(.GET, "/api/v1/loyalty/apple/v1/devices/many-passes/registrations/\(Self.passType)")
            #expect(try after.json["serialNumbers"]?.array?.compactMap(\.string).contains(counter.card.appleSerialNumber) == false)
        }
    }

    @Test func aProgramChangeFindsTheMerchantsRegistrationsInKeysetPages() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            var cards = [counter.card]
            for _ in 0..<2 {
                cards.append(try await app.makeCard(
                    for: try await app.makeCustomer(of: counter.merchant), program: counter.program, store: counter.store))
            }
            for card in cards { try await app.registerPass(of: card, device: "d-\(card.id!)", pushToken: "ab") }
            try await app.registerPass(of: (try await Counter.make(in: app)).card, device: "elsewhere", pushToken: "cd")
            let notifier = try #require(app.walletPushes)
            var seen: [UUID] = []
            var batches: [Int] = []
            try await notifier.registrations(merchant: counter.merchant.id!).forEachBatch(of: 2) { batch in
                batches.append(batch.count)
                seen += batch.map { $0.$card.id }
            }
            #expect(batches == [2, 1])
            #expect(Set(seen) == Set(cards.map { $0.id! }) && seen.count == 3)
        }
    }
}
