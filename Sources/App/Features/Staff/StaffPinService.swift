import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Which PINs a request may see: a merchant's, or one store's of it.
struct PinScope: Sendable {
    let merchantID: UUID
    var storeID: UUID?

    init(merchantID: UUID, storeID: UUID? = nil) {
        self.merchantID = merchantID
        self.storeID = storeID
    }

    init(_ store: StoreContext) {
        self.init(merchantID: store.merchantID, storeID: store.storeID)
    }

    func apply(to query: QueryBuilder<StaffPinModel>) -> QueryBuilder<StaffPinModel> {
        query.filter(\.$merchant.$id == merchantID)
        if let storeID { query.filter(\.$store.$id == storeID) }
        return query
    }
}

/// Staff PINs: managed by a store's manager for the store, or by the owner across stores.
struct StaffPinService: Sendable {
    let database: any Database
    let hasher: PinHasher
    let now: @Sendable () -> Date

    func pins(in scope: PinScope) async throws -> [PinResponse] {
        let now = now()
        return try await scope.apply(to: StaffPinModel.query(on: database))
            .sort(\.$name).sort(\.$id)
            .all()
            .map { try PinResponse($0, now: now) }
    }

    func create(name: String, pin: String, userID: UUID?, store: StoreContext) async throws -> PinResponse {
        try await checkUser(userID, merchantID: store.merchantID)
        let model = StaffPinModel(
            merchantID: store.merchantID, storeID: store.storeID, userID: userID, name: name,
            pinHash: hasher.hash(pin: pin, merchantID: store.merchantID))
        try await saveCheckingUniqueness(model)
        return try PinResponse(model, now: now())
    }

    func update(_ id: UUID, with change: UpdatePinRequest, in scope: PinScope) async throws -> PinResponse {
        let model = try await pin(id, in: scope)
        if let name = change.name { model.name = name }
        if let pin = change.pin {
            model.pinHash = hasher.hash(pin: pin, merchantID: scope.merchantID)
            model.lockout.recordSuccess()
        }
        if let userID = change.userId {
            try await checkUser(userID, merchantID: scope.merchantID)
            model.$user.id = userID
        }
        if let isActive = change.isActive { model.isActive = isActive }
        try await saveCheckingUniqueness(model)
        return try PinResponse(model, now: now())
    }

    /// Deletes the PIN. Ledger rows keep its id as a record of who acted.
    func delete(_ id: UUID, in scope: PinScope) async throws {
        try await pin(id, in: scope).delete(on: database)
    }

    /// Ends the PIN's lockout, and the failure counters of every terminal of its store: the
    /// manager vouches for the counter (docs/decisions/0013-pin-failure-counting.md).
    func unlock(_ id: UUID, in scope: PinScope) async throws -> PinResponse {
        let model = try await pin(id, in: scope)
        model.lockout.recordSuccess()
        try await model.save(on: database)
        try await PinTerminalCounter.clear(store: model.$store.id, on: database)
        return try PinResponse(model, now: now())
    }

    private func pin(_ id: UUID, in scope: PinScope) async throws -> StaffPinModel {
        guard let model = try await scope.apply(to: StaffPinModel.query(on: database))
            .filter(\.$id == id)
            .first()
        else { throw APIError.notFound("The staff PIN") }
        return model
    }

    /// A PIN's account must be staff of the merchant.
    private func checkUser(_ userID: UUID?, merchantID: UUID) async throws {
        guard let userID else { return }
        let user = try await UserModel.find(userID, on: database)
        guard user?.$merchant.id == merchantID else {
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
