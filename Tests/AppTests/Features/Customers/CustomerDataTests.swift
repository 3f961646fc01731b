import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// Contact data changes, the export of everything held, and erasure (decision 0019).
@Suite struct CustomerDataTests {
    @Test func theOwnerChangesContactDataAndNullClearsAField() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let customerID = counter.card.$customer.id
            let path = "/api/v1/merchants/loyalty/customers/\(customerID)"
            let changed = try await app.send(
                .PATCH, path, token: counter.ownerToken,
                json: ["name": "Claire Weber", "email": "Claire@Example.com", "phone": "+352 621 123 456", "locale": "de"])
            #expect(changed.status == .ok)
            #expect(try changed.json["email"]?.string == "claire@example.com")
            #expect(try changed.json["locale"]?.string == "de")
            let cleared = try await app.send(.PATCH, path, token: counter.ownerToken, json: ["phone": .null])
            #expect(try cleared.json["phone"]?.isNull == true)
            #expect(try cleared.json["name"]?.string == "Claire Weber")

            let invalid = try await app.send(.PATCH, path, token: counter.ownerToken, json: ["email": "nope", "name": .null, "locale": "xx"])
            #expect(invalid.status == .unprocessableEntity)
            let fields = try invalid.json["error"]?["details"]?["fields"]
            #expect(fields?["email"] != nil && fields?["name"] != nil && fields?["locale"] != nil)
            #expect(try await CustomerModel.find(customerID, on: app.db)?.email == "claire@example.com")

            _ = try await app.makeCustomer(of: counter.merchant, email: "taken@example.com")
            let taken = try await app.send(.PATCH, path, token: counter.ownerToken, json: ["email": "taken@example.com"])
            #expect(taken.errorCode == "already_exists")
        }
    }

    @Test func theExportHoldsTheProfileCardsLedgerAndDevices() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            #expect(try await app.stamp(counter).status == .ok)
            try await AppleDeviceRegistrationModel(cardID: counter.cardID, deviceLibraryIdentifier: "device-1", pushToken: "ab12").create(on: app.db)
            let customerID = counter.card.$customer.id
            let export = try await app.send(.GET, "/api/v1/merchants/loyalty/customers/\(customerID)/export", token: counter.ownerToken)
            #expect(export.status == .ok)
            #expect(export.headers.first(name: .cacheControl) == "no-store")
            let body = try export.json
            #expect(body["customer"]?["id"]?.uuid == customerID)
            #expect(body["cards"]?[0]?["card"]?["id"]?.uuid == counter.cardID)
            #expect(body["cards"]?[0]?["transactions"]?[0]?["type"]?.string == "stamp_earned")
            #expect(body["cards"]?[0]?["apple_wallet_devices"]?[0]?["device_library_identifier"]?.string == "device-1")
            // No staff details: whose PIN or account stamped is about the shop's people.
            #expect(body["cards"]?[0]?["transactions"]?[0]?["staff_pin_id"] == nil)
        }
    }

    @Test func erasureRemovesPersonalDataBlocksTheCardsAndTheLedgerStillVerifies() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            #expect(try await app.stamp(counter).status == .ok)
            let customer = try #require(try await CustomerModel.find(counter.card.$customer.id, on: app.db))
            customer.email = "erase.me@example.com"
            customer.phone = "+352 621 999 999"
            customer.birthday = "1990-01-02"
            customer.passwordHash = try await app.passwordHashing.hash(Application.fixturePassword)
            try await customer.save(on: app.db)
            let customerToken = try await app.token(for: customer)
            let card = try await app.reloadCard(counter)
            card.linkTokenHash = TokenService.hash("erased-link")
            try await card.save(on: app.db)
            try await AppleDeviceRegistrationModel(cardID: counter.cardID, deviceLibraryIdentifier: "device-1", pushToken: "ab12").create(on: app.db)

            let erased = try await app.send(.DELETE, "/api/v1/merchants/loyalty/customers/\(customer.id!)", token: counter.ownerToken)
            #expect(erased.status == .ok)
            #expect(try erased.json["erased_at"]?.string != nil)
            let stored = try #require(try await CustomerModel.find(customer.id, on: app.db))
            #expect(stored.name.isEmpty && stored.email == nil && stored.phone == nil && stored.birthday == nil)
            #expect(stored.passwordHash == nil && stored.marketingConsentAt == nil)

            #expect(try await app.send(.GET, "/api/v1/storefront/auth/me", token: customerToken).status == .unauthorized)
            #expect(try await app.send(.GET, "/api/v1/loyalty/cards/erased-link").status != .ok)
            #expect(try await AppleDeviceRegistrationModel.query(on: app.db).count() == 0)
            clock.advance(by: 3_600)
            #expect(try await app.stamp(counter).errorCode == "card_blocked")
            let report = try await LedgerVerification(database: app.db).verifyAll()
            #expect(report.problems.isEmpty && report.rowsChecked == 1)

            // Again: nothing more to erase, the same answer; contact data can no longer be set.
            #expect(try await app.send(.DELETE, "/api/v1/merchants/loyalty/customers/\(customer.id!)", token: counter.ownerToken).status == .ok)
            let update = try await app.send(.PATCH, "/api/v1/merchants/loyalty/customers/\(customer.id!)", token: counter.ownerToken, json: ["name": "Back"])
            #expect(update.errorCode == "customer_erased")
        }
    }

    @Test func thePlatformAdminErasesAndAnotherOwnerCannot() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            let customerID = counter.card.$customer.id
            let foreign = try await app.send(.DELETE, "/api/v1/merchants/loyalty/customers/\(customerID)", token: other.ownerToken)
            #expect(foreign.status == .notFound)
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let erased = try await app.send(
                .DELETE, "/api/v1/admin/loyalty/merchants/\(counter.merchant.id!)/customers/\(customerID)", token: admin)
            #expect(erased.status == .ok)
            #expect(try await app.reloadCard(counter).blockedReason == CustomerModel.erasedReason)
        }
    }

    @Test func aCustomerChangesAndExportsTheirOwnData() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let registered = try await app.send(
                .POST, "/api/v1/storefront/auth/register",
                json: ["store_code": .string(counter.store.code), "email": "me@example.com", "password": "my-long-password", "name": "Me"])
            let token = try #require(try registered.json["access_token"]?.string)
            let changed = try await app.send(.PATCH, "/api/v1/storefront/auth/me", token: token, json: ["name": "Me Myself", "marketing_consent": true])
            #expect(changed.status == .ok)
            #expect(try changed.json["name"]?.string == "Me Myself")
            #expect(try changed.json["marketing_consent_at"]?.string != nil)
            let export = try await app.send(.GET, "/api/v1/storefront/auth/me/export", token: token)
            #expect(try export.json["customer"]?["name"]?.string == "Me Myself")
            #expect(try export.json["cards"]?.array?.isEmpty == true)
            // An address the customer gives is theirs to log in with, but never decides a counter card.
            #expect(try await CustomerModel.query(on: app.db).filter(\.$email == "me@example.com").first()?.emailFromStaff == false)
        }
    }
}
