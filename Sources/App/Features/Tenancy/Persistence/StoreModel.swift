import Fluent
import FluentKit
import Foundation
import Vapor

/// One location of a merchant, with its public code and the time zone its business day runs in.
final class StoreModel: Model, @unchecked Sendable {
    static let schema = "stores"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Field(key: "name") var name: String
    /// Public and unique across the platform, stored upper-case ("LUMIERE-LUX").
    @Field(key: "code") var code: String
    /// IANA name; the store's local day decides daily stamp limits.
    @Field(key: "timezone") var timezone: String
    @OptionalField(key: "address_line1") var addressLine1: String?
    @OptionalField(key: "address_line2") var addressLine2: String?
    @OptionalField(key: "postal_code") var postalCode: String?
    @OptionalField(key: "city") var city: String?
    /// ISO 3166-1 alpha-2 ("LU").
    @OptionalField(key: "country") var country: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// Listed by hand: Fluent's default finds them by reflection on every read and write, a
    /// quarter of a stamp's CPU (docs/decisions/0045-counter-path-cpu.md). In declaration order;
    /// `ModelPropertiesTests` fails when a property is missing here.
    var properties: [any AnyProperty] {
        [$id, $merchant, $name, $code, $timezone, $addressLine1, $addressLine2, $postalCode, $city, $country, $createdAt,
            $updatedAt]
    }

    init(merchantID: UUID, name: String, code: String, timezone: String) {
        self.$merchant.id = merchantID
        self.name = name
        self.code = code
        self.timezone = timezone
    }
}
