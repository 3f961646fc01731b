import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct CardTests {
    @Test func enrollingGivesACardWithARandomCheckedNumberAndAnOpaqueQRCode() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let enrolled = try await app.counterRequest(
                counter, .POST, "/cards/enroll", json: ["customer": ["name": "Jean Reuter", "email": "jean@example.com"]])
            #expect(enrolled.status == .created)
            let body = try enrolled.json
            let number = try #require(body["card_number"]?.string)
            #expect(number.split(separator: " ").count == 4)
            #expect(CardNumber(number) != nil)
            let qr = try #require(body["qr_code_data"]?.string)
            #expect(qr.count >= 32 && !qr.lowercased().contains("jean"))
            #expect(body["stamp_count"]?.int == 0)
            #expect(body["points_balance"]?.int == 0)
            #expect(body["customer_name"]?.string == "Jean Reuter")

            let byQR = try await app.counterRequest(counter, .POST, "/cards/lookup", json: ["qr_code": .string(qr)])
            #expect(try byQR.json["id"] == body["id"])
            let byNumber = try await app.counterRequest(counter, .POST, "/cards/lookup", json: ["card_number": .string(number.replacingOccurrences(of: " ", with: ""))])
            #expect(try byNumber.json["id"] == body["id"])

            // The same e-mail again: that customer already has a card.
            let again = try await app.counterRequest(counter, .POST, "/cards/enroll", json: ["customer": ["name": "Jean", "email": "JEAN@example.com"]])
            #expect(again.errorCode == "already_enrolled")
            #expect(try again.json["error"]?["details"]?["card_id"] == body["id"])
        }
    }

    @Test func existingCustomersAreEnrolledById() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let customer = try await app.makeCustomer(of: counter.merchant, email: "claire@example.com")
            let enrolled = try await app.counterRequest(counter, .POST, "/cards/enroll", json: ["customer_id": .string(customer.id!.uuidString)])
            #expect(enrolled.status == .created)
            #expect(try enrolled.json["customer_id"]?.uuid == customer.id)

            let foreign = try await app.makeCustomer(of: try await app.makeMerchant())
            let refused = try await app.counterRequest(counter, .POST, "/cards/enroll", json: ["customer_id": .string(foreign.id!.uuidString)])
            #expect(refused.status == .notFound)
            let both = try await app.counterRequest(
                counter, .POST, "/cards/enroll", json: ["customer_id": .string(customer.id!.uuidString), "customer": ["name": "X"]])
            #expect(both.status == .unprocessableEntity)
            let badInline = try await app.counterRequest(counter, .POST, "/cards/enroll", json: ["customer": ["email": "nope"]])
            #expect(try badInline.json["error"]?["details"]?["fields"]?["customer.name"] != nil)
            #expect(try badInline.json["error"]?["details"]?["fields"]?["customer.email"] != nil)
        }
    }

    @Test func cardsAreListedSearchedAndShownWithinTheMerchant() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            for name in ["Anna Muller", "Bernard Klein"] {
                _ = try await app.counterRequest(counter, .POST, "/cards/enroll", json: ["customer": ["name": .string(name)]])
            }
            let all = try await app.counterRequest(counter, .GET, "/cards")
            #expect(try all.json["total"]?.int == 3)
            let found = try await app.counterRequest(counter, .GET, "/cards?q=bern")
            #expect(try found.json["items"]?.array?.compactMap { $0["customer_name"]?.string } == ["Bernard Klein"])
            let byNumber = try await app.counterRequest(counter, .GET, "/cards?q=\(counter.card.cardNumber.prefix(8))")
            #expect(try byNumber.json["items"]?[0]?["id"]?.uuid == counter.cardID)
            #expect(try await app.counterRequest(counter, .GET, "/cards/\(counter.cardID)").status == .ok)

            let other = try await Counter.make(in: app)
            #expect(try await app.counterRequest(counter, .GET, "/cards/\(other.cardID)").status == .notFound)
            let lookup = try await app.counterRequest(counter, .POST, "/cards/lookup", json: ["qr_code": .string(other.card.qrToken)])
            #expect(lookup.status == .notFound)
        }
    }

    @Test func enrollingNeedsAnActiveProgram() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            let response = try await app.send(
                .POST, "/api/v1/store/loyalty/cards/enroll", token: try await app.token(for: tenants.a.cashier1), json: ["customer": ["name": "X"]])
            #expect(response.status == .notFound)
            #expect(try await CustomerModel.query(on: app.db).count() == 0)
        }
    }
}
