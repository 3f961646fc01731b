import Foundation
import LoyaltyCore
import SQLKit

/// Generated ledger rows as multi-row INSERTs whose values are bound directly. Fluent's
/// `fluentModels` finds a model's fields by reflection (`Mirror`) for every row: 38 % of the
/// generator's time in a release profile at 200,000 rows. Values go through the same
/// database encoder as a model's, so the stored rows are identical (DataGeneratorTests read
/// them back through `TransactionModel` and `verify-ledger`).
enum GeneratedLedgerRows {
    /// `TransactionModel`'s columns, in the order `values` gives them (a test compares the set
    /// with the model's keys, so a new column cannot be forgotten here).
    static let columns = [
        "id", "merchant_id", "card_id", "sequence", "type", "stamps_delta", "points_delta", "stamps_balance_after",
        "points_balance_after", "purchase_amount_cents", "order_reference", "reward_id", "voids_transaction_id", "store_id",
        "staff_pin_id", "user_id", "ip_address", "user_agent", "notes", "business_day", "created_at", "recorded_at_ms",
        "previous_hash", "entry_hash",
    ]

    /// Rows per statement: 24 columns × 1,000 stays under SQLite's 32,766 bound values.
    static let rowsPerStatement = 1_000

    static func insert(_ rows: [SimulatedRow], merchantID: UUID, on sql: any SQLDatabase) async throws {
        for batch in rows.chunked(by: rowsPerStatement) {
            let insert = sql.insert(into: TransactionModel.schema).columns(columns)
            for row in batch {
                insert.values(values(row, merchantID: merchantID))
            }
            try await insert.run()
        }
    }

    static func values(_ row: SimulatedRow, merchantID: UUID) -> [any SQLExpression] {
        let entry = row.entry
        return [
            SQLBind(entry.id), SQLBind(merchantID), SQLBind(entry.cardID), SQLBind(entry.sequence), SQLBind(entry.type),
            SQLBind(entry.stampsDelta), SQLBind(entry.pointsDelta), SQLBind(entry.stampsBalanceAfter), SQLBind(entry.pointsBalanceAfter),
            bindOrNull(entry.purchaseAmountCents), bindOrNull(entry.orderReference), bindOrNull(entry.rewardID),
            bindOrNull(entry.voidsTransactionID), bindOrNull(entry.storeID), bindOrNull(entry.staffPinID), bindOrNull(entry.userID),
            bindOrNull(entry.ipAddress), bindOrNull(entry.userAgent), bindOrNull(entry.notes), SQLBind(row.businessDay.description),
            SQLBind(Date(timeIntervalSince1970: TimeInterval(entry.createdAtMilliseconds) / 1_000)), SQLBind(entry.createdAtMilliseconds),
            SQLBind(row.previousHash), SQLBind(row.entryHash),
        ]
    }

    /// NULL for nil, as Fluent writes an empty optional field.
    private static func bindOrNull(_ value: (some Encodable & Sendable)?) -> any SQLExpression {
        value.map { SQLBind($0) } ?? SQLLiteral.null
    }
}
