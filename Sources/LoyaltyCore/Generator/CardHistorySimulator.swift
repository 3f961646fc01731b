import Foundation

/// A store as the generator's counters use it.
public struct SimulatedStore: Sendable {
    public let id: UUID
    public let timeZone: TimeZone
    /// The store's staff PINs and the accounts signed in at its terminal.
    public let pinIDs: [UUID]
    public let userIDs: [UUID]

    public init(id: UUID, timeZone: TimeZone, pinIDs: [UUID], userIDs: [UUID]) {
        self.id = id
        self.timeZone = timeZone
        self.pinIDs = pinIDs
        self.userIDs = userIDs
    }
}

/// The daily-statistics counters one row adds to its store's day (what the services pass to
/// `record`): the App maps it onto `DailyStatsDelta`.
public struct SimulatedStats: Equatable, Sendable {
    public var cardsEnrolled = 0
    public var stampsGiven = 0
    public var stampsRedeemed = 0
    public var pointsGiven = 0
    public var pointsRedeemed = 0
    public var pointsExpired = 0

    public init() {}
}

/// One generated ledger row, chained, with the store day its statistics go to.
public struct SimulatedRow: Sendable {
    public let entry: LedgerEntry
    public let previousHash: String
    public let entryHash: String
    /// The recording store's local day (`business_day`), where its statistics count.
    public let businessDay: CalendarDate
    public let stats: SimulatedStats
}

/// A card's whole generated life.
public struct SimulatedCard: Sendable {
    public let enrolledAt: Date
    public let enrolledStore: SimulatedStore
    public let enrollmentDay: CalendarDate
    public var balance: CardBalance
    public var rows: [SimulatedRow]
    public var lastActivityAt: Date?
    public var lastEntryHash: String { rows.last?.entryHash ?? "" }
    public var updatedAt: Date { rows.last.map { Date(timeIntervalSince1970: Double($0.entry.createdAtMilliseconds) / 1_000) } ?? enrolledAt }
}

/// Plays a card's history at the counter through the same `LoyaltyCore` rules the operations
/// apply (stamps with their cooldown and daily limit, redemptions only with enough on the card,
/// voids through `VoidRules`, expiry through `PointsExpiry`), so the rows are rows the write
/// path could have written; each row joins the card's hash chain as `CardOperation.record` does.
public struct CardHistorySimulator {
    public let rules: ProgramRules
    /// The program's catalog rewards (id, points cost).
    public let rewards: [(id: UUID, cost: Int)]
    public let stores: [SimulatedStore]
    /// Generated rows are no later than this.
    public let end: Date
    public let hash: (String) -> String

    /// How far back cards are enrolled.
    public static let history: TimeInterval = 400 * 86_400

    public init(rules: ProgramRules, rewards: [(id: UUID, cost: Int)], stores: [SimulatedStore], end: Date, hash: @escaping (String) -> String) {
        self.rules = rules
        self.rewards = rewards
        self.stores = stores
        self.end = end
        self.hash = hash
    }

    private struct Op {
        var type: TransactionType
        var stampsDelta = 0
        var pointsDelta = 0
        var purchaseCents: Int?
        var rewardID: UUID?
        var voids: SimulatedRow?
        var notes: String?
        var stats = SimulatedStats()
        var store: SimulatedStore
        var at: Date
    }

    /// Simulates card `cardID`: enrolled at a random time in the last 400 days (earlier for busy
    /// cards), then `rowCount` ledger rows spread over its life up to `end`.
    public func simulate(cardID: UUID, rowCount: Int, using rng: inout some RandomNumberGenerator) -> SimulatedCard {
        let home = stores[Int.random(in: 0..<stores.count, using: &rng)]
        // A card with many rows was enrolled long ago: a visit every few days at most.
        let minimumAge = min(Self.history, Double(rowCount) * 3 * 86_400)
        let age = Double.random(in: minimumAge...Self.history, using: &rng)
        let enrolledAt = LedgerEntry.wholeMilliseconds(end.addingTimeInterval(-age))
        var card = SimulatedCard(
            enrolledAt: enrolledAt, enrolledStore: home, enrollmentDay: CalendarDate(enrolledAt, in: home.timeZone)!,
            balance: CardBalance(), rows: [], lastActivityAt: nil)
        guard rowCount > 0 else { return card }
        let slot = (end.timeIntervalSince(enrolledAt) - 3_600) / Double(rowCount)
        // About one card in fifty behaves as the fraud signals look for: visits in bursts,
        // 16 to 28 minutes apart (past the generated programs' 15-minute cooldown, inside the
        // default 30-minute hop window), half of them at another store.
        let bursty = Int.random(in: 0..<50, using: &rng) == 0
        var last = enrolledAt
        for index in 0..<rowCount {
            let slotStart = enrolledAt.addingTimeInterval(60 + slot * Double(index))
            var at = max(last.addingTimeInterval(60), slotStart.addingTimeInterval(Double.random(in: 0..<max(1, slot), using: &rng)))
            if bursty, index > 0, Int.random(in: 0..<100, using: &rng) < 60 {
                let soon = last.addingTimeInterval(Double.random(in: 16 * 60...28 * 60, using: &rng))
                if soon < end { at = soon }
            }
            let op = nextOperation(card: &card, home: home, at: at, awayPercent: bursty ? 50 : 20, using: &rng)
            last = append(op, to: &card, cardID: cardID, using: &rng)
        }
        return card
    }

