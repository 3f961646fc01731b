import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// Every numeric field of every request, fed the numbers that break arithmetic: the extremes of
/// `Int`, just past them, zero, minus one, and decimals no integer holds, as raw JSON numbers.
///
/// Each answer must be a 2xx or a 4xx in the one error shape (never a 5xx, never a crash of
/// the test process), and afterwards every card's balance must still equal its ledger.
@Suite struct NumericInputPropertyTests {
    static let extremes = [
        "-9223372036854775808", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "0", "-1", "1",
        "1e308", "-1e308", "99999999999999999999999", "1.5", "-0.0", "1e2", "4.9e-324",
    ]

    /// A 2xx, or a 4xx with `{"error": {"code", "message", "details"}}`.
    static func expectClean(_ response: TestingHTTPResponse, _ what: String) throws {
        #expect(response.status.code < 500, "\(what) answered \(response.status.code): \(String(buffer: response.body))")
        guard response.status.code >= 400 else { return }
        let error = try response.json["error"]
        #expect(error?["code"]?.string?.isEmpty == false, "\(what): no error code")
        #expect(error?["message"]?.string != nil, "\(what): no error message")
        if case .object = error?["details"] {} else { Issue.record("\(what): details is not an object") }
    }

    static func expectLedgerHolds(_ app: Application) async throws {
        let report = try await LedgerVerification(database: app.db).verifyAll()
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(try await app.send(.GET, "/health/live").status == .ok)
    }

    /// Sends `body` (raw JSON) to a store endpoint as the owner acting in the counter's store.
    static func asOwner(_ app: Application, _ counter: Counter, _ method: HTTPMethod, _ path: String, _ body: String?) async throws
        -> TestingHTTPResponse
    {
        try await app.send(method, "/api/v1/store/loyalty" + path, token: counter.ownerToken, headers: counter.storeHeader, body: body)
    }

    @Test func adjustingByAnyNumberNeverCrashes() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            for value in Self.extremes {
                let response = try await Self.asOwner(
                    app, counter, .POST, "/cards/\(counter.cardID)/points/adjust", #"{"points_delta": \#(value), "reason": "test"}"#)
                try Self.expectClean(response, "adjust \(value)")
            }
            // Int.min in particular: refused as out of range, not a trap in abs().
            let minimum = try await Self.asOwner(
                app, counter, .POST, "/cards/\(counter.cardID)/points/adjust", #"{"points_delta": -9223372036854775808, "reason": "x"}"#)
            #expect(minimum.status == .unprocessableEntity)
            #expect(try minimum.json["error"]?["details"]?["fields"]?["points_delta"] != nil)
            try await Self.expectLedgerHolds(app)
        }
    }

