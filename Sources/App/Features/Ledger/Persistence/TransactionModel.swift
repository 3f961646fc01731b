import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// One immutable ledger row. The database refuses UPDATE and DELETE on this table (triggers in
/// `LedgerMigrations`); a void is a new row that names the row it voids.
final class TransactionModel: Model, @unchecked Sendable {
    static let schema = "loyalty_transactions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Parent(key: "card_id") var card: CardModel
    @Field(key: "sequence") var sequence: Int
    @Field(key: "type") var type: TransactionType
    @Field(key: "stamps_delta") var stampsDelta: Int
    @Field(key: "points_delta") var pointsDelta: Int
    @Field(key: "stamps_balance_after") var stampsBalanceAfter: Int
    @Field(key: "points_balance_after") var pointsBalanceAfter: Int
    @OptionalField(key: "purchase_amount_cents") var purchaseAmountCents: Int?
    @OptionalField(key: "order_reference") var orderReference: String?
    @OptionalField(key: "reward_id") var rewardID: UUID?
    /// Unique: a row is voided at most once, decided by the database.
    @OptionalField(key: "voids_transaction_id") var voidsTransactionID: UUID?
    @OptionalField(key: "store_id") var storeID: UUID?
    @OptionalField(key: "staff_pin_id") var staffPinID: UUID?
    @OptionalField(key: "user_id") var userID: UUID?
    @OptionalField(key: "ip_address") var ipAddress: String?
    @OptionalField(key: "user_agent") var userAgent: String?
    @OptionalField(key: "notes") var notes: String?
    /// The local business day a stamp counted toward (`YYYY-MM-DD`), for stamp rows.
    @OptionalField(key: "business_day") var businessDay: String?
    @Field(key: "created_at") var createdAt: Date
    /// `createdAt` in whole milliseconds, exactly as hashed.
    @Field(key: "recorded_at_ms") var recordedAtMilliseconds: Int64
    @Field(key: "previous_hash") var previousHash: String
    @Field(key: "entry_hash") var entryHash: String

    init() {}

    init(_ entry: LedgerEntry, merchantID: UUID, businessDay: String?, previousHash: String, entryHash: String) {
        id = entry.id
        $merchant.id = merchantID
        $card.id = entry.cardID
        sequence = entry.sequence
        type = entry.type
        stampsDelta = entry.stampsDelta
        pointsDelta = entry.pointsDelta
        stampsBalanceAfter = entry.stampsBalanceAfter
        pointsBalanceAfter = entry.pointsBalanceAfter
        purchaseAmountCents = entry.purchaseAmountCents
        orderReference = entry.orderReference
        rewardID = entry.rewardID
        voidsTransactionID = entry.voidsTransactionID
        storeID = entry.storeID
        staffPinID = entry.staffPinID
        userID = entry.userID
        ipAddress = entry.ipAddress
        userAgent = entry.userAgent
        notes = entry.notes
        self.businessDay = businessDay
        createdAt = Date(timeIntervalSince1970: TimeInterval(entry.createdAtMilliseconds) / 1_000)
        recordedAtMilliseconds = entry.createdAtMilliseconds
        self.previousHash = previousHash
        self.entryHash = entryHash
    }

    /// The row as the hash chain sees it.
    var entry: LedgerEntry {
        get throws {
            LedgerEntry(
                id: try requireID(), cardID: $card.id, sequence: sequence, type: type, stampsDelta: stampsDelta,
                pointsDelta: pointsDelta, stampsBalanceAfter: stampsBalanceAfter, pointsBalanceAfter: pointsBalanceAfter,
                purchaseAmountCents: purchaseAmountCents, orderReference: orderReference, rewardID: rewardID,
                voidsTransactionID: voidsTransactionID, storeID: storeID, staffPinID: staffPinID, userID: userID,
                ipAddress: ipAddress, userAgent: userAgent, notes: notes,
                createdAtMilliseconds: recordedAtMilliseconds)
        }
    }
}
