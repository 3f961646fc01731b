import Fluent
import Foundation
import Vapor

/// The platform admin's merchant onboarding: `/api/v1/admin/merchants`.
struct AdminMerchantsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let merchants = routes.grouped("merchants")
        merchants.post(use: create)
        merchants.get(use: list)
        let merchant = merchants.grouped(":merchant_id")
        merchant.get(use: show)
        var onboarding = MerchantOnboardingController(merchantID: Self.merchantParameter)
        onboarding.storeOutsideMerchant = .validationFailed(["store_id": "is not a store of this merchant"])
        try merchant.register(collection: onboarding)
        try merchant.register(collection: StaffAccountsController(merchantID: Self.merchantParameter))
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let input = try req.content.decode(CreateMerchantRequest.self).validated()
        let merchant = try await req.tenancy.createMerchant(name: input.name, contactEmail: input.contactEmail)
        return try await MerchantResponse(merchant).encodeResponse(status: .created, for: req)
    }

    @Sendable
    func list(req: Request) async throws -> Page<MerchantResponse> {
        try await req.tenancy.merchants(page: try PageRequest(from: req))
    }

    @Sendable
    func show(req: Request) async throws -> MerchantResponse {
        try MerchantResponse(try await req.tenancy.merchant(try await Self.merchantParameter(req)))
    }

    /// The `{merchant_id}` of the path, checked to exist.
    @Sendable
    static func merchantParameter(_ req: Request) async throws -> UUID {
        let id = try req.parameters.uuid("merchant_id")
        return try await req.tenancy.merchant(id).requireID()
    }
}

/// A merchant owner's view of its own merchant: `/api/v1/merchants`.
struct OwnMerchantController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("me", use: show)
        try routes.register(collection: MerchantOnboardingController(merchantID: Self.ownMerchant))
        try routes.register(collection: StaffAccountsController(merchantID: Self.ownMerchant))
    }

    @Sendable
    func show(req: Request) async throws -> MerchantResponse {
        try MerchantResponse(try await req.tenancy.merchant(try await Self.ownMerchant(req)))
    }

    @Sendable
    static func ownMerchant(_ req: Request) async throws -> UUID {
        // Safe by construction: `StaffAuthMiddleware([.merchantOwner])` guards these routes, and
        // `Role.validateScope` gives every owner a merchant.
        guard let merchantID = req.staff.merchantID else { throw APIError.forbidden() }
        return merchantID
    }
}
