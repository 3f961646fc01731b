import Foundation
import LoyaltyCore

extension RollupBuilder {
    /// A generated card: its enrollment, its rows in order (each void with the row it voids,
    /// found among the card's own rows) and its final balances.
    mutating func add(_ card: SimulatedCard, cardID: UUID, merchantID: UUID, programID: UUID) {
        addEnrollment(merchantID: merchantID, storeID: card.enrolledStore.id, day: card.enrollmentDay.description)
        var earlier: [UUID: SimulatedRow] = [:]
        for simulated in card.rows {
            let entry = simulated.entry
            let voided = entry.voidsTransactionID.flatMap { earlier[$0] }.map {
                Voided(
                    type: $0.entry.type, stampsDelta: $0.entry.stampsDelta, pointsDelta: $0.entry.pointsDelta, rewardID: $0.entry.rewardID,
                    businessDay: $0.businessDay.description)
            }
            add(
                Row(
                    merchantID: merchantID, cardID: cardID, programID: programID, type: entry.type, stampsDelta: entry.stampsDelta,
                    pointsDelta: entry.pointsDelta, stampsBalanceAfter: entry.stampsBalanceAfter, rewardID: entry.rewardID,
                    storeID: entry.storeID, staffPinID: entry.staffPinID, userID: entry.userID, businessDay: simulated.businessDay.description,
                    createdAt: Date(timeIntervalSince1970: Double(entry.createdAtMilliseconds) / 1_000), voided: voided))
            earlier[entry.id] = simulated
        }
        addCard(merchantID: merchantID, stamps: card.balance.stampCount, points: card.balance.pointsBalance, lastActivityAt: card.lastActivityAt)
    }
}
