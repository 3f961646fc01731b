import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct OnboardingTests {
    @Test func adminOnboardsAMerchantWithAStoreAndStaff() async throws {
        try await withTestApp { app, _ in
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))

            let merchant = try await app.send(
                .POST, "/api/v1/admin/merchants", token: admin, json: ["name": "Café Lumière", "contact_email": "Hello@Lumiere.lu"])
            #expect(merchant.status == .created)
            #expect(try merchant.json["contact_email"]?.string == "hello@lumiere.lu")
            let merchantID = try #require(try merchant.json["id"]?.uuid)

            let store = try await app.send(
                .POST, "/api/v1/admin/merchants/\(merchantID)/stores", token: admin,
                json: ["name": "Gare", "code": "lumiere-lux", "address": ["city": "Luxembourg", "country": "lu"]])
            #expect(store.status == .created)
            let storeBody = try store.json
            #expect(storeBody["code"]?.string == "LUMIERE-LUX")
            #expect(storeBody["timezone"]?.string == "Europe/Luxembourg")
            #expect(storeBody["address"]?["country"]?.string == "LU")
            #expect(storeBody["address"]?["line1"]?.isNull == true)
            let storeID = try #require(storeBody["id"]?.uuid)

            let user = try await app.send(
                .POST, "/api/v1/admin/merchants/\(merchantID)/users", token: admin,
                json: ["email": "cashier@lumiere.lu", "password": "long-enough-pw", "role": "store_staff", "store_id": .string(storeID.uuidString)])
            #expect(user.status == .created)
            #expect(try user.json["store_id"]?.uuid == storeID)
            #expect(try user.json["password_hash"] == nil)

            let login = try await app.send(.POST, "/api/v1/auth/login", json: ["email": "cashier@lumiere.lu", "password": "long-enough-pw"])
            #expect(login.status == .ok)

            let stores = try await app.send(.GET, "/api/v1/admin/merchants/\(merchantID)/stores", token: admin)
            #expect(try stores.json["total"]?.int == 1)
            #expect(try stores.json["items"]?[0]?["id"]?.uuid == storeID)
        }
    }

    @Test func everyWrongFieldIsNamedAndNothingIsCreated() async throws {
        try await withTestApp { app, _ in
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let merchant = try await app.makeMerchant()
            let response = try await app.send(
                .POST, "/api/v1/admin/merchants/\(try merchant.requireID())/stores", token: admin,
                json: ["name": "  ", "code": "a b", "timezone": "Mars/Olympus", "address": ["country": "Luxembourg"]])
            #expect(response.status == .unprocessableEntity)
            let fields = try #require(try response.json["error"]?["details"]?["fields"])
            #expect(fields["name"] != nil)
            #expect(fields["code"] != nil)
            #expect(fields["timezone"] != nil)
            #expect(fields["address.country"] != nil)
            #expect(try await StoreModel.query(on: app.db).count() == 0)
        }
    }

    @Test func wrongTypesNameTheField() async throws {
        try await withTestApp { app, _ in
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let response = try await app.send(.POST, "/api/v1/admin/merchants", token: admin, json: ["name": 42, "contact_email": "a@b.lu"])
            #expect(response.status == .unprocessableEntity)
            #expect(try response.json["error"]?["details"]?["fields"]?["name"]?.string == "must be a string")
        }
    }

    @Test func aStoreCodeIsTakenOnlyOnce() async throws {
        try await withTestApp { app, _ in
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let first = try await app.makeMerchant()
            let second = try await app.makeMerchant()
            _ = try await app.makeStore(of: first, code: "TAKEN")
            let response = try await app.send(
                .POST, "/api/v1/admin/merchants/\(try second.requireID())/stores", token: admin, json: ["name": "Other", "code": "taken"])
            #expect(response.status == .conflict)
            #expect(response.errorCode == "already_exists")
            #expect(try response.json["error"]?["details"]?["field"]?.string == "code")
            #expect(try await StoreModel.query(on: app.db).count() == 1)
        }
    }

    @Test func anEmailBelongsToOneAccount() async throws {
        try await withTestApp { app, _ in
            let owner = try await app.makeUser(.merchantOwner, merchant: try await app.makeMerchant())
            _ = try await app.makeUser(.platformAdmin, email: "taken@staff.test")
            let response = try await app.send(
                .POST, "/api/v1/merchants/users", token: try await app.token(for: owner),
                json: ["email": "TAKEN@staff.test", "password": "long-enough-pw", "role": "merchant_owner"])
            #expect(response.status == .conflict)
            #expect(response.errorCode == "already_exists")
        }
    }

    @Test(arguments: [
        (["role": "platform_admin"], "role"),
        (["role": "store_staff"], "store_id"),
        (["role": "cook"], "role"),
        (["role": "merchant_owner", "store_id": "00000000-0000-0000-0000-000000000001"], "store_id"),
    ] as [([String: JSONValue], String)])
    func rolesMustFitTheirScope(extra: [String: JSONValue], field: String) async throws {
        try await withTestApp { app, _ in
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let merchant = try await app.makeMerchant()
            var json: [String: JSONValue] = ["email": "new@staff.test", "password": "long-enough-pw"]
            json.merge(extra) { _, new in new }
            let response = try await app.send(.POST, "/api/v1/admin/merchants/\(try merchant.requireID())/users", token: admin, json: json)
            #expect(response.status == .unprocessableEntity)
            #expect(try response.json["error"]?["details"]?["fields"]?[field] != nil)
        }
    }

    @Test func ownersOnboardTheirOwnMerchantOnly() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            let ownerA = try await app.token(for: tenants.a.owner)

            let created = try await app.send(.POST, "/api/v1/merchants/stores", token: ownerA, json: ["name": "New", "code": "A-NEW"])
            #expect(created.status == .created)
            #expect(try created.json["merchant_id"]?.uuid == tenants.a.merchant.id)

            let stores = try await app.send(.GET, "/api/v1/merchants/stores", token: ownerA)
            let ids = Set(try stores.json["items"]?.array?.compactMap { $0["id"]?.uuid } ?? [])
            #expect(ids == Set([tenants.a.store1.id, tenants.a.store2.id, try created.json["id"]?.uuid].compactMap { $0 }))

            // A store of merchant B in the body is refused like a missing one.
            let foreign = try await app.send(
                .POST, "/api/v1/merchants/users", token: ownerA,
                json: ["email": "x@staff.test", "password": "long-enough-pw", "role": "store_staff",
                    "store_id": .string(try tenants.b.store1.requireID().uuidString)])
            #expect(foreign.status == .notFound)
            #expect(try await UserModel.query(on: app.db).filter(\.$email == "x@staff.test").count() == 0)

            // The platform admin sees every store: for them it is a wrong field, not a missing object.
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            for store in [try tenants.b.store1.requireID(), UUID()] {
                let wrong = try await app.send(
                    .POST, "/api/v1/admin/merchants/\(try tenants.a.merchant.requireID())/users", token: admin,
                    json: ["email": "y@staff.test", "password": "long-enough-pw", "role": "store_staff", "store_id": .string(store.uuidString)])
                #expect(wrong.status == .unprocessableEntity)
                #expect(try wrong.json["error"]?["details"]?["fields"]?["store_id"]?.string == "is not a store of this merchant")
            }
            #expect(try await UserModel.query(on: app.db).filter(\.$email == "y@staff.test").count() == 0)

            let users = try await app.send(.GET, "/api/v1/merchants/users", token: ownerA)
            let merchants = Set(try users.json["items"]?.array?.compactMap { $0["merchant_id"]?.uuid } ?? [])
            #expect(merchants == [tenants.a.merchant.id])
            #expect(try users.json["total"]?.int == 4)
        }
    }

    @Test func rolesReachOnlyTheirOwnGroups() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            let owner = try await app.token(for: tenants.a.owner)
            let manager = try await app.token(for: tenants.a.manager1)
            let admin = try await app.token(for: tenants.admin)

            #expect(try await app.send(.GET, "/api/v1/admin/merchants", token: owner).errorCode == "forbidden")
            #expect(try await app.send(.GET, "/api/v1/merchants/stores", token: manager).errorCode == "forbidden")
            #expect(try await app.send(.GET, "/api/v1/merchants/me", token: admin).errorCode == "forbidden")
            #expect(try await app.send(.GET, "/api/v1/store/current", token: admin).errorCode == "forbidden")
            #expect(try await app.send(.GET, "/api/v1/admin/merchants", token: admin).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/merchants/me", token: owner).status == .ok)
        }
    }

    @Test func unknownMerchantsAreNotFound() async throws {
        try await withTestApp { app, _ in
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            for path in ["/api/v1/admin/merchants/\(UUID())", "/api/v1/admin/merchants/\(UUID())/stores", "/api/v1/admin/merchants/nope/users"] {
                let response = try await app.send(.GET, path, token: admin)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.errorCode == "not_found")
            }
        }
    }

    @Test func listsArePaginated() async throws {
        try await withTestApp { app, _ in
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            for index in 0..<5 { _ = try await app.makeMerchant("M\(index)") }
            let page = try await app.send(.GET, "/api/v1/admin/merchants?page=2&per_page=2", token: admin)
            let body = try page.json
            #expect(body["total"]?.int == 5)
            #expect(body["page"]?.int == 2)
            #expect(body["per_page"]?.int == 2)
            #expect(body["items"]?.array?.compactMap { $0["name"]?.string } == ["M2", "M3"])

            // Found by schemathesis: (page - 1) * per_page overflowed and crashed the server.
            let huge = try await app.send(.GET, "/api/v1/admin/merchants?page=1152921504606846977", token: admin)
            #expect(huge.status == .unprocessableEntity)

            let bad = try await app.send(.GET, "/api/v1/admin/merchants?page=0&per_page=1000", token: admin)
            #expect(bad.errorCode == "validation_failed")
            #expect(try bad.json["error"]?["details"]?["fields"]?["page"] != nil)
            #expect(try bad.json["error"]?["details"]?["fields"]?["per_page"] != nil)
        }
    }
}
