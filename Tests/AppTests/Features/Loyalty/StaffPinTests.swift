import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct StaffPinTests {
    @Test func managersCreateListChangeAndDeletePinsOfTheirStore() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let manager = try await app.token(for: try await app.makeUser(.storeManager, merchant: counter.merchant, store: counter.store))
            let created = try await app.counterRequest(counter, .POST, "/pins", json: ["name": "Marc", "pin": "5173"], token: manager)
            #expect(created.status == .created)
            let id = try #require(try created.json["id"]?.string)
            #expect(try created.json["pin"] == nil && created.json["pin_hash"] == nil)

            let list = try await app.counterRequest(counter, .GET, "/pins", token: manager)
            #expect(try list.json.array?.compactMap { $0["name"]?.string } == ["Marc", "Sophie"])

            let renamed = try await app.counterRequest(counter, .PATCH, "/pins/\(id)", json: ["name": "Marc W.", "pin": "5184"], token: manager)
            #expect(try renamed.json["name"]?.string == "Marc W.")
            #expect(try await app.counterRequest(counter, .DELETE, "/pins/\(id)", token: manager).status == .noContent)
            #expect(try await app.counterRequest(counter, .DELETE, "/pins/\(id)", token: manager).status == .notFound)

            #expect(try await app.counterRequest(counter, .GET, "/pins").errorCode == "forbidden")  // a cashier
        }
    }

    @Test(arguments: ["1234", "0000", "12", "12ab"])
    func weakOrMalformedPinsAreRefused(_ pin: String) async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let response = try await app.counterRequest(counter, .POST, "/pins", json: ["name": "X", "pin": .string(pin)], token: counter.ownerToken)
            #expect(response.status == .unprocessableEntity)
            #expect(try response.json["error"]?["details"]?["fields"]?["pin"] != nil)
        }
    }

    @Test func aPinNamesOneStaffMemberWithinTheMerchant() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let taken = try await app.counterRequest(counter, .POST, "/pins", json: ["name": "Twin", "pin": "4826"], token: counter.ownerToken)
            #expect(taken.status == .conflict)
            // Another merchant may use the same digits.
            let other = try await Counter.make(in: app)
            #expect(other.pin.pinHash != counter.pin.pinHash)
        }
    }

    @Test func pinsAreStoredAsKeyedHashes() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let stored = try #require(try await StaffPinModel.find(counter.pin.id, on: app.db))
            #expect(!stored.pinHash.contains("4826"))
            #expect(stored.pinHash.count == 64)
            // Without the server's key the hash is not the plain SHA-256 of the PIN, nor of merchant:PIN.
            #expect(stored.pinHash != LedgerHashing.sha256Hex("4826"))
            #expect(stored.pinHash != LedgerHashing.sha256Hex("\(counter.merchant.id!.uuidString.lowercased()):4826"))
            #expect(PinHasher(secretKey: String(repeating: "z", count: 64)).hash(pin: "4826", merchantID: counter.merchant.id!) != stored.pinHash)
        }
    }

    @Test func wrongPinsAtTheTerminalLockItAtTheLimit() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            for remaining in [4, 3, 2, 1] {
                let wrong = try await app.stamp(counter, pin: "9753")
                #expect(wrong.errorCode == "invalid_pin")
                #expect(try wrong.json["error"]?["details"]?["attempts_remaining"]?.int == remaining)
            }
            let locking = try await app.stamp(counter, pin: "9753")
            #expect(locking.status == .locked)
            #expect(locking.errorCode == "pin_locked")
            #expect(try locking.json["error"]?["details"]?["locked_until"]?.string == clock.now.addingTimeInterval(1_800).formatted(.iso8601))
            // Locked: even the right PIN waits.
            #expect(try await app.stamp(counter).errorCode == "pin_locked")
            #expect(try await app.ledgerRows(of: counter).isEmpty)
            clock.advance(by: 1_800)
            #expect(try await app.stamp(counter).status == .ok)
        }
    }

    @Test func wrongPinsNamingAStaffMemberLockThemAndThisTerminal() async throws {
        try await withTestApp(adjust: { $0.antiFraud.pinMaxFailedAttempts = 2 }) { app, _ in
            let counter = try await Counter.make(in: app)
            let named = ["card_id": JSONValue.string(counter.cardID.uuidString), "staff_pin": "9753", "staff_pin_id": .string(counter.pin.id!.uuidString)]
            #expect(try await app.counterRequest(counter, .POST, "/stamp", json: named).errorCode == "invalid_pin")
            #expect(try await app.counterRequest(counter, .POST, "/stamp", json: named).errorCode == "pin_locked")
            let pins = try await app.counterRequest(counter, .GET, "/pins", token: counter.ownerToken)
            #expect(try pins.json[0]?["is_locked"]?.bool == true)

            // Another terminal (another account) is not locked: another staff member's PIN works there.
            _ = try await app.makePin("7391", in: counter.store, name: "Anna")
            let otherTerminal = try await app.token(for: try await app.makeUser(.storeStaff, merchant: counter.merchant, store: counter.store))
            #expect(try await app.stamp(counter, pin: "7391").errorCode == "pin_locked")
            #expect(
                try await app.counterRequest(
                    counter, .POST, "/stamp", json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "7391"], token: otherTerminal
                ).status == .ok)

            // A manager unlocks Sophie.
            let unlocked = try await app.counterRequest(counter, .POST, "/pins/\(counter.pin.id!)/unlock", token: counter.ownerToken)
            #expect(try unlocked.json["is_locked"]?.bool == false)
            #expect(try unlocked.json["failed_attempts"]?.int == 0)
        }
    }

    @Test func aPinOfAnotherStoreDoesNotWorkHere() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let otherStore = try await app.makeStore(of: counter.merchant)
            _ = try await app.makePin("7391", in: otherStore)
            #expect(try await app.stamp(counter, pin: "7391").errorCode == "invalid_pin")
        }
    }
}
