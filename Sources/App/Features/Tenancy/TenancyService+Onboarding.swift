import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import Vapor

/// What onboarding a merchant creates in one go: the merchant, its first store, its owner.
struct NewMerchantOnboarding: Sendable {
    let name: String
    let contactEmail: String
    let store: NewStore
    let ownerEmail: String
    let ownerName: String?
}

/// What onboarding created, with the owner's first password: shown once, stored only hashed.
struct OnboardedMerchant: Sendable {
    let merchant: MerchantModel
    let store: StoreModel
    let owner: UserModel
    let temporaryPassword: String
}

extension TenancyService {
    /// Creates the merchant, its first store and its owner account in one write transaction:
    /// a store code or e-mail already taken rolls all three back, so no merchant is ever left
    /// without its owner. The owner's first password is drawn here (decision 0030), to be replaced at the first
    /// sign-in (decision 0041).
    func onboard(_ onboarding: NewMerchantOnboarding, writeGate: AsyncGate?) async throws -> OnboardedMerchant {
        let password = TemporaryPassword.make()
        // Hashing is slow on purpose: done before the transaction, so the write lock is short.
        let hash = try await passwords.hash(password)
        return try await database.writeTransaction(gate: writeGate) { tx in
            let inner = TenancyService(database: tx, passwords: passwords)
            let merchant = try await inner.createMerchant(name: onboarding.name, contactEmail: onboarding.contactEmail)
            let store = try await inner.createStore(onboarding.store, merchantID: try merchant.requireID())
            let owner = UserModel(
                email: onboarding.ownerEmail, passwordHash: hash, name: onboarding.ownerName, role: .merchantOwner,
                merchantID: try merchant.requireID(), storeID: nil)
            owner.passwordChangeRequired = true
            do {
                try await owner.create(on: tx)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw APIError.alreadyExists(field: "owner_email", message: "An account with this e-mail address already exists.")
            }
            return OnboardedMerchant(merchant: merchant, store: store, owner: owner, temporaryPassword: password)
        }
    }
}
