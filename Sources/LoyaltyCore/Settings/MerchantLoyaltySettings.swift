/// What the platform admin allows a merchant's stores to do; the store and merchant endpoints
/// obey it. Defaults are the permissive seed behaviour.
public struct MerchantLoyaltySettings: Equatable, Sendable {
    /// Whether counter operations ask for a staff PIN.
    public var staffPinPolicy: StaffPinPolicy = .programDecides
    /// Whether customers may enroll themselves (storefront and public enrollment).
    public var allowSelfEnrollment = true
    /// Whether stores may void transactions.
    public var allowStoreVoids = true
    /// Whether a card may be redeemed in a store other than the one that enrolled it.
    public var allowCrossStoreRedemption = true
    /// How many business days back a cashier may void their own store's rows: 0 is the same
    /// business day only (the default), 1 also yesterday's. Managers and owners are not bound
    /// by it (`VoidPermission`).
    public var storeVoidWindowDays = 0
    /// When the owner's fraud signals show a card or a staff member (decision 0027).
    public var fraud = FraudThresholds()

    /// The values `storeVoidWindowDays` may take: up to a year.
    public static let storeVoidWindowDaysRange = 0...366

    public init() {}

    /// Whether an operation must carry a PIN, given the program's own setting.
    public func requiresPin(programRequiresPin: Bool) -> Bool {
        switch staffPinPolicy {
        case .required: true
        case .programDecides: programRequiresPin
        case .disabled: false
        }
    }

    /// Whether a card enrolled at `enrolledStore` may be redeemed at `store`.
    public func mayRedeem<StoreID: Equatable>(enrolledAt enrolledStore: StoreID?, at store: StoreID) -> Bool {
        allowCrossStoreRedemption || enrolledStore == nil || enrolledStore == store
    }
}

/// The platform's word on staff PINs for one merchant.
public enum StaffPinPolicy: String, Codable, Sendable, CaseIterable {
    /// Every counter operation needs a PIN, whatever the program says.
    case required
    /// The program's `require_staff_pin` decides.
    case programDecides = "optional"
    /// No PIN is asked; operations are attributed to the signed-in account only.
    case disabled
}

/// Who may do what with loyalty programs and rewards (the seeds' permission names).
public enum Permission: String, Codable, Sendable, CaseIterable {
    case viewPrograms = "loyalty.view_programs"
    case managePrograms = "loyalty.manage_programs"
    case viewRewards = "loyalty.view_rewards"
    case manageRewards = "loyalty.manage_rewards"
}

extension Role {
    /// The loyalty permissions of a role: cashiers see programs and rewards; managers, owners
    /// and the platform admin also change them.
    public var permissions: Set<Permission> {
        switch self {
        case .platformAdmin, .merchantOwner, .storeManager: Set(Permission.allCases)
        case .storeStaff: [.viewPrograms, .viewRewards]
        }
    }
}
