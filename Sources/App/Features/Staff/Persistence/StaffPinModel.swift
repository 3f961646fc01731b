import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// A staff member's PIN in one store, kept as a keyed hash.
///
/// `pinHash` is HMAC-SHA256 under the server's secret key (never in the database), so a
/// database dump alone reveals no PIN, and a PIN is found with one indexed lookup instead of a
/// bcrypt comparison per staff member. See docs/decisions/0005-staff-pin-keyed-hash.md.
final class StaffPinModel: Model, @unchecked Sendable {
    static let schema = "staff_pins"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Parent(key: "store_id") var store: StoreModel
    /// The staff account this PIN belongs to, when the person has one.
    @OptionalParent(key: "user_id") var user: UserModel?
    @Field(key: "name") var name: String
    /// Unique per merchant: a PIN names one staff member.
    @Field(key: "pin_hash") var pinHash: String
    @Field(key: "failed_attempts") var failedAttempts: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @Field(key: "is_active") var isActive: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// Listed by hand: Fluent's default finds them by reflection on every read and write, a
    /// quarter of a stamp's CPU (docs/decisions/0045-counter-path-cpu.md). In declaration order;
    /// `ModelPropertiesTests` fails when a property is missing here.
    var properties: [any AnyProperty] {
        [$id, $merchant, $store, $user, $name, $pinHash, $failedAttempts, $lockedUntil, $isActive, $createdAt, $updatedAt]
    }

    init(merchantID: UUID, storeID: UUID, userID: UUID?, name: String, pinHash: String) {
        self.$merchant.id = merchantID
        self.$store.id = storeID
        self.$user.id = userID
        self.name = name
        self.pinHash = pinHash
        self.failedAttempts = 0
        self.isActive = true
    }

    var lockout: PinLockout {
        // Whole milliseconds, as the operation's clock: see `CardOperationRunner`.
        get { PinLockout(failedAttempts: failedAttempts, lockedUntil: lockedUntil.map(LedgerEntry.wholeMilliseconds)) }
        set {
            failedAttempts = newValue.failedAttempts
            lockedUntil = newValue.lockedUntil
        }
    }
}
