import Foundation
import LoyaltyCore
import Vapor

/// The filters of the analytics pages as the GET form sends them (`from`, `to`, `store`),
/// kept as typed so the form shows them back, and the query that repeats them on CSV links.
/// The rules (dates, 366 days, whose store) stay in `AnalyticsService`; this only reads text.
struct AnalyticsFilters: Sendable {
    let from: String
    let to: String
    let store: String

    init(_ req: Request) {
        func field(_ name: String) -> String {
            (req.query[String.self, at: name] ?? "").trimmingCharacters(in: .whitespaces)
        }
        from = field("from")
        to = field("to")
        store = field("store")
    }

    /// Empty fields mean "the default" to the service.
    var fromOrNil: String? { from.isEmpty ? nil : from }
    var toOrNil: String? { to.isEmpty ? nil : to }

    /// `nil` for all stores; `.failure` when the text is not a store id at all.
    var storeID: Result<UUID?, APIError> {
        guard !store.isEmpty else { return .success(nil) }
        guard let id = UUID(uuidString: store) else { return .failure(.validationFailed(["store": "must be a store id"])) }
        return .success(id)
    }

    /// `?table=NAME&from=…&to=…&store=…` for a CSV link with the range actually shown.
    func csvQuery(table: String, range: ClosedRange<CalendarDate>, storeID: UUID?) -> String {
        var items = [("table", table), ("from", range.lowerBound.description), ("to", range.upperBound.description)]
        if let storeID { items.append(("store", storeID.uuidString)) }
        return "?" + items.map { "\($0.0)=\($0.1.urlQueryEncoded)" }.joined(separator: "&")
    }
}
