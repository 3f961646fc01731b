/// What a staff account may do, and where. Store roles are bound to exactly one store.
public enum Role: String, Codable, Sendable, CaseIterable {
    case platformAdmin = "platform_admin"
    case merchantOwner = "merchant_owner"
    case storeManager = "store_manager"
    case storeStaff = "store_staff"

    /// Store roles act in one store only; the account must name it.
    public var isBoundToStore: Bool {
        switch self {
        case .storeManager, .storeStaff: true
        case .platformAdmin, .merchantOwner: false
        }
    }

    /// Every role but the platform admin belongs to one merchant.
    public var belongsToMerchant: Bool { self != .platformAdmin }

    /// Checks that an account's merchant and store fit its role.
    ///
    /// A platform admin has neither, an owner a merchant but no store, a store role both.
    public func validateScope(hasMerchant: Bool, hasStore: Bool) -> RoleScopeError? {
        if belongsToMerchant != hasMerchant {
            return belongsToMerchant ? .merchantRequired : .merchantNotAllowed
        }
        if isBoundToStore != hasStore {
            return isBoundToStore ? .storeRequired : .storeNotAllowed
        }
        return nil
    }
}

/// Why an account's merchant or store does not fit its role.
public enum RoleScopeError: Error, Equatable, Sendable {
    case merchantRequired
    case merchantNotAllowed
    case storeRequired
    case storeNotAllowed

    /// The request field the error belongs to.
    public var field: String {
        switch self {
        case .merchantRequired, .merchantNotAllowed: "merchant_id"
        case .storeRequired, .storeNotAllowed: "store_id"
        }
    }

    public var message: String {
        switch self {
        case .merchantRequired: "is required for this role"
        case .merchantNotAllowed: "must be empty for a platform admin"
        case .storeRequired: "is required for store_manager and store_staff"
        case .storeNotAllowed: "must be empty for this role: only store roles are bound to a store"
        }
    }
}
