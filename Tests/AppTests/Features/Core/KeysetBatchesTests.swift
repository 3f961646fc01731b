import Fluent
import Foundation
import Testing

@testable import App

/// `forEachBatch(of:)` is how the jobs (ledger check, wallet catch-ups, exports) walk a table:
/// every row once, in id order, never more than a batch in memory, the query's filters kept.
@Suite struct KeysetBatchesTests {
    @Test(arguments: [1, 2, 3, 5, 7])
    func everyRowOfTheQueryComesOnceInIDOrderInFullBatchesAndOneShortOne(_ batchSize: Int) async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant()
            for index in 0..<6 { _ = try await app.makeCustomer(of: merchant, name: "Customer \(index)") }
            _ = try await app.makeCustomer(of: try await app.makeMerchant("Other"))
            let inIDOrder = try await CustomerModel.query(on: app.db).filter(\.$merchant.$id == merchant.requireID())
                .sort(\.$id).all().map { try $0.requireID() }

            var seen: [UUID] = []
            var batches: [Int] = []
            try await CustomerModel.query(on: app.db).filter(\.$merchant.$id == merchant.requireID()).forEachBatch(of: batchSize) { batch in
                batches.append(batch.count)
                seen += try batch.map { try $0.requireID() }
            }
            #expect(seen == inIDOrder && seen.count == 6)
            // 6 rows: full batches, then the rest; a batch is never empty.
            let full = Array(repeating: batchSize, count: 6 / batchSize)
            #expect(batches == (6 % batchSize == 0 ? full : full + [6 % batchSize]))
        }
    }

    @Test func anEmptyQueryCallsNothing() async throws {
        try await withTestApp { app, _ in
            var calls = 0
            try await CustomerModel.query(on: app.db).forEachBatch(of: 10) { _ in calls += 1 }
            #expect(calls == 0)
        }
    }
}
