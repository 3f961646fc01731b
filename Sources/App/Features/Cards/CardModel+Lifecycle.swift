import Fluent
import Foundation
import Vapor

/// Where a card stands: in use, blocked (lost, misused; can be unblocked), or replaced by a
/// reissued card (for good).
enum CardStatus: String, Codable, Sendable {
    case active, blocked, replaced

    /// A replaced card is also blocked; the replacement says more.
    init(blockedAt: Date?, replacedByCardID: UUID?) {
        if replacedByCardID != nil {
            self = .replaced
        } else {
            self = blockedAt == nil ? .active : .blocked
        }
    }
}

extension CardModel {
    /// The reason a reissued card is blocked with.
    static let reissuedReason = "reissued"

    var status: CardStatus { CardStatus(blockedAt: blockedAt, replacedByCardID: replacedByCardID) }

    /// The refusal of every counter operation on a blocked or replaced card, `nil` otherwise.
    var blockedRefusal: APIError? {
        guard let blockedAt else { return nil }
        var details: [String: JSONValue] = [
            "reason": .string(blockedReason ?? ""), "blocked_at": .string(blockedAt.formatted(.iso8601)),
        ]
        if let replacedByCardID {
            details["replaced_by_card_id"] = .string(replacedByCardID.uuidString)
            return APIError.conflict("card_blocked", "This card was replaced by a new card; use the new one.", details: details)
        }
        return APIError.conflict("card_blocked", "This card is blocked: \(blockedReason ?? "no reason given").", details: details)
    }

    /// What a holder's link or pass download answers for a blocked or replaced card.
    static let goneForHolder = APIError(
        .gone, code: "card_blocked", message: "This card is blocked or was replaced by a new one; ask the shop.")
}

/// A card and the cards it replaced, newest first: one customer's continuous history.
enum CardLineage {
    /// Reissues followed at most this far back; a longer chain shows its newest part.
    static let maximumLength = 50

    static func cardIDs(endingAt card: CardModel, on database: any Database) async throws -> [UUID] {
        var ids = [try card.requireID()]
        var previous = card.replacesCardID
        // Only cards of the same merchant join the lineage: callers read the ledger by these ids.
        while let id = previous, ids.count < maximumLength, !ids.contains(id),
            let earlier = try await CardModel.query(on: database).filter(\.$id == id).filter(\.$merchant.$id == card.$merchant.id).first()
        {
            ids.append(id)
            previous = earlier.replacesCardID
        }
        return ids
    }
}
