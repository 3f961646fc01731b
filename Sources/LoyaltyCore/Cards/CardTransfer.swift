/// Moving a card's balances to the card that replaces it (a reissue after a loss or a leaked QR
/// code or link): the old card's closing row takes every balance to zero, the new card's
/// opening row brings the same amounts in, so both chains still sum to their balances.
public enum CardTransfer {
    public struct Plan: Equatable, Sendable {
        /// The deltas of the old card's closing row (`card_transferred_out`): minus what it holds.
        public let closingStampsDelta: Int
        public let closingPointsDelta: Int
        /// The deltas of the new card's opening row (`card_transferred_in`).
        public var openingStampsDelta: Int { -closingStampsDelta }
        public var openingPointsDelta: Int { -closingPointsDelta }
        /// The old card afterwards: nothing left to spend; its lifetime totals stay as history.
        public let oldCard: CardBalance
        /// The new card: the same balances and totals, and the same last stamp and stamps of the
        /// day, so a reissue never resets a cooldown or a daily limit.
        public let newCard: CardBalance
    }

    public static func plan(from balance: CardBalance) -> Plan {
        var emptied = balance
        emptied.stampCount = 0
        emptied.pointsBalance = 0
        return Plan(
            closingStampsDelta: -balance.stampCount, closingPointsDelta: -balance.pointsBalance, oldCard: emptied,
            newCard: balance)
    }
}
