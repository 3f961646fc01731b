import Fluent
import FluentSQL
import Foundation
import SQLKit

/// How many cards and ledger rows a merchant has, kept beside its balance totals (the same
/// sharded rows of `loyalty_balance_totals`), so that the unfiltered card and transaction
/// lists answer their `total` without counting a million rows per request (decision 0034).
///
/// Every place that inserts a card or a ledger row adds to them in the same transaction:
/// `CardOperation` (through `AnalyticsRecorder`), `LedgerAppender`, enrollment, reissue, the
/// demo and the generator (through `RollupBuilder`); the 013 migration and the backfill count
/// them from the tables. Neither cards nor ledger rows are ever deleted.
enum ListTotals {
    /// One more card of the merchant (`cardID` picks the shard).
    static func addCard(merchantID: UUID, cardID: UUID, on tx: any Database) async throws {
        try await AnalyticsRollups.addBalance(stamps: 0, points: 0, cards: 1, merchantID: merchantID, cardID: cardID, on: tx)
    }

    /// One more ledger row on `cardID`, outside a counter operation (which counts its own).
    static func addLedgerRow(merchantID: UUID, cardID: UUID, on tx: any Database) async throws {
        try await AnalyticsRollups.addBalance(stamps: 0, points: 0, ledgerRows: 1, merchantID: merchantID, cardID: cardID, on: tx)
    }

    /// The merchant's cards; with `nil`, the platform's.
    static func cards(merchantID: UUID?, on database: any Database) async throws -> Int {
        try await sum("cards", merchantID: merchantID, on: database)
    }

    static func ledgerRows(merchantID: UUID, on database: any Database) async throws -> Int {
        try await sum("ledger_rows", merchantID: merchantID, on: database)
    }

    private static func sum(_ column: String, merchantID: UUID?, on database: any Database) async throws -> Int {
        struct Row: Decodable { let total: Int? }
        let scope = merchantID.map { SQLQueryString("WHERE merchant_id = \(bind: $0)") } ?? SQLQueryString("")
        return try await database.sql.raw(
            "SELECT CAST(SUM(\(ident: column)) AS BIGINT) AS total FROM loyalty_balance_totals \(scope)"
        ).first(decoding: Row.self)?.total ?? 0
    }
}

/// 013: the card and ledger-row counts of `ListTotals`, counted once from the tables.
enum ListTotalsMigrations {
    struct UpdateBalanceTotalsAddListTotals: AsyncMigration {
        func prepare(on database: any Database) async throws {
            for column in ["cards", "ledger_rows"] {
                try await database.schema("loyalty_balance_totals").field(.string(column), .int64, .required, .sql(.default(0))).update()
            }
            // `WHERE 1 = 1`: SQLite's upsert after a SELECT needs a WHERE to parse (its documentation).
            for (column, table) in [("cards", CardModel.schema), ("ledger_rows", TransactionModel.schema)] {
                try await database.sql.raw(
                    """
                    INSERT INTO loyalty_balance_totals (merchant_id, shard, stamps, points, \(ident: column))
                    SELECT merchant_id, \(bind: DailyStats.shard(for: RollupBuilder.shardZero)), 0, 0, COUNT(*) FROM \(ident: table)
                    WHERE 1 = 1 GROUP BY merchant_id
                    ON CONFLICT (merchant_id, shard) DO UPDATE SET \(ident: column) = loyalty_balance_totals.\(ident: column) + excluded.\(ident: column)
                    """
                ).run()
            }
        }

        func revert(on database: any Database) async throws {
            for column in ["ledger_rows", "cards"] {
                try await database.schema("loyalty_balance_totals").deleteField(.string(column)).update()
            }
        }
    }
}

extension CardModel {
    /// Inserts the card and counts it in its merchant's `ListTotals`, and in `ActiveCards`
    /// when it starts with an activity (call inside a transaction).
    func createCounted(on tx: any Database) async throws {
        try await create(on: tx)
        let id = try requireID()
        try await ListTotals.addCard(merchantID: $merchant.id, cardID: id, on: tx)
        try await ActiveCards.addCard(merchantID: $merchant.id, cardID: id, lastActivityAt: lastActivityAt, on: tx)
    }
}
