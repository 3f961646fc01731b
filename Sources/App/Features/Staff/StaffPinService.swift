import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Staff PINs of one store: managed by its manager or the merchant's owner.
struct StaffPinService: Sendable {
    let database: any Database
    let hasher: PinHasher
    let now: @Sendable () -> Date

    func pins(of store: StoreContext) async throws -> [PinResponse] {
        let now = now()
        return try await StaffPinModel.query(on: database)
            .filter(\.$store.$id == store.storeID)
            .sort(\.$name).sort(\.$id)
            .all()
            .map { try PinResponse($0, now: now) }
    }

    func create(name: String, pin: String, userID: UUID?, store: StoreContext) async throws -> PinResponse {
        try await checkUser(userID, store: store)
        let model = StaffPinModel(
            merchantID: store.merchantID, storeID: store.storeID, userID: userID, name: name,
            pinHash: hasher.hash(pin: pin, merchantID: store.merchantID))
        try await saveCheckingUniqueness(model)
        return try PinResponse(model, now: now())
    }

    func update(_ id: UUID, with change: UpdatePinRequest, store: StoreContext) async throws -> PinResponse {
        let model = try await pin(id, store: store)
        if let name = change.name { model.name = name }
        if let pin = change.pin {
            model.pinHash = hasher.hash(pin: pin, merchantID: store.merchantID)
            model.lockout.recordSuccess()
        }
        if let userID = change.userId {
            try await checkUser(userID, store: store)
            model.$user.id = userID
        }
        if let isActive = change.isActive { model.isActive = isActive }
        try await saveCheckingUniqueness(model)
        return try PinResponse(model, now: now())
    }

    /// Deletes the PIN. Ledger rows keep its id as a record of who acted.
    func delete(_ id: UUID, store: StoreContext) async throws {
        try await pin(id, store: store).delete(on: database)
    }

    func unlock(_ id: UUID, store: StoreContext) async throws -> PinResponse {
        let model = try await pin(id, store: store)
        model.lockout.recordSuccess()
        try await model.save(on: database)
        return try PinResponse(model, now: now())
    }

    private func pin(_ id: UUID, store: StoreContext) async throws -> StaffPinModel {
        guard let model = try await StaffPinModel.query(on: database)
            .filter(\.$id == id)
            .filter(\.$store.$id == store.storeID)
            .first()
        else { throw APIError.notFound("The staff PIN") }
        return model
    }

    /// A PIN's account must be staff of the merchant.
    private func checkUser(_ userID: UUID?, store: StoreContext) async throws {
        guard let userID else { return }
        let user = try await UserModel.find(userID, on: database)
        guard user?.$merchant.id == store.merchantID else {
            throw APIError.validationFailed(["user_id": "is not a staff account of this merchant"])
        }
    }

    private func saveCheckingUniqueness(_ model: StaffPinModel) async throws {
        do {
            try await model.save(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // A PIN names one staff member within the merchant.
            throw APIError.alreadyExists(field: "pin", message: "Another staff member of this merchant already uses this PIN; choose another.")
        }
    }
}
