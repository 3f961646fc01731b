import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// A signed-in staff account, as the auth middleware found it for this request.
struct StaffIdentity: Sendable, Equatable {
    let userID: UUID
    let email: String
    let role: Role
    let merchantID: UUID?
    let storeID: UUID?
}

/// A signed-in customer of one merchant.
struct CustomerIdentity: Sendable, Equatable {
    let customerID: UUID
    let merchantID: UUID
}

extension Request {
    private struct StaffKey: StorageKey { typealias Value = StaffIdentity }
    private struct CustomerKey: StorageKey { typealias Value = CustomerIdentity }
    private struct TokenHashKey: StorageKey { typealias Value = String }

    /// The staff account of this request; only on routes behind `StaffAuthMiddleware`.
    var staff: StaffIdentity {
        get {
            guard let identity = storage[StaffKey.self] else {
                preconditionFailure("StaffAuthMiddleware is not installed on this route")
            }
            return identity
        }
        set { storage[StaffKey.self] = newValue }
    }

    /// The customer of this request; only on routes behind `CustomerAuthMiddleware`.
    var customer: CustomerIdentity {
        get {
            guard let identity = storage[CustomerKey.self] else {
                preconditionFailure("CustomerAuthMiddleware is not installed on this route")
            }
            return identity
        }
        set { storage[CustomerKey.self] = newValue }
    }

    /// The hash of the bearer token that authenticated this request (for logout).
    var accessTokenHash: String? {
        get { storage[TokenHashKey.self] }
        set { storage[TokenHashKey.self] = newValue }
    }
}
