import Fluent
import FluentKit
import Foundation
import SQLKit
import Vapor

/// `?page=&per_page=` of a list request (API.md), checked and bounded.
struct PageRequest: Sendable {
    static let defaultPerPage = 50
    static let maximumPerPage = 200
    /// Far beyond any list, and small enough that `(page - 1) * per_page` cannot overflow.
    static let maximumPage = 1_000_000

    let page: Int
    let perPage: Int
    /// Pages count their filtered rows no further than this many past the page: "more than
    /// 1,000 cards" costs a bounded read, where the exact figure read every match (90,000 ledger
    /// rows for a month of one store). `nil`: the exact count, as the API's `total` is.
    var countCap: Int?

    init(page: Int = 1, perPage: Int = PageRequest.defaultPerPage, countCap: Int? = nil) {
        self.page = page
        self.perPage = perPage
        self.countCap = countCap
    }

    var offset: Int { (page - 1) * perPage }

    /// The most rows a capped count reads: the cap, or this page's end when that is further,
    /// plus one to know that there are more.
    var countLimit: Int? { countCap.map { max($0, page * perPage) + 1 } }

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
    /// `total` stopped at the request's `countLimit`: there are more rows than that, "more
    /// than `total - 1`". Never in the API's JSON (its requests count exactly).
    var totalIsCapped = false

    enum CodingKeys: String, CodingKey {
        case items, total, page, perPage
    }

    /// Whether a next page has rows (known exactly even when the count is capped: the cap
    /// reaches past this page's end).
    var hasNextPage: Bool { page * perPage < total }
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

extension SQLSelectBuilder {
    /// Runs this select (its tables, conditions and order) for one page of `columns`, each row
    /// decoded as `Row` and mapped; the total counts the matching rows (up to the request's
    /// `countLimit`), unless it is kept elsewhere (`knownTotal`). Lists read this way instead
    /// of through Fluent's models, which reflect over every property of every row they decode
    /// (a fifth of the transactions page's time in a perf profile).
    func page<Row: Decodable, Item: Content>(
        _ request: PageRequest, columns: [String], knownTotal: Int? = nil, decoding: Row.Type, map: (Row) throws -> Item
    ) async throws -> Page<Item> {
        var (total, capped) = (knownTotal ?? 0, false)
        if knownTotal == nil { (total, capped) = try await self.total(for: request) }
        var rows = select
        rows.columns = columns.map { SQLColumn($0) }
        rows.offset = request.offset
        rows.limit = request.perPage
        let items = try await database.raw("\(rows)").all(decoding: Row.self).map(map)
        return Page(items: items, total: total, page: request.page, perPage: request.perPage, totalIsCapped: capped)
    }

    /// A page's total: the matching rows counted up to the request's `countLimit`, and
    /// whether the count stopped there.
    func total(for request: PageRequest) async throws -> (count: Int, capped: Bool) {
        let count = try await count(upTo: request.countLimit)
        return (count, request.countLimit.map { count >= $0 } ?? false)
    }

    /// How many rows this select matches, reading at most `limit` of them.
    func count(upTo limit: Int?) async throws -> Int {
        struct Count: Decodable { let total: Int }
        var matching = select
        matching.orderBy = []
        matching.offset = nil
        let query: SQLQueryString
        if let limit {
            matching.columns = [SQLRaw("1")]
            matching.limit = limit
            query = "SELECT COUNT(*) AS total FROM (\(matching)) AS capped"
        } else {
            matching.columns = [SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("total"))]
            matching.limit = nil
            query = "\(matching)"
        }
        return try await database.raw(query).first(decoding: Count.self)?.total ?? 0
    }
}