    /// Picks and applies the next operation at about `at`; balances move in `card.balance`.
    /// `awayPercent`: the share of operations at a store other than the card's home.
    private func nextOperation(
        card: inout SimulatedCard, home: SimulatedStore, at: Date, awayPercent: Int, using rng: inout some RandomNumberGenerator
    ) -> Op {
        let lastRow = card.rows.last
        // The daily job takes the points of a card left alone longer than the window.
        if let days = rules.pointsExpirationDays, let lastActivity = card.lastActivityAt, card.balance.pointsBalance > 0 {
            let dueAt = PointsExpiry.expiresAt(lastActivity: lastActivity, afterDays: days).addingTimeInterval(3 * 3_600)
            if dueAt < at {
                var balance = card.balance
                let expired = PointsExpiry.expire(&balance, lastActivity: lastActivity, afterDays: days, at: dueAt)
                card.balance = balance
                var stats = SimulatedStats()
                stats.pointsExpired = expired
                let store = stores.first { $0.id == lastRow?.entry.storeID } ?? home
                return Op(type: .pointsExpired, pointsDelta: -expired, notes: "No activity for \(days) days", stats: stats, store: store, at: dueAt)
            }
        }
        // A few voids: the row just before, a few minutes later, at its store.
        if let lastRow, lastRow.entry.type == .stampEarned || lastRow.entry.type == .pointsEarned, Int.random(in: 0..<100, using: &rng) < 2,
            let store = stores.first(where: { $0.id == lastRow.entry.storeID })
        {
            let original = VoidableEntry(
                type: lastRow.entry.type, stampsDelta: lastRow.entry.stampsDelta, pointsDelta: lastRow.entry.pointsDelta,
                stampDay: lastRow.businessDay)
            let family = lastRow.entry.type.voidType!
            var balance = card.balance
            if let deltas = try? VoidRules.void(original, family: family, on: &balance) {
                card.balance = balance
                var stats = SimulatedStats()
                stats.stampsGiven = -lastRow.stats.stampsGiven
                stats.pointsGiven = -lastRow.stats.pointsGiven
                let voidAt = Date(timeIntervalSince1970: Double(lastRow.entry.createdAtMilliseconds) / 1_000)
                    .addingTimeInterval(Double.random(in: 60...1_200, using: &rng))
                return Op(
                    type: family, stampsDelta: deltas.stampsDelta, pointsDelta: deltas.pointsDelta, voids: lastRow,
                    notes: "Wrong card", stats: stats, store: store, at: voidAt)
            }
        }
        let away = stores.filter { $0.id != home.id }
        let store = Int.random(in: 0..<100, using: &rng) < awayPercent ? away.randomElement(using: &rng) ?? home : home
        let type = rules.loyaltyType
        // Redeem what the card holds, at its home store (cross-store redemption may be off).
        if type.collectsStamps, card.balance.stampCount >= rules.stampsTarget, Int.random(in: 0..<100, using: &rng) < 75 {
            var balance = card.balance
            if (try? StampRules.redeem(from: &balance, rules: rules)) != nil {
                card.balance = balance
                var stats = SimulatedStats()
                stats.stampsRedeemed = rules.stampsTarget
                return Op(type: .stampRedeemed, stampsDelta: -rules.stampsTarget, stats: stats, store: home, at: at)
            }
        }
        if type.collectsPoints, Int.random(in: 0..<100, using: &rng) < 35 {
            let affordable = rewards.filter { $0.cost <= card.balance.pointsBalance }
            if let reward = affordable.randomElement(using: &rng) {
                var balance = card.balance
                if (try? PointsRules.redeem(RewardTerms(pointsCost: reward.cost, isActive: true), from: &balance, rules: rules)) != nil {
                    card.balance = balance
                    var stats = SimulatedStats()
                    stats.pointsRedeemed = reward.cost
                    return Op(type: .pointsRedeemed, pointsDelta: -reward.cost, rewardID: reward.id, stats: stats, store: home, at: at)
                }
            }
        }
        if type.collectsStamps, !type.collectsPoints || Bool.random(using: &rng) {
            var stampAt = at
            // A refused stamp (cooldown, daily limit) comes back when the rule allows it.
            for _ in 0..<3 {
                var balance = card.balance
                do throws(StampError) {
                    _ = try StampRules.addStamp(to: &balance, rules: rules, at: stampAt, timeZone: store.timeZone)
                    card.balance = balance
                    var stats = SimulatedStats()
                    stats.stampsGiven = 1
                    return Op(type: .stampEarned, stampsDelta: 1, stats: stats, store: store, at: stampAt)
                } catch {
                    switch error {
                    case .cooldownActive(let next): stampAt = LedgerEntry.wholeMilliseconds(next.addingTimeInterval(60))
                    case .dailyLimitReached(_, let resets): stampAt = resets.addingTimeInterval(9 * 3_600)
                    default: break
                    }
                }
            }
        }
        // A purchase: €2 to €60, most of them small.
        let cents = Int(200 * pow(30, Double.random(in: 0...1, using: &rng) * Double.random(in: 0...1, using: &rng)))
        var balance = card.balance
        let earned: Int
        do throws(PointsError) {
            earned = try PointsRules.earn(on: &balance, purchaseCents: cents, rules: rules)
        } catch {
            // A stamps-only card whose stamp kept being refused: one more try a day later.
            var later = card.balance
            let next = at.addingTimeInterval(86_400)
            _ = try? StampRules.addStamp(to: &later, rules: rules, at: next, timeZone: store.timeZone)
            card.balance = later
            var stats = SimulatedStats()
            stats.stampsGiven = 1
            return Op(type: .stampEarned, stampsDelta: 1, stats: stats, store: store, at: next)
        }
        card.balance = balance
        var stats = SimulatedStats()
        stats.pointsGiven = earned
        return Op(type: .pointsEarned, pointsDelta: earned, purchaseCents: cents, stats: stats, store: store, at: at)
    }

