import Foundation

/// One immutable ledger row's content, as hashed into the card's chain.
///
/// Each row's hash covers its content and the previous row's hash, so changing or removing a
/// row (even directly in the database) breaks every later hash of that card.
public struct LedgerEntry: Equatable, Sendable {
    public var id: UUID
    public var cardID: UUID
    /// 1 for the card's first row, then +1 per row.
    public var sequence: Int
    public var type: TransactionType
    public var stampsDelta: Int
    public var pointsDelta: Int
    public var stampsBalanceAfter: Int
    public var pointsBalanceAfter: Int
    public var purchaseAmountCents: Int?
    public var orderReference: String?
    public var rewardID: UUID?
    public var voidsTransactionID: UUID?
    public var storeID: UUID?
    public var staffPinID: UUID?
    public var userID: UUID?
    public var ipAddress: String?
    public var userAgent: String?
    public var notes: String?
    /// Whole milliseconds since 1970: what both databases store exactly.
    public var createdAtMilliseconds: Int64

    public init(
        id: UUID, cardID: UUID, sequence: Int, type: TransactionType, stampsDelta: Int, pointsDelta: Int,
        stampsBalanceAfter: Int, pointsBalanceAfter: Int, purchaseAmountCents: Int? = nil, orderReference: String? = nil,
        rewardID: UUID? = nil, voidsTransactionID: UUID? = nil, storeID: UUID? = nil, staffPinID: UUID? = nil,
        userID: UUID? = nil, ipAddress: String? = nil, userAgent: String? = nil, notes: String? = nil,
        createdAtMilliseconds: Int64
    ) {
        self.id = id
        self.cardID = cardID
        self.sequence = sequence
        self.type = type
        self.stampsDelta = stampsDelta
        self.pointsDelta = pointsDelta
        self.stampsBalanceAfter = stampsBalanceAfter
        self.pointsBalanceAfter = pointsBalanceAfter
        self.purchaseAmountCents = purchaseAmountCents
        self.orderReference = orderReference
        self.rewardID = rewardID
        self.voidsTransactionID = voidsTransactionID
        self.storeID = storeID
        self.staffPinID = staffPinID
        self.userID = userID
        self.ipAddress = ipAddress
        self.userAgent = userAgent
        self.notes = notes
        self.createdAtMilliseconds = createdAtMilliseconds
    }

    /// A time in whole milliseconds, rounded to the nearest: a time stored from a millisecond
    /// value comes back from either database within a microsecond of it (PostgreSQL keeps
    /// microseconds, truncating), so rounding recovers exactly the millisecond that was hashed.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000).rounded())
    }

    /// `date` at whole-millisecond precision, as one canonical `Date` value: two times with the
    /// same millisecond compare equal however each database stored and returned them.
    public static func wholeMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: TimeInterval(milliseconds(date)) / 1_000)
    }

    /// The text the hash covers: versioned, one `name=value` per field, `|`-separated, with
    /// `\` and `|` escaped so no two different rows can read the same.
    public var canonicalContent: String {
        func text(_ value: String?) -> String {
            guard let value else { return "~" }
            // Most values hold none of the three characters; skipping Foundation's search for
            // them keeps hashing cheap on every write. The escaping itself stays the call the
            // existing chains were hashed with.
            guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "~") }) else {
                return value
            }
            return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
                .replacingOccurrences(of: "~", with: "\\~")
        }
        let fields: [(String, String?)] = [
            ("id", id.uuidString.lowercased()), ("card", cardID.uuidString.lowercased()), ("seq", String(sequence)),
            ("type", type.rawValue), ("stamps", String(stampsDelta)), ("points", String(pointsDelta)),
            ("stamps_after", String(stampsBalanceAfter)), ("points_after", String(pointsBalanceAfter)),
            ("purchase", purchaseAmountCents.map(String.init)), ("order", orderReference),
            ("reward", rewardID?.uuidString.lowercased()), ("voids", voidsTransactionID?.uuidString.lowercased()),
            ("store", storeID?.uuidString.lowercased()), ("pin", staffPinID?.uuidString.lowercased()),
            ("user", userID?.uuidString.lowercased()), ("ip", ipAddress), ("ua", userAgent), ("notes", notes),
            ("at", String(createdAtMilliseconds)),
        ]
        return "v1|" + fields.map { "\($0.0)=\(text($0.1))" }.joined(separator: "|")
    }

    /// The chained hash: `hash(previousHash + "\n" + canonicalContent)`; the first row of a card
    /// chains to the empty string.
    public func chainedHash(previousHash: String, using hash: (String) -> String) -> String {
        hash(previousHash + "\n" + canonicalContent)
    }
}
