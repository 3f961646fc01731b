import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct StoreCustomerTests {
    @Test func theCounterCreatesFindsAndSearchesCustomers() async throws {
        try await withTestApp { app, clock in
            let tenants = try await TwoTenants.make(in: app)
            let cashier = try await app.token(for: tenants.a.cashier1)

            let created = try await app.send(
                .POST, "/api/v1/store/customers", token: cashier,
                json: [
                    "name": "Claire Dupont", "email": "Claire@Example.com", "phone": "+352 621 123 456", "birthday": "1990-05-17",
                    "locale": "fr", "marketing_consent": true,
                ])
            #expect(created.status == .created)
            let body = try created.json
            #expect(body["email"]?.string == "claire@example.com")
            #expect(body["merchant_id"]?.uuid == tenants.a.merchant.id)
            #expect(body["marketing_consent_at"]?.string == ISO8601DateFormatter().string(from: clock.now))
            #expect(body["has_account"]?.bool == false)
            let id = try #require(body["id"]?.uuid)

            // The other store of the same merchant sees the customer: cards work in every store.
            let otherStore = try await app.send(.GET, "/api/v1/store/customers/\(id)", token: try await app.token(for: tenants.a.cashier2))
            #expect(otherStore.status == .ok)

            _ = try await app.makeCustomer(of: tenants.a.merchant, email: "bob@example.com", name: "Bob 100%_Test")
            for (query, expected) in [("cla", ["Claire Dupont"]), ("BOB 100%_", ["Bob 100%_Test"]), ("claire@", ["Claire Dupont"]),
                ("+352 621 123 456", ["Claire Dupont"]), ("100", [])]
            {
                let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
                let found = try await app.send(.GET, "/api/v1/store/customers?q=\(encoded)", token: cashier)
                #expect(try found.json["items"]?.array?.compactMap { $0["name"]?.string } == expected, "q=\(query)")
            }
        }
    }

    @Test func anotherMerchantsCustomerIsNotFound() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            let customerOfB = try await app.makeCustomer(of: tenants.b.merchant, email: "b@example.com")
            let cashierA = try await app.token(for: tenants.a.cashier1)
            let response = try await app.send(.GET, "/api/v1/store/customers/\(try customerOfB.requireID())", token: cashierA)
            #expect(response.status == .notFound)
            let list = try await app.send(.GET, "/api/v1/store/customers", token: cashierA)
            #expect(try list.json["total"]?.int == 0)
        }
    }

    @Test func anEmailIsOneCustomerPerMerchantButMayRecurAcrossMerchants() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            _ = try await app.makeCustomer(of: tenants.a.merchant, email: "same@example.com")
            let again = try await app.send(
                .POST, "/api/v1/store/customers", token: try await app.token(for: tenants.a.cashier1),
                json: ["name": "Same", "email": "same@example.com"])
            #expect(again.status == .conflict)
            #expect(again.errorCode == "already_exists")
            let otherMerchant = try await app.send(
                .POST, "/api/v1/store/customers", token: try await app.token(for: tenants.b.cashier1),
                json: ["name": "Same", "email": "same@example.com"])
            #expect(otherMerchant.status == .created)
        }
    }

    @Test func aBlankOptionalFieldIsAnErrorNotAnAbsence() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            let response = try await app.send(
                .POST, "/api/v1/store/customers", token: try await app.token(for: tenants.a.cashier1), json: ["name": "Ann", "email": "  ", "phone": .null])
            #expect(try response.json["error"]?["details"]?["fields"]?["email"] != nil)
            #expect(try response.json["error"]?["details"]?["fields"]?["phone"] == nil)
        }
    }

    @Test func badProfilesNameEveryField() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            let response = try await app.send(
                .POST, "/api/v1/store/customers", token: try await app.token(for: tenants.a.cashier1),
                json: ["email": "nope", "phone": "call me", "birthday": "1990-02-30", "locale": "xx"])
            let fields = try #require(try response.json["error"]?["details"]?["fields"])
            #expect(Set(["name", "email", "phone", "birthday", "locale"]).allSatisfy { fields[$0] != nil })
            #expect(try await CustomerModel.query(on: app.db).count() == 0)
        }
    }
}

@Suite struct StorefrontAccountTests {
    func register(_ app: Application, code: String, email: String) async throws -> TestingHTTPResponse {
        try await app.send(
            .POST, "/api/v1/storefront/auth/register",
            json: ["store_code": .string(code), "email": .string(email), "password": "long-enough-pw", "name": "Claire"])
    }

    @Test func customersRegisterSignInAndSeeThemselves() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant()
            _ = try await app.makeStore(of: merchant, code: "SHOP-1")
            let registered = try await register(app, code: "shop-1", email: "claire@example.com")
            #expect(registered.status == .created)
            #expect(try registered.json["customer"]?["has_account"]?.bool == true)
            #expect(try registered.json["token_type"]?.string == "bearer")

            let login = try await app.send(
                .POST, "/api/v1/storefront/auth/login",
                json: ["store_code": "SHOP-1", "email": "claire@example.com", "password": "long-enough-pw"])
            #expect(login.status == .ok)
            let token = try #require(try login.json["access_token"]?.string)
            let me = try await app.send(.GET, "/api/v1/storefront/auth/me", token: token)
            #expect(try me.json["email"]?.string == "claire@example.com")

            #expect(try await app.send(.POST, "/api/v1/storefront/auth/logout", token: token).status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/storefront/auth/me", token: token).status == .unauthorized)
        }
    }

    @Test func accountsBelongToOneMerchant() async throws {
        try await withTestApp { app, _ in
            let first = try await app.makeMerchant()
            let second = try await app.makeMerchant()
            _ = try await app.makeStore(of: first, code: "FIRST")
            _ = try await app.makeStore(of: second, code: "SECOND")
            #expect(try await register(app, code: "FIRST", email: "claire@example.com").status == .created)
            let elsewhere = try await app.send(
                .POST, "/api/v1/storefront/auth/login",
                json: ["store_code": "SECOND", "email": "claire@example.com", "password": "long-enough-pw"])
            #expect(elsewhere.status == .unauthorized)
            #expect(try await register(app, code: "SECOND", email: "claire@example.com").status == .created)
        }
    }

    @Test func staffTokensDoNotOpenTheStorefront() async throws {
        try await withTestApp { app, _ in
            let token = try await app.token(for: try await app.makeUser(.platformAdmin))
            #expect(try await app.send(.GET, "/api/v1/storefront/auth/me", token: token).status == .unauthorized)
        }
    }

    @Test func aKnownEmailCannotBeClaimedByRegistering() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant()
            _ = try await app.makeStore(of: merchant, code: "SHOP-1")
            _ = try await app.makeCustomer(of: merchant, email: "walkin@example.com")
            let response = try await register(app, code: "SHOP-1", email: "walkin@example.com")
            #expect(response.status == .conflict)
            let stored = try await CustomerModel.query(on: app.db).filter(\.$email == "walkin@example.com").all()
            #expect(stored.count == 1 && stored[0].passwordHash == nil)
        }
    }

    @Test func unknownStoreCodesAreNotFound() async throws {
        try await withTestApp { app, _ in
            let response = try await register(app, code: "NOWHERE", email: "a@example.com")
            #expect(response.status == .notFound)
            #expect(try await CustomerModel.query(on: app.db).count() == 0)
        }
    }
}
