import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Stamps at the counter: add, redeem, void.
struct StampService: Sendable {
    let runner: CardOperationRunner

    func addStamp(
        card: CardReference, notes: String?, store: StoreContext, by operatorContext: OperatorContext, idempotency: IdempotencyRequest?
    ) async throws -> OperationResult<StampResponse> {
        try await runner.run(card: card, store: store, operatorContext: operatorContext, idempotency: idempotency) { op in
            var balance = op.card.balance
            let outcome: StampOutcome
            do throws(StampError) {
                outcome = try StampRules.addStamp(to: &balance, rules: op.program.rules, at: op.now, timeZone: op.timeZone)
            } catch { throw error.apiError }
            op.card.balance = balance
            let row = try await op.record(
                .init(type: .stampEarned, stampsDelta: 1, notes: notes, stats: DailyStatsDelta(stampsGiven: 1)))
            return StampResponse(
                cardId: op.cardID, stampCount: outcome.stampCount, stampsTarget: op.program.stampsTarget, rewardEarned: outcome.rewardEarned,
                rewardsAvailable: outcome.rewardsAvailable, nextStampAvailableAt: outcome.nextStampAvailableAt,
                stampsToday: outcome.stampsToday, maxDailyStamps: op.program.maxDailyStamps, transactionId: try row.requireID())
        }
    }

    func redeemStamps(
        card: CardReference, notes: String?, store: StoreContext, by operatorContext: OperatorContext, idempotency: IdempotencyRequest?
    ) async throws -> OperationResult<StampRedeemResponse> {
        try await runner.run(card: card, store: store, operatorContext: operatorContext, idempotency: idempotency) { op in
            try op.checkRedemptionStore()
            var balance = op.card.balance
            let rewardsLeft: Int
            do throws(StampError) {
                rewardsLeft = try StampRules.redeem(from: &balance, rules: op.program.rules)
            } catch { throw error.apiError }
            op.card.balance = balance
            let target = op.program.stampsTarget
            let row = try await op.record(
                .init(type: .stampRedeemed, stampsDelta: -target, notes: notes, stats: DailyStatsDelta(stampsRedeemed: target)))
            return StampRedeemResponse(
                cardId: op.cardID, stampCount: balance.stampCount, stampsTarget: target, rewardsAvailable: rewardsLeft,
                rewardDescription: op.program.stampsRewardDescription, transactionId: try row.requireID())
        }
    }
}

/// Voids of stamp and points rows: a compensating row naming the original, at most once.
struct VoidService: Sendable {
    let runner: CardOperationRunner

    /// Voids `transactionID` if it is a row of `family` (`.stampVoided` or `.pointsVoided`).
    ///
    /// `actor` is the role of the signed-in account: who may void which row is
    /// `VoidPermission`'s rule, decided under the card's lock at the operation's time.
    func void(
        _ transactionID: UUID, family: TransactionType, reason: String, store: StoreContext, actor: VoidPermission.Actor,
        by operatorContext: OperatorContext, idempotency: IdempotencyRequest?
    ) async throws -> OperationResult<VoidResponse> {
        guard let original = try await TransactionModel.query(on: runner.database)
            .filter(\.$id == transactionID)
            .filter(\.$merchant.$id == store.merchantID)
            .first()
        else { throw APIError.notFound("The transaction") }
        let cardID = original.$card.id

        return try await runner.run(card: .id(cardID), store: store, operatorContext: operatorContext, idempotency: idempotency) { op in
            guard op.settings.allowStoreVoids else {
                throw APIError.forbidden("Voids are turned off for this merchant; ask the platform admin.")
            }
            do throws(VoidPermissionError) {
                try VoidPermission.check(
                    actor,
                    voiding: .init(type: original.type, storeID: original.storeID, businessDay: original.businessDay.flatMap(CalendarDate.init)),
                    windowDays: op.settings.storeVoidWindowDays, today: op.businessDay)
            } catch { throw error.apiError }
            // Checked under the card's lock; the unique index on voids_transaction_id backs it.
            if try await TransactionModel.query(on: op.tx).filter(\.$voidsTransactionID == transactionID).first() != nil {
                throw VoidError.alreadyVoided.apiError
            }
            var balance = op.card.balance
            let deltas: (stampsDelta: Int, pointsDelta: Int)
            do throws(VoidError) {
                deltas = try VoidRules.void(
                    VoidableEntry(
                        type: original.type, stampsDelta: original.stampsDelta, pointsDelta: original.pointsDelta,
                        stampDay: original.businessDay.flatMap(CalendarDate.init)),
                    family: family, on: &balance)
            } catch { throw error.apiError }
            op.card.balance = balance
            let row = try await op.record(
                .init(
                    type: family, stampsDelta: deltas.stampsDelta, pointsDelta: deltas.pointsDelta, voidsTransactionID: transactionID,
                    notes: reason, stats: Self.statsReversal(of: original), voidedType: original.type,
                    voidedRewardID: original.rewardID))
            return VoidResponse(
                cardId: cardID, stampCount: balance.stampCount, pointsBalance: balance.pointsBalance,
                voidedTransactionId: transactionID, transactionId: try row.requireID())
        }
    }

    /// A void takes its original out of the day's statistics.
    static func statsReversal(of original: TransactionModel) -> DailyStatsDelta {
        switch original.type {
        case .stampEarned: DailyStatsDelta(stampsGiven: -original.stampsDelta)
        case .stampRedeemed: DailyStatsDelta(stampsRedeemed: original.stampsDelta)
        case .pointsEarned: DailyStatsDelta(pointsGiven: -original.pointsDelta)
        case .pointsRedeemed: DailyStatsDelta(pointsRedeemed: original.pointsDelta)
        case .pointsAdjusted, .stampVoided, .pointsVoided, .pointsExpired, .cardTransferredOut, .cardTransferredIn: DailyStatsDelta()
        }
    }
}
