import Fluent
import Foundation
import LoyaltyCore
import Vapor

@testable import App

/// Builds tenants and accounts directly in the database, and tokens without an HTTP login, so
/// a test spends its requests on the behaviour it checks.
extension Application {
    static let fixturePassword = "correct-horse-battery"

    func makeMerchant(_ name: String = "Merchant") async throws -> MerchantModel {
        let merchant = MerchantModel(name: name, contactEmail: "\(UUID().uuidString.prefix(8).lowercased())@merchant.test")
        try await merchant.create(on: db)
        return merchant
    }

    func makeStore(of merchant: MerchantModel, code: String? = nil) async throws -> StoreModel {
        let code = code ?? "S-" + UUID().uuidString.prefix(8)
        let store = StoreModel(merchantID: try merchant.requireID(), name: "Store \(code)", code: code, timezone: "Europe/Luxembourg")
        try await store.create(on: db)
        return store
    }

    func makeUser(
        _ role: Role,
        merchant: MerchantModel? = nil,
        store: StoreModel? = nil,
        email: String? = nil
    ) async throws -> UserModel {
        let user = UserModel(
            email: email ?? "\(role.rawValue).\(UUID().uuidString.prefix(8).lowercased())@staff.test",
            passwordHash: try await passwordHashing.hash(Self.fixturePassword),
            name: nil, role: role, merchantID: try merchant?.requireID(), storeID: try store?.requireID())
        try await user.create(on: db)
        return user
    }

    func makeCustomer(of merchant: MerchantModel, email: String? = nil, name: String = "Customer") async throws -> CustomerModel {
        let customer = CustomerModel(
            merchantID: try merchant.requireID(), name: name, email: email, phone: nil, birthday: nil, locale: .english)
        try await customer.create(on: db)
        return customer
    }

    /// A live bearer token for `user`, as a login would give; long-lived by default so tests can
    /// move the clock through days.
    func token(for user: UserModel, lifetime: TimeInterval = 90 * 86_400) async throws -> String {
        try await TokenService(database: db, now: clock).issue(for: .user(user.requireID()), lifetime: lifetime).value
    }

    func token(for customer: CustomerModel) async throws -> String {
        try await TokenService(database: db, now: clock).issue(for: .customer(customer.requireID()), lifetime: 90 * 86_400).value
    }
}

/// Two merchants, each with two stores and staff in each: the cast of isolation tests.
struct TwoTenants {
    struct Tenant {
        let merchant: MerchantModel
        let store1: StoreModel
        let store2: StoreModel
        let owner: UserModel
        let manager1: UserModel
        let cashier1: UserModel
        let cashier2: UserModel
    }

    let admin: UserModel
    let a: Tenant
    let b: Tenant

    static func make(in app: Application) async throws -> TwoTenants {
        func tenant(_ name: String) async throws -> Tenant {
            let merchant = try await app.makeMerchant(name)
            let store1 = try await app.makeStore(of: merchant)
            let store2 = try await app.makeStore(of: merchant)
            return Tenant(
                merchant: merchant, store1: store1, store2: store2,
                owner: try await app.makeUser(.merchantOwner, merchant: merchant),
                manager1: try await app.makeUser(.storeManager, merchant: merchant, store: store1),
                cashier1: try await app.makeUser(.storeStaff, merchant: merchant, store: store1),
                cashier2: try await app.makeUser(.storeStaff, merchant: merchant, store: store2))
        }
        return TwoTenants(admin: try await app.makeUser(.platformAdmin), a: try await tenant("A"), b: try await tenant("B"))
    }
}
