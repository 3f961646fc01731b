import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// A merchant's loyalty program: one per merchant, in every store of it.
///
/// Deleting a program deactivates it (cards and their ledgers stay); creating one again
/// reactivates the same row with the new settings.
final class ProgramModel: Model, @unchecked Sendable {
    static let schema = "loyalty_programs"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Field(key: "loyalty_type") var loyaltyType: LoyaltyType
    @Field(key: "stamps_target") var stampsTarget: Int
    @OptionalField(key: "stamps_reward_description") var stampsRewardDescription: String?
    @Field(key: "points_per_euro") var pointsPerEuro: Int
    @Field(key: "cooldown_minutes") var cooldownMinutes: Int
    @Field(key: "max_daily_stamps") var maxDailyStamps: Int
    @Field(key: "require_staff_pin") var requireStaffPin: Bool
    @OptionalField(key: "points_expiration_days") var pointsExpirationDays: Int?
    /// What the stamp card's reward costs the merchant (cents), for the liability; optional.
    @OptionalField(key: "stamps_reward_cost_cents") var stampsRewardCostCents: Int?
    @OptionalField(key: "card_name") var cardName: String?
    @OptionalField(key: "card_color") var cardColor: String?
    @OptionalField(key: "logo_url") var logoURL: String?
    @OptionalField(key: "google_issuer_id") var googleIssuerID: String?
    @OptionalField(key: "google_class_id") var googleClassID: String?
    @OptionalField(key: "apple_pass_type_id") var applePassTypeID: String?
    @Field(key: "is_active") var isActive: Bool
    @Children(for: \.$program) var rewards: [RewardModel]
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// Listed by hand: Fluent's default finds them by reflection on every read and write, a
    /// quarter of a stamp's CPU (docs/decisions/0045-counter-path-cpu.md). In declaration order;
    /// `ModelPropertiesTests` fails when a property is missing here.
    var properties: [any AnyProperty] {
        [$id, $merchant, $loyaltyType, $stampsTarget, $stampsRewardDescription, $pointsPerEuro, $cooldownMinutes,
            $maxDailyStamps, $requireStaffPin, $pointsExpirationDays, $stampsRewardCostCents, $cardName, $cardColor, $logoURL,
            $googleIssuerID, $googleClassID, $applePassTypeID, $isActive, $rewards, $createdAt, $updatedAt]
    }

    var rules: ProgramRules {
        get {
            ProgramRules(
                loyaltyType: loyaltyType, stampsTarget: stampsTarget, stampsRewardDescription: stampsRewardDescription,
                pointsPerEuro: pointsPerEuro, cooldownMinutes: cooldownMinutes, maxDailyStamps: maxDailyStamps,
                requireStaffPin: requireStaffPin, pointsExpirationDays: pointsExpirationDays)
        }
        set {
            loyaltyType = newValue.loyaltyType
            stampsTarget = newValue.stampsTarget
            stampsRewardDescription = newValue.stampsRewardDescription
            pointsPerEuro = newValue.pointsPerEuro
            cooldownMinutes = newValue.cooldownMinutes
            maxDailyStamps = newValue.maxDailyStamps
            requireStaffPin = newValue.requireStaffPin
            pointsExpirationDays = newValue.pointsExpirationDays
        }
    }
}

/// A reward of a program's catalog. Never deleted (ledger rows name it): retired rewards
/// are inactive.
final class RewardModel: Model, @unchecked Sendable {
    static let schema = "loyalty_rewards"

    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: ProgramModel
    @Field(key: "name") var name: String
    @Field(key: "points_cost") var pointsCost: Int
    @Field(key: "is_active") var isActive: Bool
    /// What the reward costs the merchant (cents), for the liability; optional.
    @OptionalField(key: "cost_cents") var costCents: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Listed by hand: Fluent's default finds them by reflection on every read and write, a
    /// quarter of a stamp's CPU (docs/decisions/0045-counter-path-cpu.md). In declaration order;
    /// `ModelPropertiesTests` fails when a property is missing here.
    var properties: [any AnyProperty] {
        [$id, $program, $name, $pointsCost, $isActive, $costCents, $createdAt]
    }

    init(programID: UUID, name: String, pointsCost: Int, isActive: Bool) {
        self.$program.id = programID
        self.name = name
        self.pointsCost = pointsCost
        self.isActive = isActive
    }

    var terms: RewardTerms { RewardTerms(pointsCost: pointsCost, isActive: isActive) }
}
