import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// A reward of the catalog as a request gives it; without `id` it is a new reward.
struct RewardInput: Content {
    var id: UUID?
    var name: String?
    var pointsCost: Int?
    var active: Bool?
    /// What the reward costs the merchant; absent or null: no cost.
    var costCents: Int?
}

/// `POST /program` and `PATCH /program`. On PATCH, absent fields keep their value and
/// `presentKeys` tells an explicit `null` (clear it) from an absent key.
struct ProgramRequest: Content {
    var loyaltyType: String?
    var stampsTarget: Int?
    var stampsRewardDescription: String?
    var stampsRewardCostCents: Int?
    var pointsPerEuro: Int?
    var rewards: [RewardInput]?
    var cooldownMinutes: Int?
    var maxDailyStamps: Int?
    var requireStaffPin: Bool?
    var pointsExpirationDays: Int?
    var cardName: String?
    var cardColor: String?
    var logoUrl: String?
    var googleIssuerId: String?
    var googleClassId: String?
    var applePassTypeId: String?

    /// The settings that result from applying this request to `current` (or to the platform
    /// defaults for a new program), checked; every wrong field is named.
    func applied(to current: ProgramSettings, presentKeys: Set<String>) throws -> ProgramSettings {
        var errors = FieldErrors()
        var settings = current
        if let text = loyaltyType {
            if let type = LoyaltyType(rawValue: text) {
                settings.rules.loyaltyType = type
            } else {
                errors.record("loyalty_type", "must be one of stamps, points, hybrid")
            }
        }
        if let stampsTarget { settings.rules.stampsTarget = stampsTarget }
        if presentKeys.contains("stamps_reward_description") {
            settings.rules.stampsRewardDescription = errors.optionalText(stampsRewardDescription, "stamps_reward_description") {
                FieldRules.name($0, maxLength: 500)
            }
        }
        if presentKeys.contains("stamps_reward_cost_cents") {
            settings.stampsRewardCostCents = stampsRewardCostCents
            if let stampsRewardCostCents, !LiabilityRules.costCentsRange.contains(stampsRewardCostCents) {
                errors.record("stamps_reward_cost_cents", "must be from 0 to 10000000")
            }
        }
        if let pointsPerEuro { settings.rules.pointsPerEuro = pointsPerEuro }
        if let cooldownMinutes { settings.rules.cooldownMinutes = cooldownMinutes }
        if let maxDailyStamps { settings.rules.maxDailyStamps = maxDailyStamps }
        if let requireStaffPin { settings.rules.requireStaffPin = requireStaffPin }
        if presentKeys.contains("points_expiration_days") { settings.rules.pointsExpirationDays = pointsExpirationDays }
        let given = Set([stampsTarget == nil ? nil : "stamps_target", pointsPerEuro == nil ? nil : "points_per_euro"].compactMap { $0 })
        for (field, problem) in settings.rules.problems(strict: given) { errors.record(field, problem) }

        if presentKeys.contains("card_name") {
            settings.cardName = errors.optionalText(cardName, "card_name") { FieldRules.name($0, maxLength: 100) }
        }
        if presentKeys.contains("card_color") { settings.cardColor = errors.optionalText(cardColor, "card_color", ProgramRules.colorProblem) }
        if presentKeys.contains("logo_url") { settings.logoURL = errors.optionalText(logoUrl, "logo_url", ProgramRules.logoURLProblem) }
        if presentKeys.contains("google_issuer_id") { settings.googleIssuerID = errors.optionalText(googleIssuerId, "google_issuer_id") }
        if presentKeys.contains("google_class_id") { settings.googleClassID = errors.optionalText(googleClassId, "google_class_id") }
        if presentKeys.contains("apple_pass_type_id") { settings.applePassTypeID = errors.optionalText(applePassTypeId, "apple_pass_type_id") }

        if let rewards {
            settings.rewards = rewards.enumerated().map { index, reward in
                let prefix = "rewards[\(index)]"
                let name = errors.requiredText(reward.name, "\(prefix).name") { FieldRules.name($0) }
                let cost = reward.pointsCost ?? 0
                if reward.pointsCost == nil {
                    errors.record("\(prefix).points_cost", "is required")
                } else if !RewardTerms.pointsCostRange.contains(cost) {
                    errors.record("\(prefix).points_cost", "must be from 1 to 10000000")
                }
                if let costCents = reward.costCents, !LiabilityRules.costCentsRange.contains(costCents) {
                    errors.record("\(prefix).cost_cents", "must be from 0 to 10000000")
                }
                return ProgramSettings.Reward(
                    id: reward.id, name: name, pointsCost: cost, isActive: reward.active ?? true, costCents: reward.costCents)
            }
            if !settings.rules.loyaltyType.collectsPoints, !rewards.isEmpty {
                errors.record("rewards", "only points and hybrid programs have a rewards catalog")
            }
        }
        try errors.throwIfAny()
        return settings
    }
}

