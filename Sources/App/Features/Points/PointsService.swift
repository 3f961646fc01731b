import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Points at the counter: earn on a purchase, redeem a catalog reward, adjust by hand.
struct PointsService: Sendable {
    let runner: CardOperationRunner

    func earn(
        card: CardReference, purchaseCents: Int, orderReference: String?, notes: String?, store: StoreContext,
        by operatorContext: OperatorContext, idempotency: IdempotencyRequest?
    ) async throws -> OperationResult<PointsEarnResponse> {
        try await runner.run(card: card, store: store, operatorContext: operatorContext, idempotency: idempotency) { op in
            var balance = op.card.balance
            let earned: Int
            do throws(PointsError) {
                earned = try PointsRules.earn(on: &balance, purchaseCents: purchaseCents, rules: op.program.rules)
            } catch { throw error.apiError }
            op.card.balance = balance
            let row = try await op.record(
                .init(
                    type: .pointsEarned, pointsDelta: earned, purchaseAmountCents: purchaseCents, orderReference: orderReference,
                    notes: notes, stats: DailyStatsDelta(pointsGiven: earned)))
            return PointsEarnResponse(
                cardId: op.cardID, pointsEarned: earned, pointsBalance: balance.pointsBalance, purchaseAmountCents: purchaseCents,
                orderReference: orderReference, transactionId: try row.requireID())
        }
    }

    func redeem(
        card: CardReference, rewardID: UUID, notes: String?, store: StoreContext, by operatorContext: OperatorContext,
        idempotency: IdempotencyRequest?
    ) async throws -> OperationResult<PointsRedeemResponse> {
        try await runner.run(card: card, store: store, operatorContext: operatorContext, idempotency: idempotency) { op in
            try op.checkRedemptionStore()
            guard let reward = try await RewardModel.query(on: op.tx)
                .filter(\.$id == rewardID)
                .filter(\.$program.$id == op.program.requireID())
                .first()
            else { throw APIError.notFound("The reward") }
            var balance = op.card.balance
            do throws(PointsError) {
                try PointsRules.redeem(reward.terms, from: &balance, rules: op.program.rules)
            } catch { throw error.apiError }
            op.card.balance = balance
            let row = try await op.record(
                .init(
                    type: .pointsRedeemed, pointsDelta: -reward.pointsCost, rewardID: rewardID, notes: notes,
                    stats: DailyStatsDelta(pointsRedeemed: reward.pointsCost)))
            return PointsRedeemResponse(
                cardId: op.cardID, rewardId: rewardID, rewardName: reward.name, pointsSpent: reward.pointsCost,
                pointsBalance: balance.pointsBalance, transactionId: try row.requireID())
        }
    }

    func adjust(
        card: CardReference, delta: Int, reason: String, store: StoreContext, by operatorContext: OperatorContext,
        idempotency: IdempotencyRequest?
    ) async throws -> OperationResult<PointsAdjustResponse> {
        try await runner.run(
            card: card, store: store, operatorContext: operatorContext, idempotency: idempotency, asksForPin: false
        ) { op in
            var balance = op.card.balance
            do throws(PointsError) {
                try PointsRules.adjust(&balance, by: delta)
            } catch { throw error.apiError }
            op.card.balance = balance
            let row = try await op.record(.init(type: .pointsAdjusted, pointsDelta: delta, notes: reason))
            return PointsAdjustResponse(cardId: op.cardID, pointsDelta: delta, pointsBalance: balance.pointsBalance, transactionId: try row.requireID())
        }
    }
}
