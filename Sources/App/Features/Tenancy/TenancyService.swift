import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import Vapor

/// Onboarding: merchants, their stores and staff accounts. Used by the platform admin for any
/// merchant and by an owner for its own; the caller decides which merchant, this type never
/// lets one merchant's call touch another's rows.
struct TenancyService: Sendable {
    let database: any Database
    let passwords: PasswordHashing

    func createMerchant(name: String, contactEmail: String) async throws -> MerchantModel {
        let merchant = MerchantModel(name: name, contactEmail: contactEmail)
        try await merchant.create(on: database)
        return merchant
    }

    /// The merchant, or `not_found`.
    func merchant(_ id: UUID) async throws -> MerchantModel {
        guard let merchant = try await MerchantModel.find(id, on: database) else { throw APIError.notFound("The merchant") }
        return merchant
    }

    func merchants(page: PageRequest) async throws -> Page<MerchantResponse> {
        try await MerchantModel.query(on: database).sort(\.$name).sort(\.$id).page(page, map: MerchantResponse.init)
    }

    func createStore(_ store: NewStore, merchantID: UUID) async throws -> StoreModel {
        let model = StoreModel(merchantID: merchantID, name: store.name, code: store.code, timezone: store.timezone)
        model.addressLine1 = store.address.line1
        model.addressLine2 = store.address.line2
        model.postalCode = store.address.postalCode
        model.city = store.address.city
        model.country = store.address.country
        do {
            try await model.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // The unique index on `code` decides, so two concurrent requests cannot both win.
            throw APIError.alreadyExists(field: "code", message: "The store code \(store.code) is already taken.")
        }
        return model
    }

    func stores(ofMerchant merchantID: UUID, page: PageRequest) async throws -> Page<StoreResponse> {
        try await StoreModel.query(on: database)
            .filter(\.$merchant.$id == merchantID)
            .sort(\.$name).sort(\.$id)
            .page(page, map: StoreResponse.init)
    }

    /// Creates a staff account; `storeOutsideMerchant` is thrown for a `store_id` that is not a
    /// store of this merchant, whether it is another merchant's or none at all (the same answer,
    /// so it tells nothing about other merchants).
    func createUser(_ user: NewUser, merchantID: UUID, storeOutsideMerchant: APIError) async throws -> UserModel {
        if let storeID = user.storeID {
            let store = try await StoreModel.find(storeID, on: database)
            guard store?.$merchant.id == merchantID else { throw storeOutsideMerchant }
        }
        let hash = try await passwords.hash(user.password)
        let model = UserModel(
            email: user.email, passwordHash: hash, name: user.name, role: user.role,
            merchantID: merchantID, storeID: user.storeID)
        model.language = user.language
        model.passwordChangeRequired = user.isTemporaryPassword
        do {
            try await model.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw APIError.alreadyExists(field: "email", message: "An account with this e-mail address already exists.")
        }
        return model
    }

    func users(ofMerchant merchantID: UUID, page: PageRequest) async throws -> Page<UserResponse> {
        try await UserModel.query(on: database)
            .filter(\.$merchant.$id == merchantID)
            .sort(\.$email)
            .page(page, map: UserResponse.init)
    }
}
