import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct StoreScopeTests {
    func currentStore(_ app: Application, token: String, header: StoreModel? = nil) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = [:]
        if let header { headers.add(name: "X-Store-Id", value: try header.requireID().uuidString) }
        return try await app.send(.GET, "/api/v1/store/current", token: token, headers: headers)
    }

    @Test func storeStaffActInTheirOwnStore() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            let cashier = try await app.token(for: tenants.a.cashier1)
            let own = try await currentStore(app, token: cashier)
            #expect(own.status == .ok)
            #expect(try own.json["id"]?.uuid == tenants.a.store1.id)
            #expect(try await currentStore(app, token: cashier, header: tenants.a.store1).status == .ok)
        }
    }

    @Test func storeStaffCallingAnotherStoreOfTheirMerchantIsForbidden() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            let response = try await currentStore(app, token: try await app.token(for: tenants.a.manager1), header: tenants.a.store2)
            #expect(response.status == .forbidden)
            #expect(response.errorCode == "forbidden")
        }
    }

    @Test func anotherMerchantsStoreIsNotFound() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            for user in [tenants.a.cashier1, tenants.a.owner] {
                let response = try await currentStore(app, token: try await app.token(for: user), header: tenants.b.store1)
                #expect(response.status == .notFound)
                #expect(response.errorCode == "not_found")
            }
        }
    }

    @Test func ownersNameTheStoreTheyActIn() async throws {
        try await withTestApp { app, _ in
            let tenants = try await TwoTenants.make(in: app)
            let owner = try await app.token(for: tenants.a.owner)
            let missing = try await currentStore(app, token: owner)
            #expect(missing.status == .badRequest)
            #expect(try missing.json["error"]?["details"]?["fields"]?["X-Store-Id"] != nil)
            let named = try await currentStore(app, token: owner, header: tenants.a.store2)
            #expect(try named.json["id"]?.uuid == tenants.a.store2.id)
            let garbage = try await app.send(.GET, "/api/v1/store/current", token: owner, headers: ["X-Store-Id": "store-2"])
            #expect(garbage.errorCode == "validation_failed")
        }
    }
}
