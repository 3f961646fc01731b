import Fluent
import FluentKit
import Foundation

extension QueryBuilder where Model.IDValue == UUID {
    /// Hands `body` this query's rows `batchSize` at a time in id order, each batch read after
    /// the last id of the one before (a keyset page): memory stays bounded, and rows added or
    /// deleted meanwhile neither shift nor repeat the others. Stops after a short batch.
    ///
    /// The query must not sort: the id is the order the pages follow.
    func forEachBatch(of batchSize: Int, _ body: ([Model]) async throws -> Void) async throws {
        precondition(batchSize > 0, "a batch holds at least one row")
        var after: UUID?
        while true {
            let page = copy().sort(\._$id).limit(batchSize)
            if let after { page.filter(\._$id > after) }
            let rows = try await page.all()
            if rows.isEmpty { return }
            try await body(rows)
            guard rows.count == batchSize, let last = rows.last else { return }
            after = try last.requireID()
        }
    }
}
