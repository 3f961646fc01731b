import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// The state an operation on one card works with, inside its locked write transaction.
///
/// Operations mutate `card.balance` through a `LoyaltyCore` rule, then call `record(...)`
/// once: it appends the ledger row to the card's hash chain, saves the card and bumps the
/// day's statistics, all in the same transaction. The balance is all an operation may change
/// on the card: `record` writes only it, the chain's end and the last activity.
final class CardOperation {
    let tx: any Database
    let card: CardModel
    let cardID: UUID
    let program: ProgramModel
    /// The platform admin's settings for the merchant.
    let settings: MerchantLoyaltySettings
    let store: StoreContext
    let staffPin: StaffPinModel?
    let operatorContext: OperatorContext
    /// Read after the card was locked, so times follow the order of commits.
    let now: Date
    let timeZone: TimeZone
    /// The types of the rows `record` wrote, for the metrics once the transaction commits.
    private(set) var recordedTypes: [TransactionType] = []

    init(
        tx: any Database, card: CardModel, program: ProgramModel, settings: MerchantLoyaltySettings, store: StoreContext,
        staffPin: StaffPinModel?,
        operatorContext: OperatorContext, now: Date
    ) throws {
        self.tx = tx
        self.card = card
        self.cardID = try card.requireID()
        self.program = program
        self.settings = settings
        self.store = store
        self.staffPin = staffPin
        self.operatorContext = operatorContext
        self.now = now
        self.timeZone = store.timeZone
    }

    /// Refuses a redemption in another store than the card's when the merchant's settings
    /// forbid it.
    func checkRedemptionStore() throws {
        guard settings.mayRedeem(enrolledAt: card.$enrolledStore.id, at: store.storeID) else {
            throw APIError.forbidden("This card can only be redeemed in the store where it was issued.")
        }
    }

    /// The store's local business day at `now`.
    var businessDay: CalendarDate { store.businessDay(at: now) }

    /// What a ledger row adds, beyond the deltas and balances `record` computes.
    struct Row {
        var type: TransactionType
        var stampsDelta = 0
        var pointsDelta = 0
        var purchaseAmountCents: Int?
        var orderReference: String?
        var rewardID: UUID?
        var voidsTransactionID: UUID?
        var notes: String?
        var stats = DailyStatsDelta()
        /// For a void: the type and reward of the row it voids (for the analytics rollups).
        var voidedType: TransactionType?
        var voidedRewardID: UUID?
    }

    /// Appends `row` to the card's ledger; `card.balance` must already hold the new balances.
    @discardableResult
    func record(_ row: Row) async throws -> TransactionModel {
        recordedTypes.append(row.type)
        let entry = LedgerEntry(
            id: UUID(), cardID: cardID, sequence: card.entryCount + 1, type: row.type,
            stampsDelta: row.stampsDelta, pointsDelta: row.pointsDelta,
            stampsBalanceAfter: card.stampCount, pointsBalanceAfter: card.pointsBalance,
            purchaseAmountCents: row.purchaseAmountCents, orderReference: row.orderReference, rewardID: row.rewardID,
            voidsTransactionID: row.voidsTransactionID, storeID: store.storeID, staffPinID: try staffPin?.requireID(),
            userID: operatorContext.userID, ipAddress: operatorContext.ipAddress, userAgent: operatorContext.userAgent,
            notes: row.notes, createdAtMilliseconds: LedgerEntry.milliseconds(now))
        let previousHash = card.lastEntryHash
        let previous = AnalyticsRecorder.Previous(
            activity: card.lastActivityAt, points: card.pointsBalance - row.pointsDelta, sequence: card.entryCount)
        let entryHash = entry.chainedHash(previousHash: previousHash, using: LedgerHashing.sha256Hex)
        let transaction = TransactionModel(
            entry, merchantID: store.merchantID, businessDay: businessDay.description, previousHash: previousHash, entryHash: entryHash)
        try await transaction.append(on: tx)

        card.entryCount = entry.sequence
        card.lastEntryHash = entryHash
        // An expiry is not activity: it would restart the window and count the card as active.
        if row.type.countsAsActivity { card.lastActivityAt = now }
        try await card.saveOperation(activity: row.type.countsAsActivity, on: tx)
        let analytics = try await AnalyticsRecorder(operation: self).record(row, entry: entry, previous: previous)
        try await DailyStats.add(
            analytics.added(to: row.stats), merchantID: store.merchantID, storeID: store.storeID, day: businessDay, cardID: cardID, on: tx)
        return transaction
    }
}
