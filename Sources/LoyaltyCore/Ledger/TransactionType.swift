/// What a ledger row records. Rows are never changed; a void is a new row of its own type.
public enum TransactionType: String, Codable, Sendable, CaseIterable {
    case stampEarned = "stamp_earned"
    case stampRedeemed = "stamp_redeemed"
    case stampVoided = "stamp_voided"
    case pointsEarned = "points_earned"
    case pointsRedeemed = "points_redeemed"
    case pointsVoided = "points_voided"
    case pointsAdjusted = "points_adjusted"
    case pointsExpired = "points_expired"
    /// The closing row of a card that was reissued: its balances leave for the new card.
    case cardTransferredOut = "card_transferred_out"
    /// The opening row of a reissued card: the balances of the card it replaces.
    case cardTransferredIn = "card_transferred_in"

    /// The row type that voids a row of this type, or `nil` when it cannot be voided.
    public var voidType: TransactionType? {
        switch self {
        case .stampEarned, .stampRedeemed: .stampVoided
        case .pointsEarned, .pointsRedeemed, .pointsAdjusted: .pointsVoided
        case .stampVoided, .pointsVoided, .pointsExpired, .cardTransferredOut, .cardTransferredIn: nil
        }
    }
}
