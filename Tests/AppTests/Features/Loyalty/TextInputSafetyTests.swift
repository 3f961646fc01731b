import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// Text a database cannot store (a NUL character) or that exceeds its field's limit is a 422
/// naming the field, on both engines, never a server error from PostgreSQL.
@Suite struct TextInputSafetyTests {
    static let nul = "a\u{0}b"

    /// One request per request type with text fields, with `value` in `field`.
    static func requests(_ counter: Counter, field: String, value: String) -> [(HTTPMethod, String, [String: JSONValue], String)] {
        let card = JSONValue.string(counter.cardID.uuidString)
        let text = JSONValue.string(value)
        return [
            (.POST, "/stamp", ["card_id": card, "staff_pin": "4826", "notes": text], "notes"),
            (.POST, "/stamp/redeem", ["card_id": card, "staff_pin": "4826", "notes": text], "notes"),
            (.POST, "/points/earn", ["card_id": card, "staff_pin": "4826", "purchase_amount_cents": 100, "order_reference": text], "order_reference"),
            (.POST, "/points/earn", ["card_id": card, "staff_pin": "4826", "purchase_amount_cents": 100, "notes": text], "notes"),
            (.POST, "/points/redeem", ["card_id": card, "staff_pin": "4826", "reward_id": .string(UUID().uuidString), "notes": text], "notes"),
            (.POST, "/stamp/void", ["transaction_id": .string(UUID().uuidString), "reason": text, "staff_pin": "4826"], "reason"),
            (.POST, "/points/void", ["transaction_id": .string(UUID().uuidString), "reason": text, "staff_pin": "4826"], "reason"),
            (.POST, "/cards/\(counter.cardID)/points/adjust", ["points_delta": 5, "reason": text], "reason"),
            (.POST, "/stamp", ["qr_code": text, "staff_pin": "4826"], "qr_code"),
            (.POST, "/pins", ["name": text, "pin": "5173"], "name"),
            (.PATCH, "/pins/\(counter.pin.id!)", ["name": text], "name"),
            (.PATCH, "/program", ["card_name": text], "card_name"),
            (.PATCH, "/program", ["stamps_reward_description": text], "stamps_reward_description"),
            (.PATCH, "/program", ["google_issuer_id": text], "google_issuer_id"),
            (.PATCH, "/program", ["google_class_id": text], "google_class_id"),
            (.PATCH, "/program", ["apple_pass_type_id": text], "apple_pass_type_id"),
            (.PATCH, "/program", ["card_color": text], "card_color"),
            (.PATCH, "/program", ["logo_url": text], "logo_url"),
            (.PATCH, "/program", ["rewards": [["name": text, "points_cost": 10]]], "rewards[0].name"),
            (.POST, "/cards/enroll", ["customer": ["name": text, "email": "c@shop.test"]], "customer.name"),
            (.POST, "/cards/enroll", ["customer": ["name": "C", "email": text]], "customer.email"),
        ]
    }

    static func expectRefused(_ response: TestingHTTPResponse, field: String, _ what: String) throws {
        #expect(response.status == .unprocessableEntity, "\(what): \(response.status.code) \(String(buffer: response.body))")
        #expect(response.errorCode == "validation_failed", "\(what)")
        #expect(try response.json["error"]?["details"]?["fields"]?[field] != nil, "\(what): \(String(buffer: response.body))")
    }

    @Test func nulCharactersAreRefusedInEveryTextField() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            for (method, path, json, field) in Self.requests(counter, field: "", value: Self.nul) {
                let response = try await app.counterRequest(counter, method, path, json: json, token: counter.ownerToken)
                try Self.expectRefused(response, field: field, "\(method) \(path) \(field)")
            }
            #expect(try await app.ledgerRows(of: counter).isEmpty)
        }
    }

    @Test func overLongTextIsRefusedInEveryTextField() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let long = String(repeating: "x", count: 20_001)
            for (method, path, json, field) in Self.requests(counter, field: "", value: long) {
                let response = try await app.counterRequest(counter, method, path, json: json, token: counter.ownerToken)
                try Self.expectRefused(response, field: field, "\(method) \(path) \(field)")
            }
            // One character carrying thousands of combining marks is long too.
            let heavy = "e" + String(repeating: "\u{301}", count: 10_000)
            let response = try await app.counterRequest(
                counter, .PATCH, "/program", json: ["google_issuer_id": .string(heavy)], token: counter.ownerToken)
            try Self.expectRefused(response, field: "google_issuer_id", "combining marks")
        }
    }

    @Test func textJustInsideTheLimitIsStored() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let response = try await app.counterRequest(
                counter, .PATCH, "/program", json: ["google_issuer_id": .string(String(repeating: "é", count: FieldRules.maximumTextLength))],
                token: counter.ownerToken)
            #expect(response.status == .ok)
        }
    }

    @Test func nulCharactersInSearchesAndPathsAreRefusedOrNotFound() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            for path in ["/api/v1/store/loyalty/cards?q=a%00b", "/api/v1/store/customers?q=a%00b"] {
                let response = try await app.send(.GET, path, token: counter.cashierToken)
                try Self.expectRefused(response, field: "q", path)
            }
            let merchantCards = try await app.send(.GET, "/api/v1/merchants/loyalty/cards?q=a%00b", token: counter.ownerToken)
            try Self.expectRefused(merchantCards, field: "q", "merchant cards")
            // A store code is never stored with a NUL: no such store.
            #expect(try await app.send(.GET, "/api/v1/loyalty/programs/AB%00C").status == .notFound)
        }
    }
}
