import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// A ledger row as the API shows it.
struct TransactionResponse: Content {
    let id: UUID
    let cardId: UUID
    @NullEncoded var storeId: UUID?
    let type: TransactionType
    let stampsDelta: Int
    let pointsDelta: Int
    let stampsBalanceAfter: Int
    let pointsBalanceAfter: Int
    @NullEncoded var purchaseAmountCents: Int?
    @NullEncoded var orderReference: String?
    @NullEncoded var rewardId: UUID?
    @NullEncoded var voidsTransactionId: UUID?
    @NullEncoded var staffPinId: UUID?
    @NullEncoded var userId: UUID?
    @NullEncoded var ipAddress: String?
    @NullEncoded var userAgent: String?
    @NullEncoded var notes: String?
    let createdAt: Date

    init(_ row: TransactionModel) throws {
        id = try row.requireID()
        cardId = row.$card.id
        storeId = row.storeID
        type = row.type
        stampsDelta = row.stampsDelta
        pointsDelta = row.pointsDelta
        stampsBalanceAfter = row.stampsBalanceAfter
        pointsBalanceAfter = row.pointsBalanceAfter
        purchaseAmountCents = row.purchaseAmountCents
        orderReference = row.orderReference
        rewardId = row.rewardID
        voidsTransactionId = row.voidsTransactionID
        staffPinId = row.staffPinID
        userId = row.userID
        ipAddress = row.ipAddress
        userAgent = row.userAgent
        notes = row.notes
        createdAt = row.createdAt
    }

    init(_ row: TransactionListRow) {
        id = row.id
        cardId = row.card_id
        storeId = row.store_id
        type = row.type
        stampsDelta = row.stamps_delta
        pointsDelta = row.points_delta
        stampsBalanceAfter = row.stamps_balance_after
        pointsBalanceAfter = row.points_balance_after
        purchaseAmountCents = row.purchase_amount_cents
        orderReference = row.order_reference
        rewardId = row.reward_id
        voidsTransactionId = row.voids_transaction_id
        staffPinId = row.staff_pin_id
        userId = row.user_id
        ipAddress = row.ip_address
        userAgent = row.user_agent
        notes = row.notes
        createdAt = row.created_at
    }
}

/// A ledger row as the lists read it, with SQLKit: the columns of `TransactionResponse`, by
/// their names in `loyalty_transactions` (see `SQLSelectBuilder.page`).
struct TransactionListRow: Decodable {
    static let columns = [
        "id", "card_id", "store_id", "type", "stamps_delta", "points_delta", "stamps_balance_after", "points_balance_after",
        "purchase_amount_cents", "order_reference", "reward_id", "voids_transaction_id", "staff_pin_id", "user_id", "ip_address",
        "user_agent", "notes", "created_at",
    ]

    let id: UUID
    let card_id: UUID
    let store_id: UUID?
    let type: TransactionType
    let stamps_delta: Int
    let points_delta: Int
    let stamps_balance_after: Int
    let points_balance_after: Int
    let purchase_amount_cents: Int?
    let order_reference: String?
    let reward_id: UUID?
    let voids_transaction_id: UUID?
    let staff_pin_id: UUID?
    let user_id: UUID?
    let ip_address: String?
    let user_agent: String?
    let notes: String?
    let created_at: Date
}

/// `?store_id=&card_id=&type=&from=&to=&staff_pin_id=&user_id=` of a transaction list or export.
struct TransactionFilter: Sendable {
    var storeID: UUID?
    var cardID: UUID?
    var type: TransactionType?
    var from: Date?
    var to: Date?
    /// Who recorded the row: a staff PIN, or a signed-in account (the owner's back office asks
    /// "what did this cashier do").
    var staffPinID: UUID?
    var userID: UUID?

    init(
        storeID: UUID? = nil, cardID: UUID? = nil, type: TransactionType? = nil, from: Date? = nil, to: Date? = nil,
        staffPinID: UUID? = nil, userID: UUID? = nil
    ) {
        self.storeID = storeID
        self.cardID = cardID
        self.type = type
        self.from = from
        self.to = to
        self.staffPinID = staffPinID
        self.userID = userID
    }

    /// No condition at all: every row of the merchant.
    var isEmpty: Bool {
        storeID == nil && cardID == nil && type == nil && from == nil && to == nil && staffPinID == nil && userID == nil
    }

    init(from request: Request) throws {
        struct Query: Decodable {
            var storeId: String?
            var type: String?
            var from: String?
            var to: String?
            var staffPinId: String?
            var userId: String?

            enum CodingKeys: String, CodingKey {
                case storeId = "store_id"
                case staffPinId = "staff_pin_id"
                case userId = "user_id"
                case type, from, to
            }
        }
        let query = try request.query.decode(Query.self)
        var errors = FieldErrors()
        self.init()
        if let text = query.storeId {
            storeID = UUID(uuidString: text)
            if storeID == nil { errors.record("store_id", "must be a store id (UUID)") }
        }
        if let text = query.staffPinId {
            staffPinID = UUID(uuidString: text)
            if staffPinID == nil { errors.record("staff_pin_id", "must be a staff PIN id (UUID)") }
        }
        if let text = query.userId {
            userID = UUID(uuidString: text)
            if userID == nil { errors.record("user_id", "must be a user id (UUID)") }
        }
        if let text = query.type {
            type = TransactionType(rawValue: text)
            if type == nil { errors.record("type", "must be one of " + TransactionType.allCases.map(\.rawValue).joined(separator: ", ")) }
        }
        for (field, text) in [("from", query.from), ("to", query.to)] {
            guard let text else { continue }
            // RFC 3339, with or without fractional seconds.
            guard let date = (try? Date(text, strategy: .iso8601)) ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            else {
                errors.record(field, "must be an RFC 3339 time such as 2026-11-01T00:00:00Z")
                continue
            }
            if field == "from" { from = date } else { to = date }
        }
        if let from, let to, from > to { errors.record("to", "must not be before from") }
        try errors.throwIfAny()
    }

