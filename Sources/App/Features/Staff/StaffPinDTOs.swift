import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `POST /pins`
struct CreatePinRequest: Content {
    var name: String?
    var pin: String?
    var userId: UUID?
    /// The store the PIN works in; only on the merchant-wide endpoint.
    var storeId: UUID?

    func validated() throws -> (name: String, pin: String, userID: UUID?, storeID: UUID?) {
        var errors = FieldErrors()
        let name = errors.requiredText(name, "name") { FieldRules.name($0, maxLength: 100) }
        let pin = errors.requiredText(pin, "pin", PinRules.problem)
        try errors.throwIfAny()
        return (name, pin, userId, storeId)
    }
}

/// `PATCH /pins/{id}`: absent fields stay.
struct UpdatePinRequest: Content {
    var name: String?
    var pin: String?
    var userId: UUID?
    var isActive: Bool?

    func validated() throws -> UpdatePinRequest {
        var errors = FieldErrors()
        var checked = self
        checked.name = errors.optionalText(name, "name") { FieldRules.name($0, maxLength: 100) }
        if let pin { errors.record("pin", PinRules.problem(pin)) }
        try errors.throwIfAny()
        return checked
    }
}

struct PinResponse: Content {
    let id: UUID
    let storeId: UUID
    let name: String
    @NullEncoded var userId: UUID?
    let failedAttempts: Int
    @NullEncoded var lockedUntil: Date?
    let isLocked: Bool
    let isActive: Bool
    let createdAt: Date?

    init(_ pin: StaffPinModel, now: Date) throws {
        id = try pin.requireID()
        storeId = pin.$store.id
        name = pin.name
        userId = pin.$user.id
        failedAttempts = pin.failedAttempts
        lockedUntil = pin.lockout.lockEnd(at: now)
        isLocked = pin.lockout.lockEnd(at: now) != nil
        isActive = pin.isActive
        createdAt = pin.createdAt
    }
}
