import Foundation
import LoyaltyCore
import SQLKit

/// The `WHERE` terms every daily rollup is read with: its days, and optionally one merchant and
/// one store (the rollups' indexes lead with the merchant, then the day).
enum DayFilter {
    static func sql(days: ClosedRange<CalendarDate>, merchantID: UUID?, storeID: UUID? = nil) -> SQLQueryString {
        var filter = SQLQueryString("day >= \(bind: days.lowerBound.description) AND day <= \(bind: days.upperBound.description)")
        if let merchantID { filter = filter + SQLQueryString(" AND merchant_id = \(bind: merchantID)") }
        if let storeID { filter = filter + SQLQueryString(" AND store_id = \(bind: storeID)") }
        return filter
    }
}
