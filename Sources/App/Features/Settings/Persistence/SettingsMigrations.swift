import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// Schema of the platform admin's per-merchant loyalty settings.
enum SettingsMigrations {
    struct CreateMerchantLoyaltySettings: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(MerchantSettingsModel.schema)
                .field("merchant_id", .uuid, .identifier(auto: false), .references(MerchantModel.schema, .id, onDelete: .cascade))
                .field("staff_pin_policy", .string, .required)
                .field("allow_self_enrollment", .bool, .required)
                .field("allow_store_voids", .bool, .required)
                .field("allow_cross_store_redemption", .bool, .required)
                .field("updated_at", .datetime)
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(MerchantSettingsModel.schema).delete()
        }
    }

    /// How long a cashier may void their store's rows (docs/decisions/0014-void-permissions.md).
    struct UpdateMerchantLoyaltySettingsAddStoreVoidWindow: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(MerchantSettingsModel.schema)
                .field("store_void_window_days", .int, .required, .sql(.default(0)))
                .update()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(MerchantSettingsModel.schema).deleteField("store_void_window_days").update()
        }
    }
}

/// A merchant's loyalty settings; a merchant without a row has the defaults.
final class MerchantSettingsModel: Model, @unchecked Sendable {
    static let schema = "merchant_loyalty_settings"

    @ID(custom: "merchant_id", generatedBy: .user) var id: UUID?
    @Field(key: "staff_pin_policy") var staffPinPolicy: StaffPinPolicy
    @Field(key: "allow_self_enrollment") var allowSelfEnrollment: Bool
    @Field(key: "allow_store_voids") var allowStoreVoids: Bool
    @Field(key: "allow_cross_store_redemption") var allowCrossStoreRedemption: Bool
    @Field(key: "store_void_window_days") var storeVoidWindowDays: Int
    @Field(key: "fraud_near_limit_percent") var fraudNearLimitPercent: Int
    @Field(key: "fraud_near_limit_days") var fraudNearLimitDays: Int
    @Field(key: "fraud_voids_per_staff") var fraudVoidsPerStaff: Int
    @Field(key: "fraud_pin_failures_per_staff") var fraudPinFailuresPerStaff: Int
    @Field(key: "fraud_hop_minutes") var fraudHopMinutes: Int
    @Field(key: "fraud_hops_per_card") var fraudHopsPerCard: Int
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// Listed by hand: Fluent's default finds them by reflection on every read and write, a
    /// quarter of a stamp's CPU (docs/decisions/0045-counter-path-cpu.md). In declaration order;
    /// `ModelPropertiesTests` fails when a property is missing here.
    var properties: [any AnyProperty] {
        [$id, $staffPinPolicy, $allowSelfEnrollment, $allowStoreVoids, $allowCrossStoreRedemption, $storeVoidWindowDays,
            $fraudNearLimitPercent, $fraudNearLimitDays, $fraudVoidsPerStaff, $fraudPinFailuresPerStaff, $fraudHopMinutes,
            $fraudHopsPerCard, $updatedAt]
    }

    var settings: MerchantLoyaltySettings {
        get {
            var settings = MerchantLoyaltySettings()
            settings.staffPinPolicy = staffPinPolicy
            settings.allowSelfEnrollment = allowSelfEnrollment
            settings.allowStoreVoids = allowStoreVoids
            settings.allowCrossStoreRedemption = allowCrossStoreRedemption
            settings.storeVoidWindowDays = storeVoidWindowDays
            settings.fraud.nearLimitPercent = fraudNearLimitPercent
            settings.fraud.nearLimitDays = fraudNearLimitDays
            settings.fraud.voidsPerStaff = fraudVoidsPerStaff
            settings.fraud.pinFailuresPerStaff = fraudPinFailuresPerStaff
            settings.fraud.hopMinutes = fraudHopMinutes
            settings.fraud.hopsPerCard = fraudHopsPerCard
            return settings
        }
        set {
            staffPinPolicy = newValue.staffPinPolicy
            allowSelfEnrollment = newValue.allowSelfEnrollment
            allowStoreVoids = newValue.allowStoreVoids
            allowCrossStoreRedemption = newValue.allowCrossStoreRedemption
            storeVoidWindowDays = newValue.storeVoidWindowDays
            fraudNearLimitPercent = newValue.fraud.nearLimitPercent
            fraudNearLimitDays = newValue.fraud.nearLimitDays
            fraudVoidsPerStaff = newValue.fraud.voidsPerStaff
            fraudPinFailuresPerStaff = newValue.fraud.pinFailuresPerStaff
            fraudHopMinutes = newValue.fraud.hopMinutes
            fraudHopsPerCard = newValue.fraud.hopsPerCard
        }
    }
}