/// A program's settings as the service stores them.
struct ProgramSettings: Sendable, Equatable {
    struct Reward: Sendable, Equatable {
        var id: UUID?
        var name: String
        var pointsCost: Int
        var isActive: Bool
        var costCents: Int?
    }

    var rules: ProgramRules
    var stampsRewardCostCents: Int?
    var cardName: String?
    var cardColor: String?
    var logoURL: String?
    var googleIssuerID: String?
    var googleClassID: String?
    var applePassTypeID: String?
    /// `nil`: leave the catalog as it is.
    var rewards: [Reward]?

    /// The starting point of a new program: the platform's anti-fraud defaults.
    static func defaults(_ antiFraud: AntiFraudDefaults) -> ProgramSettings {
        ProgramSettings(
            rules: ProgramRules(
                loyaltyType: .stamps, stampsTarget: 10, pointsPerEuro: antiFraud.pointsPerEuro,
                cooldownMinutes: antiFraud.cooldownMinutes, maxDailyStamps: antiFraud.maxDailyStamps, requireStaffPin: true))
    }
}

struct RewardResponse: Content {
    let id: UUID
    let name: String
    let pointsCost: Int
    let active: Bool
    /// Staff views only (the merchant's cost is not for customers): omitted when unknown or public.
    var costCents: Int? = nil
}

struct ProgramResponse: Content {
    let id: UUID
    let merchantId: UUID
    let loyaltyType: LoyaltyType
    let stampsTarget: Int
    @NullEncoded var stampsRewardDescription: String?
    @NullEncoded var stampsRewardCostCents: Int?
    let pointsPerEuro: Int
    let rewards: [RewardResponse]
    let cooldownMinutes: Int
    let maxDailyStamps: Int
    let requireStaffPin: Bool
    @NullEncoded var pointsExpirationDays: Int?
    @NullEncoded var cardName: String?
    @NullEncoded var cardColor: String?
    @NullEncoded var logoUrl: String?
    @NullEncoded var googleIssuerId: String?
    @NullEncoded var googleClassId: String?
    @NullEncoded var applePassTypeId: String?
    let isActive: Bool
    let createdAt: Date?
    let updatedAt: Date?

    init(_ program: ProgramModel, rewards: [RewardModel]) throws {
        id = try program.requireID()
        merchantId = program.$merchant.id
        loyaltyType = program.loyaltyType
        stampsTarget = program.stampsTarget
        stampsRewardDescription = program.stampsRewardDescription
        stampsRewardCostCents = program.stampsRewardCostCents
        pointsPerEuro = program.pointsPerEuro
        self.rewards = try rewards.map {
            RewardResponse(id: try $0.requireID(), name: $0.name, pointsCost: $0.pointsCost, active: $0.isActive, costCents: $0.costCents)
        }
        cooldownMinutes = program.cooldownMinutes
        maxDailyStamps = program.maxDailyStamps
        requireStaffPin = program.requireStaffPin
        pointsExpirationDays = program.pointsExpirationDays
        cardName = program.cardName
        cardColor = program.cardColor
        logoUrl = program.logoURL
        googleIssuerId = program.googleIssuerID
        googleClassId = program.googleClassID
        applePassTypeId = program.applePassTypeID
        isActive = program.isActive
        createdAt = program.createdAt
        updatedAt = program.updatedAt
    }
}
