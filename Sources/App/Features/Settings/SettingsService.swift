import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// `PATCH .../settings`: absent fields stay.
struct SettingsRequest: Content {
    var staffPinPolicy: String?
    var allowSelfEnrollment: Bool?
    var allowStoreVoids: Bool?
    var allowCrossStoreRedemption: Bool?
    var storeVoidWindowDays: Int?
    // Fraud signal thresholds (decision 0027).
    var fraudNearLimitPercent: Int?
    var fraudNearLimitDays: Int?
    var fraudVoidsPerStaff: Int?
    var fraudPinFailuresPerStaff: Int?
    var fraudHopMinutes: Int?
    var fraudHopsPerCard: Int?

    /// The fraud fields with their allowed ranges, in the order errors name them.
    private var fraudFields: [(name: String, value: Int?, range: ClosedRange<Int>, keyPath: WritableKeyPath<FraudThresholds, Int>)] {
        [
            ("fraud_near_limit_percent", fraudNearLimitPercent, FraudThresholds.percentRange, \.nearLimitPercent),
            ("fraud_near_limit_days", fraudNearLimitDays, FraudThresholds.daysRange, \.nearLimitDays),
            ("fraud_voids_per_staff", fraudVoidsPerStaff, FraudThresholds.countRange, \.voidsPerStaff),
            ("fraud_pin_failures_per_staff", fraudPinFailuresPerStaff, FraudThresholds.countRange, \.pinFailuresPerStaff),
            ("fraud_hop_minutes", fraudHopMinutes, FraudThresholds.minutesRange, \.hopMinutes),
            ("fraud_hops_per_card", fraudHopsPerCard, FraudThresholds.countRange, \.hopsPerCard),
        ]
    }

    /// Checks the request on its own, before any database work.
    func validate() throws {
        var errors = FieldErrors()
        if let text = staffPinPolicy, StaffPinPolicy(rawValue: text) == nil {
            errors.record("staff_pin_policy", "must be one of required, optional, disabled")
        }
        let window = MerchantLoyaltySettings.storeVoidWindowDaysRange
        if let storeVoidWindowDays, !window.contains(storeVoidWindowDays) {
            errors.record("store_void_window_days", "must be from \(window.lowerBound) to \(window.upperBound)")
        }
        for field in fraudFields {
            if let value = field.value, !field.range.contains(value) {
                errors.record(field.name, "must be from \(field.range.lowerBound) to \(field.range.upperBound)")
            }
        }
        try errors.throwIfAny()
    }

    func applied(to current: MerchantLoyaltySettings) throws -> MerchantLoyaltySettings {
        try validate()
        var settings = current
        if let policy = staffPinPolicy.flatMap(StaffPinPolicy.init(rawValue:)) { settings.staffPinPolicy = policy }
        if let allowSelfEnrollment { settings.allowSelfEnrollment = allowSelfEnrollment }
        if let allowStoreVoids { settings.allowStoreVoids = allowStoreVoids }
        if let allowCrossStoreRedemption { settings.allowCrossStoreRedemption = allowCrossStoreRedemption }
        if let storeVoidWindowDays { settings.storeVoidWindowDays = storeVoidWindowDays }
        for field in fraudFields {
            if let value = field.value { settings.fraud[keyPath: field.keyPath] = value }
        }
        return settings
    }
}

struct SettingsResponse: Content {
    let merchantId: UUID
    let staffPinPolicy: StaffPinPolicy
    let allowSelfEnrollment: Bool
    let allowStoreVoids: Bool
    let allowCrossStoreRedemption: Bool
    let storeVoidWindowDays: Int
    let fraudNearLimitPercent: Int
    let fraudNearLimitDays: Int
    let fraudVoidsPerStaff: Int
    let fraudPinFailuresPerStaff: Int
    let fraudHopMinutes: Int
    let fraudHopsPerCard: Int

    init(merchantID: UUID, settings: MerchantLoyaltySettings) {
        merchantId = merchantID
        staffPinPolicy = settings.staffPinPolicy
        allowSelfEnrollment = settings.allowSelfEnrollment
        allowStoreVoids = settings.allowStoreVoids
        allowCrossStoreRedemption = settings.allowCrossStoreRedemption
        storeVoidWindowDays = settings.storeVoidWindowDays
        fraudNearLimitPercent = settings.fraud.nearLimitPercent
        fraudNearLimitDays = settings.fraud.nearLimitDays
        fraudVoidsPerStaff = settings.fraud.voidsPerStaff
        fraudPinFailuresPerStaff = settings.fraud.pinFailuresPerStaff
        fraudHopMinutes = settings.fraud.hopMinutes
        fraudHopsPerCard = settings.fraud.hopsPerCard
    }
}

/// Reads and changes a merchant's loyalty settings (changed by the platform admin only).
struct SettingsService: Sendable {
    let database: any Database
    var writeGate: AsyncGate? = nil

    static func settings(of merchantID: UUID, on database: any Database) async throws -> MerchantLoyaltySettings {
        try await MerchantSettingsModel.find(merchantID, on: database)?.settings ?? MerchantLoyaltySettings()
    }

    func settings(of merchantID: UUID) async throws -> SettingsResponse {
        SettingsResponse(merchantID: merchantID, settings: try await Self.settings(of: merchantID, on: database))
    }

    /// Applies `request` in a write transaction: the merchant's row is created if missing
    /// (`ON CONFLICT DO NOTHING`, so two first writes cannot both insert) and locked before it
    /// is read, so concurrent changes of different fields all land.
    func update(_ request: SettingsRequest, merchantID: UUID) async throws -> SettingsResponse {
        try request.validate()
        return try await database.writeTransaction(gate: writeGate) { tx in
            let defaults = MerchantLoyaltySettings()
            try await tx.sql.raw(
                """
                INSERT INTO \(ident: MerchantSettingsModel.schema)
                    (merchant_id, staff_pin_policy, allow_self_enrollment, allow_store_voids, allow_cross_store_redemption,
                     store_void_window_days)
                VALUES (\(bind: merchantID), \(bind: defaults.staffPinPolicy.rawValue), \(bind: defaults.allowSelfEnrollment),
                    \(bind: defaults.allowStoreVoids), \(bind: defaults.allowCrossStoreRedemption), \(bind: defaults.storeVoidWindowDays))
                ON CONFLICT (merchant_id) DO NOTHING
                """
            ).run()
            guard let model = try await tx.sql.select().column("*").from(MerchantSettingsModel.schema)
                .where("merchant_id", .equal, merchantID)
                .for(.update)
                .first(decodingFluent: MerchantSettingsModel.self)
            else { throw APIError.notFound("The merchant") }
            model.settings = try request.applied(to: model.settings)
            try await model.save(on: tx)
            return SettingsResponse(merchantID: merchantID, settings: model.settings)
        }
    }
}

extension Request {
    var settings: SettingsService { SettingsService(database: db, writeGate: application.writeGate) }
}
