import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// An `<option>` of a `<select>`.
struct PeopleOption: Encodable, Sendable {
    let value: String
    let label: String
    let selected: Bool
}

extension Request {
    /// A page number from `?page=`, kept between 1 and the API's last page.
    var pageNumber: Int { max(1, min(query[Int.self, at: "page"] ?? 1, PageRequest.maximumPage)) }
}

/// `a=1&b=2` of the non-empty fields, to rebuild a filtered list's links.
func peopleQuery(_ fields: [(String, String)]) -> String {
    fields.filter { !$0.1.isEmpty }.map { $0.0 + "=" + $0.1.urlQueryEncoded }.joined(separator: "&")
}

extension Request {
    /// "Cards: 42", or "Cards: more than 1,000" when the list stopped counting at its cap.
    func peopleCount<Item>(_ page: Page<Item>, key: String, cappedKey: String, format: StorePageFormat) -> String {
        page.totalIsCapped ? t(cappedKey, format.number(page.total - 1)) : t(key, format.number(page.total))
    }

    /// A refusal in words: a field the page knows gets its own sentence (`fieldKeys`, field →
    /// catalog key), anything else the API's wording.
    func peopleWords(for error: APIError, fieldKeys: [String: String] = [:], timeZone: TimeZone) -> String {
        if case .object(let fields)? = error.details["fields"] {
            for (field, key) in fieldKeys.sorted(by: { $0.key < $1.key }) where fields[field] != nil { return t(key) }
        }
        return words(for: error, timeZone: timeZone)
    }
}