    @Test func earningOnAnyAmountNeverCrashes() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            for path in ["/points/earn", "/points"] {
                for value in Self.extremes {
                    let body = #"{"card_id": "\#(counter.cardID)", "staff_pin": "4826", "purchase_amount_cents": \#(value)}"#
                    let response = try await app.send(
                        .POST, "/api/v1/store/loyalty" + path, token: counter.cashierToken, body: body)
                    try Self.expectClean(response, "\(path) \(value)")
                }
            }
            try await Self.expectLedgerHolds(app)
        }
    }

    static let programFields = ["stamps_target", "points_per_euro", "cooldown_minutes", "max_daily_stamps", "points_expiration_days"]

    @Test func programChangesWithAnyNumberNeverCrash() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            for field in Self.programFields {
                for value in Self.extremes {
                    for type in ["stamps", "points", "hybrid"] {
                        let body = #"{"loyalty_type": "\#(type)", "stamps_reward_description": "x", "\#(field)": \#(value)}"#
                        try Self.expectClean(try await Self.asOwner(app, counter, .PATCH, "/program", body), "PATCH \(type) \(field) \(value)")
                    }
                }
            }
            for value in Self.extremes {
                let body = #"{"loyalty_type": "points", "rewards": [{"name": "R", "points_cost": \#(value)}]}"#
                try Self.expectClean(try await Self.asOwner(app, counter, .PATCH, "/program", body), "PATCH points_cost \(value)")
            }
            // The program still works at the counter whatever was tried.
            let earn = try await app.send(
                .POST, "/api/v1/store/loyalty/points/earn", token: counter.cashierToken,
                body: #"{"card_id": "\#(counter.cardID)", "staff_pin": "4826", "purchase_amount_cents": 100000000}"#)
            try Self.expectClean(earn, "earn after program changes")
            try await Self.expectLedgerHolds(app)
        }
    }

    @Test func numbersOutsideAStampsProgramsFieldsAreStillChecked() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let body = #"{"loyalty_type": "stamps", "stamps_reward_description": "x", "points_per_euro": 9223372036854775807}"#
            let response = try await Self.asOwner(app, counter, .PATCH, "/program", body)
            #expect(response.status == .unprocessableEntity)
            #expect(try response.json["error"]?["details"]?["fields"]?["points_per_euro"] != nil)
        }
    }

    @Test func creatingAProgramWithAnyNumberNeverCrashes() async throws {
        try await withTestApp { app, _ in
            for field in Self.programFields + ["points_cost"] {
                for value in Self.extremes {
                    // A merchant without a program each time, so that valid numbers create one.
                    let merchant = try await app.makeMerchant()
                    let owner = try await app.token(for: try await app.makeUser(.merchantOwner, merchant: merchant))
                    let body =
                        field == "points_cost"
                        ? #"{"loyalty_type": "points", "rewards": [{"name": "R", "points_cost": \#(value)}]}"#
                        : #"{"loyalty_type": "hybrid", "stamps_reward_description": "x", "\#(field)": \#(value)}"#
                    let response = try await app.send(.POST, "/api/v1/merchants/loyalty/program", token: owner, body: body)
                    try Self.expectClean(response, "POST \(field) \(value)")
                }
            }
        }
    }

    @Test func paginationWithAnyNumberNeverCrashes() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let lists: [(String, String, HTTPHeaders)] = [
                ("/api/v1/store/loyalty/cards", counter.cashierToken, [:]),
                ("/api/v1/store/customers", counter.cashierToken, [:]),
                ("/api/v1/merchants/loyalty/cards", counter.ownerToken, [:]),
                ("/api/v1/merchants/loyalty/transactions", counter.ownerToken, [:]),
                ("/api/v1/merchants/stores", counter.ownerToken, [:]),
                ("/api/v1/admin/merchants", admin, [:]),
                ("/api/v1/admin/loyalty/programs", admin, [:]),
            ]
            for (path, token, headers) in lists {
                for value in Self.extremes {
                    for parameter in ["page", "per_page"] {
                        let response = try await app.send(.GET, "\(path)?\(parameter)=\(value)", token: token, headers: headers)
                        try Self.expectClean(response, "GET \(path)?\(parameter)=\(value)")
                    }
                }
            }
        }
    }

    @Test func settingsWithAnyNumberNeverCrash() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            for field in ["store_void_window_days", "allow_store_voids", "staff_pin_policy"] {
                for value in Self.extremes {
                    let response = try await app.send(
                        .PATCH, "/api/v1/admin/loyalty/merchants/\(counter.merchant.id!)/settings", token: admin, body: #"{"\#(field)": \#(value)}"#)
                    try Self.expectClean(response, "settings \(field) \(value)")
                }
            }
        }
    }

    @Test func numbersWhereTextIsExpectedNeverCrash() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            for value in Self.extremes {
                let requests: [(HTTPMethod, String, String)] = [
                    (.POST, "/pins", #"{"name": "N", "pin": \#(value)}"#),
                    (.PATCH, "/pins/\(counter.pin.id!)", #"{"pin": \#(value)}"#),
                    (.POST, "/stamp", #"{"card_id": "\#(counter.cardID)", "staff_pin": \#(value)}"#),
                    (.POST, "/stamp", #"{"card_number": \#(value), "staff_pin": "4826"}"#),
                    (.POST, "/stamp/void", #"{"transaction_id": \#(value), "reason": "x", "staff_pin": "4826"}"#),
                    (.POST, "/points/redeem", #"{"card_id": "\#(counter.cardID)", "staff_pin": "4826", "reward_id": \#(value)}"#),
                ]
                for (method, path, body) in requests {
                    try Self.expectClean(try await Self.asOwner(app, counter, method, path, body), "\(method) \(path) \(value)")
                }
            }
            try await Self.expectLedgerHolds(app)
        }
    }
}
