import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// The signed-in owner's merchant as every owner page needs it: its name, its stores (by name,
/// for filters, forms and the rows' "where"), and how its times and numbers are written.
struct OwnerScope: Sendable {
    let merchantID: UUID
    let merchantName: String
    let stores: [StoreModel]
    let format: StorePageFormat

    /// The merchant's local day, as `AnalyticsService.timezone(merchantID:)` counts it: its
    /// first store's time zone by name, UTC before it has a store.
    var timezone: String { stores.first?.timezone ?? "UTC" }
    var timeZone: TimeZone { TimeZone(identifier: timezone) ?? .gmt }

    static func of(_ req: Request) async throws -> OwnerScope {
        guard let merchantID = req.staff.merchantID, let merchant = try await MerchantModel.find(merchantID, on: req.db) else {
            throw APIError.notFound("The merchant")
        }
        let stores = try await StoreModel.query(on: req.db).filter(\.$merchant.$id == merchantID).sort(\.$name).all()
        let zone = stores.first.flatMap { TimeZone(identifier: $0.timezone) } ?? .gmt
        return OwnerScope(
            merchantID: merchantID, merchantName: merchant.name, stores: stores,
            format: StorePageFormat(language: req.language, timeZone: zone))
    }

    /// The time zone a report of `store` (or of the merchant) counts days in, as
    /// `AnalyticsService.timezone(merchantID:storeID:)` reads it, without reading again.
    func timezone(of store: StoreModel?) -> String { store?.timezone ?? timezone }

    func storeName(_ id: UUID?) -> String {
        guard let id else { return "" }
        return stores.first { $0.id == id }?.name ?? ""
    }

    /// The store a filter names, when it is one of this merchant's; another merchant's id is
    /// "not found", exactly like an id that does not exist.
    func store(_ id: UUID?) throws -> StoreModel? {
        guard let id else { return nil }
        guard let store = stores.first(where: { $0.id == id }) else { throw APIError.notFound("The store") }
        return store
    }

    /// The store of a form or filter field; a malformed id is a refusal of the field.
    func store(_ text: String?, field: String = "store_id") throws -> UUID? {
        guard let text, !text.isEmpty else { return nil }
        guard let id = UUID(uuidString: text) else { throw APIError.validationFailed([field: "must be a store id (UUID)"]) }
        return try store(id)?.requireID()
    }

    func storeOptions(selected: UUID?) -> [PeopleOption] {
        stores.map { PeopleOption(value: $0.id?.uuidString ?? "", label: $0.name, selected: $0.id == selected) }
    }
}