    /// Applies the filter to a query of one merchant's rows.
    func apply(to query: QueryBuilder<TransactionModel>) -> QueryBuilder<TransactionModel> {
        if let storeID { query.filter(\.$storeID == storeID) }
        if let cardID { query.filter(\.$card.$id == cardID) }
        if let type { query.filter(\.$type == type) }
        if let staffPinID { query.filter(\.$staffPinID == staffPinID) }
        if let userID { query.filter(\.$userID == userID) }
        if let from { query.filter(\.$recordedAtMilliseconds >= LedgerEntry.milliseconds(from)) }
        if let to { query.filter(\.$recordedAtMilliseconds < LedgerEntry.milliseconds(to)) }
        return query
    }

    /// The same conditions on a SQLKit select of `loyalty_transactions`.
    func apply(to select: SQLSelectBuilder) -> SQLSelectBuilder {
        if let storeID { select.where("store_id", .equal, storeID) }
        if let cardID { select.where("card_id", .equal, cardID) }
        if let type { select.where("type", .equal, type.rawValue) }
        if let staffPinID { select.where("staff_pin_id", .equal, staffPinID) }
        if let userID { select.where("user_id", .equal, userID) }
        if let from { select.where("recorded_at_ms", .greaterThanOrEqual, LedgerEntry.milliseconds(from)) }
        if let to { select.where("recorded_at_ms", .lessThan, LedgerEntry.milliseconds(to)) }
        return select
    }
}

/// Reading one merchant's ledger: lists and exports.
struct TransactionQueries: Sendable {
    let database: any Database

    func transactions(merchantID: UUID, filter: TransactionFilter, page: PageRequest) async throws -> Page<TransactionResponse> {
        // Unfiltered, the total is kept (a million rows are not counted per request).
        let knownTotal = filter.isEmpty ? try await ListTotals.ledgerRows(merchantID: merchantID, on: database) : nil
        return try await filter.apply(to: database.sql.select().from(TransactionModel.schema).where("merchant_id", .equal, merchantID))
            .orderBy("recorded_at_ms", .descending).orderBy("id", .descending)
            .page(page, columns: TransactionListRow.columns, knownTotal: knownTotal, decoding: TransactionListRow.self, map: TransactionResponse.init)
    }

    /// A card's ledger, newest first; a reissued card's history continues the cards it replaced
    /// (decision 0018).
    func history(of card: CardModel, merchantID: UUID, filter: TransactionFilter = TransactionFilter(), page: PageRequest) async throws
        -> Page<TransactionResponse>
    {
        guard card.$merchant.id == merchantID else { return Page(items: [], total: 0, page: page.page, perPage: page.perPage) }
        // The lineage holds only this merchant's cards, so the rows are read by card alone: a
        // merchant filter next to it steered SQLite to the merchant's time index, a scan of every
        // row of the merchant instead of a few rows of the card's.
        let cards = try await CardLineage.cardIDs(endingAt: card, on: database)
        return try await filter.apply(to: database.sql.select().from(TransactionModel.schema).where("card_id", .in, cards))
            .orderBy("recorded_at_ms", .descending).orderBy("sequence", .descending)
            .page(page, columns: TransactionListRow.columns, decoding: TransactionListRow.self, map: TransactionResponse.init)
    }

    /// Rows in time order, `batchSize` at a time (keyset pagination), for streaming exports.
    func forEachBatch(
        merchantID: UUID,
        filter: TransactionFilter,
        batchSize: Int = 1_000,
        _ body: ([TransactionModel]) async throws -> Void
    ) async throws {
        var after: (Int64, UUID)?
        while true {
            let query = filter.apply(to: TransactionModel.query(on: database).filter(\.$merchant.$id == merchantID))
            if let (time, id) = after {
                query.group(.or) { or in
                    or.filter(\.$recordedAtMilliseconds > time)
                    or.group(.and) { same in
                        same.filter(\.$recordedAtMilliseconds == time)
                        same.filter(\.$id > id)
                    }
                }
            }
            let rows = try await query.sort(\.$recordedAtMilliseconds).sort(\.$id).limit(batchSize).all()
            if rows.isEmpty { return }
            try await body(rows)
            guard rows.count == batchSize, let last = rows.last, let id = last.id else { return }
            after = (last.recordedAtMilliseconds, id)
        }
    }
}

extension Request {
    var transactions: TransactionQueries { TransactionQueries(database: db) }
}
