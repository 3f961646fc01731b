import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// The three ways insiders used to guess colleagues' PINs without limit
/// (docs/decisions/0013-pin-failure-counting.md), each now closed.
@Suite struct PinFailureCountingTests {
    static func stamp(_ app: Application, _ counter: Counter, pin: String, named: UUID? = nil, token: String? = nil) async throws
        -> TestingHTTPResponse
    {
        var json: [String: JSONValue] = ["card_id": .string(counter.cardID.uuidString), "staff_pin": .string(pin)]
        if let named { json["staff_pin_id"] = .string(named.uuidString) }
        return try await app.counterRequest(counter, .POST, "/stamp", json: json, token: token)
    }

    /// Another cashier account of the counter's store: another terminal.
    static func secondTerminal(_ app: Application, _ counter: Counter) async throws -> String {
        try await app.token(for: try await app.makeUser(.storeStaff, merchant: counter.merchant, store: counter.store))
    }

    @Test func aColleaguesCorrectPinDoesNotResetTheGuessesCount() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            _ = try await app.makePin("7391", in: counter.store, name: "Anna")
            for remaining in [4, 3, 2, 1] {
                #expect(try await Self.stamp(app, counter, pin: "9753").json["error"]?["details"]?["attempts_remaining"]?.int == remaining)
            }
            // The guesser types their own PIN: it works (it is theirs) ...
            #expect(try await Self.stamp(app, counter, pin: "7391").status == .ok)
            // ... but buys no fresh guesses: the next wrong one is the fifth.
            let fifth = try await Self.stamp(app, counter, pin: "9754")
            #expect(fifth.status == .locked)
            #expect(fifth.errorCode == "pin_locked")
        }
    }

    @Test func namedAndAnonymousGuessesShareOneBudget() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let anna = try await app.makePin("7391", in: counter.store, name: "Anna")
            _ = try await Self.stamp(app, counter, pin: "9753")
            _ = try await Self.stamp(app, counter, pin: "9754", named: counter.pin.id)
            _ = try await Self.stamp(app, counter, pin: "9755", named: anna.id)
            let fourth = try await Self.stamp(app, counter, pin: "9756")
            #expect(try fourth.json["error"]?["details"]?["attempts_remaining"]?.int == 1)
            // Switching to a named guess at yet another colleague does not open a new budget.
            let fifth = try await Self.stamp(app, counter, pin: "9757", named: anna.id)
            #expect(fifth.errorCode == "pin_locked")
            #expect(try await Self.stamp(app, counter, pin: "9758").errorCode == "pin_locked")
        }
    }

    @Test func aLockedColleaguesPinIsAnsweredAndCountedLikeAWrongOne() async throws {
        try await withTestApp(adjust: { $0.antiFraud.pinMaxFailedAttempts = 3 }) { app, clock in
            let counter = try await Counter.make(in: app)
            // Someone at another terminal locks Sophie by naming her.
            let elsewhere = try await Self.secondTerminal(app, counter)
            for _ in 0..<3 { _ = try await Self.stamp(app, counter, pin: "9753", named: counter.pin.id, token: elsewhere) }
            #expect(try await StaffPinModel.find(counter.pin.id, on: app.db)?.lockout.lockEnd(at: clock.now) != nil)

            // Here, guessing her PIN and guessing a wrong one look the same ...
            let match = try await Self.stamp(app, counter, pin: Counter.pinCode)
            let thirdTerminal = try await Self.secondTerminal(app, counter)
            let wrong = try await Self.stamp(app, counter, pin: "9753", token: thirdTerminal)
            #expect(match.status == wrong.status)
            #expect(match.status == .forbidden)
            #expect(match.errorCode == "invalid_pin")
            #expect(try match.json["error"]?["details"] == wrong.json["error"]?["details"])
            #expect(try match.json["error"]?["message"] == wrong.json["error"]?["message"])
            // ... and the match counted: two more and this terminal is locked.
            #expect(try await Self.stamp(app, counter, pin: "9754").json["error"]?["details"]?["attempts_remaining"]?.int == 1)
            #expect(try await Self.stamp(app, counter, pin: Counter.pinCode).errorCode == "pin_locked")
            #expect(try await app.ledgerRows(of: counter).isEmpty)

            // Once the lockouts are over, Sophie works again at a terminal of her own.
            clock.advance(by: 1_800)
            let sophie = try await Self.secondTerminal(app, counter)
            #expect(try await Self.stamp(app, counter, pin: Counter.pinCode, token: sophie).status == .ok)
        }
    }

    @Test func aManagersUnlockAlsoClearsTheTerminalsOfTheStore() async throws {
        try await withTestApp(adjust: { $0.antiFraud.pinMaxFailedAttempts = 2 }) { app, _ in
            let counter = try await Counter.make(in: app)
            _ = try await Self.stamp(app, counter, pin: "9753", named: counter.pin.id)
            #expect(try await Self.stamp(app, counter, pin: "9754", named: counter.pin.id).errorCode == "pin_locked")
            #expect(try await Self.stamp(app, counter, pin: Counter.pinCode).errorCode == "pin_locked")

            let unlocked = try await app.counterRequest(counter, .POST, "/pins/\(counter.pin.id!)/unlock", token: counter.ownerToken)
            #expect(unlocked.status == .ok)
            #expect(try await Self.stamp(app, counter, pin: Counter.pinCode).status == .ok)
        }
    }

    @Test func typosOfAnEarlierSeriesAreForgottenAfterTheLockoutTime() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            for _ in 0..<4 { _ = try await Self.stamp(app, counter, pin: "9753") }
            clock.advance(by: 1_800)
            let fresh = try await Self.stamp(app, counter, pin: "9753")
            #expect(try fresh.json["error"]?["details"]?["attempts_remaining"]?.int == 4)
        }
    }
}
