import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Blocking, unblocking and reissuing cards (docs/decisions/0018-card-reissue.md). Balances
/// move only by ledger rows: a reissue closes the old card's chain and opens the new one's in
/// one write transaction.
struct CardLifecycleService: Sendable {
    let database: any Database
    let writeGate: AsyncGate?
    let now: @Sendable () -> Date
    /// Runs with the ids of cards whose pass changed after a commit (the wallet pushes).
    var afterCommit: @Sendable ([UUID]) -> Void = { _ in }

    /// Blocks the card; blocking a blocked card changes its reason and keeps its time.
    func block(_ cardID: UUID, merchantID: UUID, reason: String) async throws -> CardModel {
        let card = try await database.writeTransaction(gate: writeGate) { tx in
            let card = try await Self.lock(cardID, merchantID: merchantID, on: tx)
            try Self.refuseReplaced(card)
            if card.blockedAt == nil { card.blockedAt = LedgerEntry.wholeMilliseconds(now()) }
            card.blockedReason = reason
            try await card.save(on: tx)
            return card
        }
        afterCommit([cardID])
        return card
    }

    /// Lifts a block; a replaced card stays blocked for good.
    func unblock(_ cardID: UUID, merchantID: UUID) async throws -> CardModel {
        let card = try await database.writeTransaction(gate: writeGate) { tx in
            let card = try await Self.lock(cardID, merchantID: merchantID, on: tx)
            try Self.refuseReplaced(card)
            card.blockedAt = nil
            card.blockedReason = nil
            try await card.save(on: tx)
            return card
        }
        afterCommit([cardID])
        return card
    }

    /// What a reissue made: the new card, and its private link when the old card had one (the
    /// only answer that carries it).
    struct Reissue: Sendable {
        let previous: CardModel
        let card: CardModel
        let linkToken: String?
    }

    /// Replaces the card by a new one with a new number, QR code, private link and Apple pass,
    /// moving the balances through the ledger; the old card is blocked as `reissued`, its link
    /// and pass stop working and its devices are forgotten.
    func reissue(
        _ cardID: UUID, merchantID: UUID, storeID: UUID?, reason: String?, by operatorContext: OperatorContext
    ) async throws -> Reissue {
        for attempt in 1...3 {
            do {
                let made = try await database.writeTransaction(gate: writeGate) { tx in
                    try await reissue(cardID, merchantID: merchantID, storeID: storeID, reason: reason, by: operatorContext, on: tx)
                }
                // Both passes change: the old one goes void, the new one starts with the balances.
                afterCommit([try made.previous.requireID(), try made.card.requireID()])
                return made
            } catch let error as any DatabaseError where error.isConstraintFailure && attempt < 3 {
                continue  // a new card number or QR token collided (about 1 in 10¹⁴): draw again
            }
        }
        throw APIError.conflict("reissue_failed", "The new card could not be created; try again.")
    }

    private func reissue(
        _ cardID: UUID, merchantID: UUID, storeID: UUID?, reason: String?, by operatorContext: OperatorContext, on tx: any Database
    ) async throws -> Reissue {
        let old = try await Self.lock(cardID, merchantID: merchantID, on: tx)
        try Self.refuseReplaced(old)
        let now = LedgerEntry.wholeMilliseconds(self.now())
        let plan = CardTransfer.plan(from: old.balance)
        let newID = UUID()
        let suffix = reason.map { ": \($0)" } ?? ""

        var generator = SystemRandomNumberGenerator()
        let card = CardModel(
            merchantID: merchantID, customerID: old.$customer.id, programID: old.$program.id, storeID: old.$enrolledStore.id,
            cardNumber: .random(using: &generator), qrToken: CardService.newQRToken())
        card.id = newID
        card.replacesCardID = cardID
        card.balance = plan.newCard
        card.lastActivityAt = old.lastActivityAt
        var linkToken: String?
        if old.linkTokenHash != nil {
            let token = TokenService.randomTokenValue()
            card.linkTokenHash = TokenService.hash(token)
            linkToken = token
        }

        // The old card leaves the live set first: one live card per customer is a unique index.
        old.replacedByCardID = newID
        old.blockedAt = old.blockedAt ?? now
        old.blockedReason = CardModel.reissuedReason
        old.linkTokenHash = nil
        old.balance = plan.oldCard
        let ledger = LedgerAppender(tx: tx, merchantID: merchantID, storeID: storeID, operatorContext: operatorContext, now: now)
        try await ledger.append(
            to: old, type: .cardTransferredOut, stampsDelta: plan.closingStampsDelta, pointsDelta: plan.closingPointsDelta,
            notes: "reissued as card \(newID.uuidString.lowercased())" + suffix)

        try await card.createCounted(on: tx)
        // One millisecond later, so the opening row sorts after the closing row in time.
        let opening = LedgerAppender(
            tx: tx, merchantID: merchantID, storeID: storeID, operatorContext: operatorContext, now: now.addingTimeInterval(0.001))
        try await opening.append(
            to: card, type: .cardTransferredIn, stampsDelta: plan.openingStampsDelta, pointsDelta: plan.openingPointsDelta,
            notes: "reissue of card \(cardID.uuidString.lowercased())" + suffix)

        // The old pass gets no more pushes; its serial now opens nothing.
        try await AppleDeviceRegistrationModel.query(on: tx).filter(\.$card.$id == cardID).delete()
        return Reissue(previous: old, card: card, linkToken: linkToken)
    }

    static func lock(_ cardID: UUID, merchantID: UUID, on tx: any Database) async throws -> CardModel {
        guard let card = try await CardModel.lockForUpdate(.id(cardID), merchantID: merchantID, on: tx) else {
            throw APIError.notFound("The card")
        }
        return card
    }

    static func refuseReplaced(_ card: CardModel) throws {
        guard let replacement = card.replacedByCardID else { return }
        throw APIError.conflict(
            "card_replaced", "This card was replaced by a new card; act on the new one.",
            details: ["replaced_by_card_id": .string(replacement.uuidString)])
    }
}

/// Appends a row to a card's hash chain outside a counter operation (a reissue has two cards,
/// no PIN and no statistics): the same hashing as `CardOperation.record`.
struct LedgerAppender {
    let tx: any Database
    let merchantID: UUID
    let storeID: UUID?
    let operatorContext: OperatorContext
    let now: Date

    /// `card.balance` must already hold the balances after the row.
    func append(to card: CardModel, type: TransactionType, stampsDelta: Int, pointsDelta: Int, notes: String?) async throws {
        let entry = LedgerEntry(
            id: UUID(), cardID: try card.requireID(), sequence: card.entryCount + 1, type: type, stampsDelta: stampsDelta,
            pointsDelta: pointsDelta, stampsBalanceAfter: card.stampCount, pointsBalanceAfter: card.pointsBalance,
            storeID: storeID, userID: operatorContext.userID, ipAddress: operatorContext.ipAddress,
            userAgent: operatorContext.userAgent, notes: notes, createdAtMilliseconds: LedgerEntry.milliseconds(now))
        let entryHash = entry.chainedHash(previousHash: card.lastEntryHash, using: LedgerHashing.sha256Hex)
        try await TransactionModel(entry, merchantID: merchantID, businessDay: nil, previousHash: card.lastEntryHash, entryHash: entryHash)
            .create(on: tx)
        try await ListTotals.addLedgerRow(merchantID: merchantID, cardID: entry.cardID, on: tx)
        card.entryCount = entry.sequence
        card.lastEntryHash = entryHash
        try await card.save(on: tx)
    }
}
