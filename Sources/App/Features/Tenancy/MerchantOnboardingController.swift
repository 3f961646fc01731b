import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Stores and staff accounts of one merchant. Mounted twice with the same handlers:
/// under `/admin/merchants/{merchant_id}` for the platform admin and under `/merchants` for an
/// owner, whose merchant comes from the token. `merchantID` is the only difference.
struct MerchantOnboardingController: RouteCollection {
    /// Which merchant the request is about; throws `not_found` for one the caller may not see.
    let merchantID: @Sendable (Request) async throws -> UUID
    /// The answer to a new user's `store_id` that is not a store of the merchant. An owner gets
    /// `not_found`, as for any object of another tenant; the platform admin, whose tenant is
    /// every merchant, gets a 422 naming the field: the store exists for them, just not here.
    var storeOutsideMerchant = APIError.notFound("The store")

    /// Roles these endpoints may create: never a platform admin (that is `loyalty create-admin`).
    static let creatableRoles: [Role] = [.merchantOwner, .storeManager, .storeStaff]

    func boot(routes: any RoutesBuilder) throws {
        routes.post("stores", use: createStore)
        routes.get("stores", use: listStores)
        routes.post("users", use: createUser)
        routes.get("users", use: listUsers)
    }

    @Sendable
    func createStore(req: Request) async throws -> Response {
        let merchantID = try await merchantID(req)
        let store = try req.content.decode(CreateStoreRequest.self).validated()
        let created = try await req.tenancy.createStore(store, merchantID: merchantID)
        return try await StoreResponse(created).encodeResponse(status: .created, for: req)
    }

    @Sendable
    func listStores(req: Request) async throws -> Page<StoreResponse> {
        let page = try PageRequest(from: req)
        return try await req.tenancy.stores(ofMerchant: try await merchantID(req), page: page)
    }

    @Sendable
    func createUser(req: Request) async throws -> Response {
        let merchantID = try await merchantID(req)
        let user = try req.content.decode(CreateUserRequest.self).validated(allowedRoles: Self.creatableRoles)
        let created = try await req.tenancy.createUser(user, merchantID: merchantID, storeOutsideMerchant: storeOutsideMerchant)
        return try await UserResponse(created).encodeResponse(status: .created, for: req)
    }

    @Sendable
    func listUsers(req: Request) async throws -> Page<UserResponse> {
        let page = try PageRequest(from: req)
        return try await req.tenancy.users(ofMerchant: try await merchantID(req), page: page)
    }
}

extension Request {
    var tenancy: TenancyService {
        TenancyService(database: db, passwords: application.passwordHashing)
    }
}
