import Fluent
import Foundation
import SQLKit
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

    /// Listed by hand: Fluent's default finds them by reflection on every read and write, a
    /// quarter of a stamp's CPU (docs/decisions/0045-counter-path-cpu.md). In declaration order;
    /// `ModelPropertiesTests` fails when a property is missing here.
    var properties: [any AnyProperty] {
        [$id, $merchant, $card, $sequence, $type, $stampsDelta, $pointsDelta, $stampsBalanceAfter, $pointsBalanceAfter,
            $purchaseAmountCents, $orderReference, $rewardID, $voidsTransactionID, $storeID, $staffPinID, $userID, $ipAddress,
            $userAgent, $notes, $businessDay, $createdAt, $recordedAtMilliseconds, $previousHash, $entryHash]
    }

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

    /// Inserts this new row with one fixed statement: the counter path's append. Fluent's
    /// `create` would build, quote and serialize the 24-column INSERT again for every row
    /// (docs/decisions/0045-counter-path-cpu.md). The row is not marked as saved in Fluent's
    /// sense: it is written once and never updated.
    func append(on database: any Database) async throws {
        try await database.sql.raw(
            """
            INSERT INTO \(unsafeRaw: Self.schema) (id, merchant_id, card_id, sequence, type, stamps_delta, points_delta,
                stamps_balance_after, points_balance_after, purchase_amount_cents, order_reference, reward_id, voids_transaction_id,
                store_id, staff_pin_id, user_id, ip_address, user_agent, notes, business_day, created_at, recorded_at_ms,
                previous_hash, entry_hash)
            VALUES (\(bind: requireID()), \(bind: $merchant.id), \(bind: $card.id), \(bind: sequence), \(bind: type), \(bind: stampsDelta),
                \(bind: pointsDelta), \(bind: stampsBalanceAfter), \(bind: pointsBalanceAfter), \(bind: purchaseAmountCents),
                \(bind: orderReference), \(bind: rewardID), \(bind: voidsTransactionID), \(bind: storeID), \(bind: staffPinID),
                \(bind: userID), \(bind: ipAddress), \(bind: userAgent), \(bind: notes), \(bind: businessDay), \(bind: createdAt),
                \(bind: recordedAtMilliseconds), \(bind: previousHash), \(bind: entryHash))
            """
        ).run()
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
