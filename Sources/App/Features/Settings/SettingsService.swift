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

    init(merchantID: UUID, settings: MerchantLoyaltySettings) {
        merchantId = merchantID
        staffPinPolicy = settings.staffPinPolicy
        allowSelfEnrollment = settings.allowSelfEnrollment
        allowStoreVoids = settings.allowStoreVoids
        allowCrossStoreRedemption = settings.allowCrossStoreRedemption
        storeVoidWindowDays = settings.storeVoidWindowDays
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