    /// Appends the row as `CardOperation.record` does; returns its time.
    private func append(_ op: Op, to card: inout SimulatedCard, cardID: UUID, using rng: inout some RandomNumberGenerator) -> Date {
        let at = LedgerEntry.wholeMilliseconds(op.at)
        let isCounter = op.type != .pointsExpired
        let entry = LedgerEntry(
            id: UUID.generated(using: &rng), cardID: cardID, sequence: card.rows.count + 1, type: op.type,
            stampsDelta: op.stampsDelta, pointsDelta: op.pointsDelta,
            stampsBalanceAfter: card.balance.stampCount, pointsBalanceAfter: card.balance.pointsBalance,
            purchaseAmountCents: op.purchaseCents, orderReference: nil, rewardID: op.rewardID,
            voidsTransactionID: op.voids?.entry.id, storeID: op.store.id,
            staffPinID: isCounter && rules.requireStaffPin ? op.store.pinIDs.randomElement(using: &rng) : nil,
            userID: isCounter ? op.store.userIDs.randomElement(using: &rng) : nil,
            ipAddress: isCounter ? "192.0.2.\(Int.random(in: 1...254, using: &rng))" : nil,
            userAgent: isCounter ? "loyalty-generate" : nil, notes: op.notes,
            createdAtMilliseconds: LedgerEntry.milliseconds(at))
        let previous = card.lastEntryHash
        let row = SimulatedRow(
            entry: entry, previousHash: previous, entryHash: entry.chainedHash(previousHash: previous, using: hash),
            businessDay: CalendarDate(at, in: op.store.timeZone)!, stats: op.stats)
        card.rows.append(row)
        if op.type.countsAsActivity { card.lastActivityAt = at }
        return at
    }
}

extension UUID {
    /// A version-4 UUID drawn from `rng`.
    public static func generated(using rng: inout some RandomNumberGenerator) -> UUID {
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
