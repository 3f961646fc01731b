import Fluent
import Foundation
import LoyaltyCore
import NIOCore
import Vapor

/// Streams a merchant's cards or transactions as CSV: rows are read and written a thousand at
/// a time, so a million rows never sit in memory.
struct ExportService: Sendable {
    let database: any Database

    static let transactionHeader = [
        "id", "created_at", "type", "card_id", "card_number", "store_id", "stamps_delta", "points_delta", "stamps_balance_after",
        "points_balance_after", "purchase_amount_cents", "order_reference", "reward_id", "voids_transaction_id", "staff_pin_id",
        "user_id", "notes",
    ]
    static let cardHeader = [
        "id", "card_number", "customer_id", "customer_name", "customer_email", "stamp_count", "points_balance", "total_stamps_earned",
        "total_stamps_redeemed", "total_points_earned", "total_points_redeemed", "last_activity_at", "enrolled_store_id", "is_active",
        "created_at",
    ]

    func transactionsCSV(merchantID: UUID, filter: TransactionFilter, for request: Request) -> Response {
        stream(named: "transactions.csv", for: request) { write in
            try await write(CSV.line(Self.transactionHeader))
            try await TransactionQueries(database: database).forEachBatch(merchantID: merchantID, filter: filter) { rows in
                let cardIDs = Set(rows.map { $0.$card.id })
                let numbers = try await CardModel.query(on: database).filter(\.$id ~~ cardIDs).all()
                    .reduce(into: [UUID: String]()) { $0[$1.id ?? UUID()] = $1.printedNumber }
                let text = rows.map { row in
                    CSV.line([
                        row.id?.uuidString, row.createdAt.formatted(.iso8601), row.type.rawValue, row.$card.id.uuidString,
                        numbers[row.$card.id], row.storeID?.uuidString, String(row.stampsDelta), String(row.pointsDelta),
                        String(row.stampsBalanceAfter), String(row.pointsBalanceAfter), row.purchaseAmountCents.map(String.init),
                        row.orderReference, row.rewardID?.uuidString, row.voidsTransactionID?.uuidString, row.staffPinID?.uuidString,
                        row.userID?.uuidString, row.notes,
                    ])
                }.joined()
                try await write(text)
            }
        }
    }

    // Card numbers go out in their printed groups: a spreadsheet keeps "4417 1234 5678 9113" as
    // text, where 16 bare digits would become a number and lose the last digit.
    func cardsCSV(merchantID: UUID, for request: Request) -> Response {
        stream(named: "cards.csv", for: request) { write in
            try await write(CSV.line(Self.cardHeader))
            let query = CardModel.query(on: database)
                .join(CustomerModel.self, on: \CardModel.$customer.$id == \CustomerModel.$id)
                .filter(\.$merchant.$id == merchantID)
            try await query.forEachBatch(of: 1_000) { cards in
                let text = try cards.map { card in
                    let customer = try card.joined(CustomerModel.self)
                    return CSV.line([
                        card.id?.uuidString, card.printedNumber, card.$customer.id.uuidString, customer.name, customer.email,
                        String(card.stampCount), String(card.pointsBalance), String(card.totalStampsEarned),
                        String(card.totalStampsRedeemed), String(card.totalPointsEarned), String(card.totalPointsRedeemed),
                        card.lastActivityAt?.formatted(.iso8601), card.$enrolledStore.id?.uuidString, String(card.isActive),
                        card.createdAt?.formatted(.iso8601),
                    ])
                }.joined()
                try await write(text)
            }
        }
    }

    /// A chunked `text/csv` download whose body `produce` writes piece by piece.
    private func stream(
        named fileName: String,
        for request: Request,
        _ produce: @escaping @Sendable (_ write: @Sendable (String) async throws -> Void) async throws -> Void
    ) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.add(name: .contentDisposition, value: "attachment; filename=\"\(fileName)\"")
        let logger = request.logger
        return Response(
            status: .ok, headers: headers,
            body: .init(asyncStream: { writer in
                do {
                    try await produce { text in try await writer.writeBuffer(ByteBuffer(string: text)) }
                    try await writer.write(.end)
                } catch {
                    // Headers are gone already: the client sees a cut-off download, the log says why.
                    logger.error("export failed", metadata: ["error": "\(String(reflecting: error))"])
                    try? await writer.write(.error(error))
                }
            }))
    }
}

extension Request {
    var exports: ExportService { ExportService(database: db) }
}
