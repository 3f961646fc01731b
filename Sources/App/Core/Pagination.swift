import Fluent
import FluentKit
import Foundation
import Vapor

/// `?page=&per_page=` of a list request (API.md), checked and bounded.
struct PageRequest: Sendable {
    static let defaultPerPage = 50
    static let maximumPerPage = 200
    /// Far beyond any list, and small enough that `(page - 1) * per_page` cannot overflow.
    static let maximumPage = 1_000_000

    let page: Int
    let perPage: Int

    init(page: Int = 1, perPage: Int = PageRequest.defaultPerPage) {
        self.page = page
        self.perPage = perPage
    }

    init(from request: Request) throws {
        struct Query: Decodable {
            var page: Int?
            var perPage: Int?

            enum CodingKeys: String, CodingKey {
                case page
                case perPage = "per_page"
            }
        }
        let query = try request.query.decode(Query.self)
        var errors = FieldErrors()
        let page = query.page ?? 1
        let perPage = query.perPage ?? Self.defaultPerPage
        if !(1...Self.maximumPage).contains(page) { errors.record("page", "must be from 1 to \(Self.maximumPage)") }
        if !(1...Self.maximumPerPage).contains(perPage) {
            errors.record("per_page", "must be from 1 to \(Self.maximumPerPage)")
        }
        try errors.throwIfAny()
        self.init(page: page, perPage: perPage)
    }
}

/// One page of a list: `{"items": [...], "total": N, "page": P, "per_page": K}`.
struct Page<Item: Content>: Content {
    let items: [Item]
    let total: Int
    let page: Int
    let perPage: Int
}

extension QueryBuilder {
    /// Runs the query for one page, mapping each row; `total` counts every matching row.
    /// `knownTotal`: the count when it is kept elsewhere (`ListTotals`), instead of counting.
    func page<Item: Content>(_ request: PageRequest, knownTotal: Int? = nil, map: (Model) throws -> Item) async throws -> Page<Item> {
        let total: Int
        if let knownTotal { total = knownTotal } else { total = try await copy().count() }
        let rows = try await copy()
            .offset((request.page - 1) * request.perPage)
            .limit(request.perPage)
            .all()
        return Page(items: try rows.map(map), total: total, page: request.page, perPage: request.perPage)
    }
}
