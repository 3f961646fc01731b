import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// A customer's card with one merchant: the lock root of every balance change.
///
/// Balances and totals are the sum of the card's ledger rows, kept here so an operation reads
/// one row; `lastEntryHash` and `entryCount` let the next row join the hash chain without
/// reading the history.
final class CardModel: Model, @unchecked Sendable {
    static let schema = "loyalty_cards"

    @ID(key: .id) var id: UUID?
    @Parent(key: "merchant_id") var merchant: MerchantModel
    @Parent(key: "customer_id") var customer: CustomerModel
    @Parent(key: "program_id") var program: ProgramModel
    @OptionalParent(key: "enrolled_store_id") var enrolledStore: StoreModel?
    /// 16 digits, no spaces.
    @Field(key: "card_number") var cardNumber: String
    /// The opaque token a QR code carries; it says nothing about the customer.
    @Field(key: "qr_token") var qrToken: String
    @Field(key: "stamp_count") var stampCount: Int
    @Field(key: "points_balance") var pointsBalance: Int
    @Field(key: "total_stamps_earned") var totalStampsEarned: Int
    @Field(key: "total_stamps_redeemed") var totalStampsRedeemed: Int
    @Field(key: "total_points_earned") var totalPointsEarned: Int
    @Field(key: "total_points_redeemed") var totalPointsRedeemed: Int
    @OptionalField(key: "last_stamp_at") var lastStampAt: Date?
    @Field(key: "stamps_today") var stampsToday: Int
    /// `YYYY-MM-DD` of the store's local day `stampsToday` counts.
    @OptionalField(key: "stamps_today_date") var stampsTodayDate: String?
    @OptionalField(key: "last_activity_at") var lastActivityAt: Date?
    @Field(key: "entry_count") var entryCount: Int
    @Field(key: "last_entry_hash") var lastEntryHash: String
    @Field(key: "is_active") var isActive: Bool
    /// SHA-256 of the private link token of a card enrolled without an account.
    @OptionalField(key: "link_token_hash") var linkTokenHash: String?
    /// The Apple Wallet pass's serial number: fixed, unguessable, and the download credential.
    @Field(key: "apple_serial_number") var appleSerialNumber: String
    /// What Wallet sends as `Authorization: ApplePass <token>`; fixed for the card's life.
    @Field(key: "apple_auth_token") var appleAuthToken: String
    /// When the card was blocked, and why; every counter operation refuses a blocked card.
    @OptionalField(key: "blocked_at") var blockedAt: Date?
    @OptionalField(key: "blocked_reason") var blockedReason: String?
    /// The card that replaced this one (a reissue); set together with the block, for good.
    @OptionalField(key: "replaced_by_card_id") var replacedByCardID: UUID?
    /// The card this one replaced: its history continues this card's.
    @OptionalField(key: "replaces_card_id") var replacesCardID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// Listed by hand: Fluent's default finds them by reflection on every read and write, a
    /// quarter of a stamp's CPU (docs/decisions/0045-counter-path-cpu.md). In declaration order;
    /// `ModelPropertiesTests` fails when a property is missing here.
    var properties: [any AnyProperty] {
        [$id, $merchant, $customer, $program, $enrolledStore, $cardNumber, $qrToken, $stampCount, $pointsBalance,
            $totalStampsEarned, $totalStampsRedeemed, $totalPointsEarned, $totalPointsRedeemed, $lastStampAt, $stampsToday,
            $stampsTodayDate, $lastActivityAt, $entryCount, $lastEntryHash, $isActive, $linkTokenHash, $appleSerialNumber,
            $appleAuthToken, $blockedAt, $blockedReason, $replacedByCardID, $replacesCardID, $createdAt, $updatedAt]
    }

    init(merchantID: UUID, customerID: UUID, programID: UUID, storeID: UUID?, cardNumber: CardNumber, qrToken: String) {
        self.$merchant.id = merchantID
        self.$customer.id = customerID
        self.$program.id = programID
        self.$enrolledStore.id = storeID
        self.cardNumber = cardNumber.digits
        self.qrToken = qrToken
        self.balance = CardBalance()
        self.entryCount = 0
        self.lastEntryHash = ""
        self.isActive = true
        let pass = ApplePassIdentity.random()
        self.appleSerialNumber = pass.serialNumber
        self.appleAuthToken = pass.authenticationToken
    }

