import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `PATCH .../settings`: absent fields stay.
struct SettingsRequest: Content {
    var staffPinPolicy: String?
    var allowSelfEnrollment: Bool?
    var allowStoreVoids: Bool?
    var allowCrossStoreRedemption: Bool?

    func applied(to current: MerchantLoyaltySettings) throws -> MerchantLoyaltySettings {
        var settings = current
        if let text = staffPinPolicy {
            guard let policy = StaffPinPolicy(rawValue: text) else {
                throw APIError.validationFailed(["staff_pin_policy": "must be one of required, optional, disabled"])
            }
            settings.staffPinPolicy = policy
        }
        if let allowSelfEnrollment { settings.allowSelfEnrollment = allowSelfEnrollment }
        if let allowStoreVoids { settings.allowStoreVoids = allowStoreVoids }
        if let allowCrossStoreRedemption { settings.allowCrossStoreRedemption = allowCrossStoreRedemption }
        return settings
    }
}

struct SettingsResponse: Content {
    let merchantId: UUID
    let staffPinPolicy: StaffPinPolicy
    let allowSelfEnrollment: Bool
    let allowStoreVoids: Bool
    let allowCrossStoreRedemption: Bool

    init(merchantID: UUID, settings: MerchantLoyaltySettings) {
        merchantId = merchantID
        staffPinPolicy = settings.staffPinPolicy
        allowSelfEnrollment = settings.allowSelfEnrollment
        allowStoreVoids = settings.allowStoreVoids
        allowCrossStoreRedemption = settings.allowCrossStoreRedemption
    }
}

/// Reads and changes a merchant's loyalty settings (changed by the platform admin only).
struct SettingsService: Sendable {
    let database: any Database

    static func settings(of merchantID: UUID, on database: any Database) async throws -> MerchantLoyaltySettings {
        try await MerchantSettingsModel.find(merchantID, on: database)?.settings ?? MerchantLoyaltySettings()
    }

    func settings(of merchantID: UUID) async throws -> SettingsResponse {
        SettingsResponse(merchantID: merchantID, settings: try await Self.settings(of: merchantID, on: database))
    }

    func update(_ request: SettingsRequest, merchantID: UUID) async throws -> SettingsResponse {
        let model = try await MerchantSettingsModel.find(merchantID, on: database) ?? {
            let model = MerchantSettingsModel()
            model.id = merchantID
            model.settings = MerchantLoyaltySettings()
            return model
        }()
        model.settings = try request.applied(to: model.settings)
        try await model.save(on: database)
        return SettingsResponse(merchantID: merchantID, settings: model.settings)
    }
}

extension Request {
    var settings: SettingsService { SettingsService(database: db) }
}
