import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// An address given online is unverified: it never decides whose card the counter enrolls
/// (issue #8, item 8; decision 0008).
@Suite struct EmailSquattingTests {
    @Test func anAccountRegisteredWithSomeoneElsesAddressDoesNotCaptureTheirCounterCard() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let squatter = try await app.send(
                .POST, "/api/v1/storefront/auth/register",
                json: ["store_code": .string(counter.store.code), "email": "alice@example.com", "password": "squatter-password", "name": "Mallory"])
            #expect(squatter.status == .created)
            let squatterToken = try #require(try squatter.json["access_token"]?.string)
            let squatterID = try #require(try squatter.json["customer"]?["id"]?.uuid)

            // The real Alice enrolls at the counter with her address.
            let enrolled = try await app.counterRequest(
                counter, .POST, "/cards/enroll", json: ["customer": ["name": "Alice", "email": "alice@example.com"]])
            #expect(enrolled.status == .created)
            #expect(try enrolled.json["customer_id"]?.uuid != squatterID)
            #expect(try enrolled.json["customer_name"]?.string == "Alice")

            // The squatter's account has no card: the stamps Alice collects are not theirs to see.
            #expect(try await app.send(.GET, "/api/v1/storefront/loyalty/card", token: squatterToken).status == .notFound)
            #expect(try await CardModel.query(on: app.db).filter(\.$customer.$id == squatterID).count() == 0)
        }
    }

    @Test func aPublicEnrollmentWithSomeoneElsesAddressDoesNotCaptureTheirCounterCard() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let squatter = try await app.send(
                .POST, "/api/v1/loyalty/enroll/\(counter.store.code)", json: ["name": "Mallory", "email": "alice@example.com"])
            #expect(squatter.status == .created)
            let squatterCard = try #require(try await CardModel.query(on: app.db).filter(\.$linkTokenHash != nil).first())

            let enrolled = try await app.counterRequest(
                counter, .POST, "/cards/enroll", json: ["customer": ["name": "Alice", "email": "alice@example.com"]])
            #expect(enrolled.status == .created)
            #expect(try enrolled.json["id"]?.uuid != squatterCard.id)
            #expect(try enrolled.json["customer_id"]?.uuid != squatterCard.$customer.id)
        }
    }

    @Test func anAddressStaffEnteredStillFindsItsCustomerAtTheCounter() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let created = try await app.send(
                .POST, "/api/v1/store/customers", token: counter.cashierToken, json: ["name": "Jean", "email": "jean@example.com"])
            let customerID = try #require(try created.json["id"]?.uuid)
            let enrolled = try await app.counterRequest(
                counter, .POST, "/cards/enroll", json: ["customer": ["name": "Jean R.", "email": "jean@example.com"]])
            #expect(enrolled.status == .created)
            #expect(try enrolled.json["customer_id"]?.uuid == customerID)
        }
    }
}