    /// The card number as printed, in groups of four.
    var printedNumber: String {
        // Stored numbers were made by `CardNumber.random`, so they always parse.
        CardNumber(cardNumber)?.formatted ?? cardNumber
    }

    var balance: CardBalance {
        get {
            var balance = CardBalance()
            balance.stampCount = stampCount
            balance.pointsBalance = pointsBalance
            balance.totalStampsEarned = totalStampsEarned
            balance.totalStampsRedeemed = totalStampsRedeemed
            balance.totalPointsEarned = totalPointsEarned
            balance.totalPointsRedeemed = totalPointsRedeemed
            balance.lastStampAt = lastStampAt.map(LedgerEntry.wholeMilliseconds)
            balance.stampsToday = stampsToday
            balance.stampsTodayDate = stampsTodayDate.flatMap(CalendarDate.init)
            return balance
        }
        set {
            stampCount = newValue.stampCount
            pointsBalance = newValue.pointsBalance
            totalStampsEarned = newValue.totalStampsEarned
            totalStampsRedeemed = newValue.totalStampsRedeemed
            totalPointsEarned = newValue.totalPointsEarned
            totalPointsRedeemed = newValue.totalPointsRedeemed
            lastStampAt = newValue.lastStampAt
            stampsToday = newValue.stampsToday
            stampsTodayDate = newValue.stampsTodayDate?.description
        }
    }

    /// Writes what a counter operation changes (the balance, the hash chain's end, and the last
    /// activity when `activity` says the operation was one) with one fixed statement; Fluent's
    /// `save` would build and quote it again for every operation
    /// (docs/decisions/0045-counter-path-cpu.md). Operations change nothing else on the card:
    /// `CardOperation.record` is the only caller.
    ///
    /// `last_activity_at` is left as stored otherwise: the expiry job's keyset pages order by it,
    /// and a value written back after a round trip through `Date` need not compare equal.
    func saveOperation(activity: Bool, on database: any Database) async throws {
        let lastActivity: SQLQueryString = activity ? "\(bind: lastActivityAt)" : "last_activity_at"
        try await database.sql.raw(
            """
            UPDATE \(unsafeRaw: Self.schema) SET stamp_count = \(bind: stampCount), points_balance = \(bind: pointsBalance),
                total_stamps_earned = \(bind: totalStampsEarned), total_stamps_redeemed = \(bind: totalStampsRedeemed),
                total_points_earned = \(bind: totalPointsEarned), total_points_redeemed = \(bind: totalPointsRedeemed),
                last_stamp_at = \(bind: lastStampAt), stamps_today = \(bind: stampsToday), stamps_today_date = \(bind: stampsTodayDate),
                last_activity_at = \(lastActivity), entry_count = \(bind: entryCount), last_entry_hash = \(bind: lastEntryHash),
                updated_at = \(bind: Date())
            WHERE id = \(bind: requireID())
            """
        ).run()
    }

    /// Loads the merchant's card that `reference` names (id, number or QR code) for
    /// read-modify-write, found and locked in one statement. Call inside
    /// `Database.writeTransaction`.
    ///
    /// PostgreSQL takes a row lock (`FOR UPDATE`), so concurrent operations on one card queue
    /// here; SQLite's dialect omits the clause, and `BEGIN IMMEDIATE` already holds the
    /// database write lock.
    static func lockForUpdate(_ reference: CardReference, merchantID: UUID, on database: any Database) async throws -> CardModel? {
        let query = database.sql.select().column("*").from(schema).where("merchant_id", .equal, merchantID)
        switch reference {
        case .id(let id): query.where("id", .equal, id)
        case .number(let number): query.where("card_number", .equal, number.digits)
        case .qrCode(let token): query.where("qr_token", .equal, token)
        }
        return try await query.limit(1).for(.update).first(decodingFluent: CardModel.self)
    }
}
