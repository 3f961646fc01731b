import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// Every rollup of decision 0026 (and `loyalty_daily_stats`) summed in memory from ledger
/// rows, through the rules the operations apply (`AnalyticsRollupRules`, `FraudRules`), then
/// added to the tables in multi-row upserts. Two feeders: `AnalyticsBackfill` reads the
/// ledger back (migration 010), and `loyalty generate` hands over the rows it has just made,
/// so a bulk load never reads its own 10 million rows again.
///
/// Rows must arrive card by card, each card's rows in sequence order: the builder keeps only
/// the current card's state (its last activity, last store and stamps of its last stamp day).
struct RollupBuilder: Sendable {
    /// What the rules need of a program.
    struct ProgramFacts: Sendable {
        let stampsTarget: Int
        let maxDailyStamps: Int
    }

    /// A ledger row with the facts the rollups read, and those of the row it voids.
    struct Row: Sendable {
        let merchantID: UUID
        let cardID: UUID
        let programID: UUID
        let type: TransactionType?
        let stampsDelta: Int
        let pointsDelta: Int
        let stampsBalanceAfter: Int
        let rewardID: UUID?
        let storeID: UUID?
        let staffPinID: UUID?
        let userID: UUID?
        let businessDay: String?
        let createdAt: Date
        let voided: Voided?
    }

    struct Voided: Sendable {
        let type: TransactionType?
        let stampsDelta: Int
        let pointsDelta: Int
        let rewardID: UUID?
        let businessDay: String?
    }

    private struct DayKey: Hashable, Sendable {
        let merchantID: UUID
        let storeID: UUID
        let day: String
    }

    private struct StaffKey: Hashable, Sendable {
        let day: DayKey
        let staff: StaffMember
    }

    private struct RewardKey: Hashable, Sendable {
        let day: DayKey
        let reward: UUID
        let kind: String
    }

    private struct Event: Sendable {
        let kind: FraudRules.Kind
        let day: DayKey
        let card: UUID
    }

    /// A merchant's row of `loyalty_balance_totals`.
    private struct Totals: Sendable {
        var stamps = 0
        var points = 0
        var cards = 0
        var ledgerRows = 0
    }

    private struct BucketKey: Hashable, Sendable {
        let merchantID: UUID
        let day: String
    }

    /// A merchant's row of `loyalty_points_by_activity_day`: the points and the cards whose
    /// last activity was that day.
    private struct Bucket: Equatable, Sendable {
        var points = 0
        var cards = 0
    }

    let programs: [UUID: ProgramFacts]
    let thresholds: [UUID: FraudThresholds]
    /// Whether `write` adds the kept counts (`ListTotals`, `ActiveCards`) and resets the
    /// merchant-day sums (`MerchantDays`, whose past days it changes): false only for migration
    /// 010, which runs before 013, 014 and 015 add their columns and tables.
    var writesKeptCounts = true

    private var daily: [DayKey: DailyStatsDelta] = [:]
    private var staff: [StaffKey: StaffDayDelta] = [:]
    private var rewards: [RewardKey: (redemptions: Int, points: Int)] = [:]
    private var events: [Event] = []
    private var balances: [UUID: Totals] = [:]
    private var buckets: [BucketKey: Bucket] = [:]

    // The current card's state.
    private var card: UUID?
    private var lastActivity: (day: String?, at: Date)?
    private var lastStore: UUID?
    /// The card's stamps of its last stamp day, as `CardBalance.stampsToday` counts them.
    private var stampDay: (day: String?, stamps: Int) = (nil, 0)

    init(programs: [UUID: ProgramFacts], thresholds: [UUID: FraudThresholds]) {
        self.programs = programs
        self.thresholds = thresholds
    }

    private struct ProgramRow: Decodable {
        let id: UUID
        let stamps_target: Int
        let max_daily_stamps: Int
    }

    private struct ThresholdRow: Decodable {
        let merchant_id: UUID
        let fraud_near_limit_percent: Int
        let fraud_hop_minutes: Int
    }

    /// An empty builder with the programs' facts and the merchants' fraud thresholds the rules
    /// read, as they stand in `database`.
    static func loading(from database: any Database) async throws -> RollupBuilder {
        let sql = database.sql
        var programs: [UUID: RollupBuilder.ProgramFacts] = [:]
        for program in try await sql.select().columns("id", "stamps_target", "max_daily_stamps").from(ProgramModel.schema)
            .all(decoding: ProgramRow.self)
        {
            programs[program.id] = .init(stampsTarget: program.stamps_target, maxDailyStamps: program.max_daily_stamps)
        }
        var thresholds: [UUID: FraudThresholds] = [:]
        for row in try await sql.select().columns("merchant_id", "fraud_near_limit_percent", "fraud_hop_minutes")
            .from(MerchantSettingsModel.schema).all(decoding: ThresholdRow.self)
        {
            var value = FraudThresholds()
            value.nearLimitPercent = row.fraud_near_limit_percent
            value.hopMinutes = row.fraud_hop_minutes
            thresholds[row.merchant_id] = value
        }
        return RollupBuilder(programs: programs, thresholds: thresholds)
    }

    /// Rows of daily statistics, staff, rewards and signal events summed so far.
    var keyCount: Int { daily.count + staff.count + rewards.count + events.count + balances.count + buckets.count }

    /// A card that is not a reissue, counted on its store's local day.
    mutating func addEnrollment(merchantID: UUID, storeID: UUID, day: String) {
        daily[DayKey(merchantID: merchantID, storeID: storeID, day: day), default: .init()].cardsEnrolled += 1
    }

    /// A card with its balances as they stand (they equal its ledger's sums): the merchant's
    /// count of cards, outstanding totals and the bucket of its last activity day.
    mutating func addCard(merchantID: UUID, stamps: Int, points: Int, lastActivityAt: Date?) {
        balances[merchantID, default: Totals()].cards += 1
        balances[merchantID, default: Totals()].stamps += stamps
        balances[merchantID, default: Totals()].points += points
        addActivityCard(merchantID: merchantID, lastActivityAt: lastActivityAt)
        if let day = AnalyticsRollups.activityDay(lastActivityAt) {
            buckets[BucketKey(merchantID: merchantID, day: day), default: Bucket()].points += points
        }
    }

    /// A card in the bucket of its last activity day (none without activity), for `ActiveCards`.
    mutating func addActivityCard(merchantID: UUID, lastActivityAt: Date?) {
        guard let day = AnalyticsRollups.activityDay(lastActivityAt) else { return }
        buckets[BucketKey(merchantID: merchantID, day: day), default: Bucket()].cards += 1
    }

    /// The daily-stats columns a row of `type` adds (what the services pass to `record`;
    /// a void adds the negation of the row it voids).
    static func baseStats(type: TransactionType, stampsDelta: Int, pointsDelta: Int) -> DailyStatsDelta {
        switch type {
        case .stampEarned: DailyStatsDelta(stampsGiven: stampsDelta)
        case .stampRedeemed: DailyStatsDelta(stampsRedeemed: -stampsDelta)
        case .pointsEarned: DailyStatsDelta(pointsGiven: pointsDelta)
        case .pointsRedeemed: DailyStatsDelta(pointsRedeemed: -pointsDelta)
        case .pointsExpired: DailyStatsDelta(pointsExpired: -pointsDelta)
        default: DailyStatsDelta()
        }
    }

    mutating func add(_ row: Row) {
        balances[row.merchantID, default: Totals()].ledgerRows += 1
        if row.cardID != card {
            (card, lastActivity, lastStore, stampDay) = (row.cardID, nil, nil, (nil, 0))
        }
        defer {
            lastStore = row.storeID
            if row.type?.countsAsActivity == true { lastActivity = (row.businessDay, row.createdAt) }
        }
        guard let type = row.type, let storeID = row.storeID, let dayText = row.businessDay else { return }
        let key = DayKey(merchantID: row.merchantID, storeID: storeID, day: dayText)
        let program = programs[row.programID]
        let voidedType = row.voided?.type
        let delta = AnalyticsRollupRules.delta(
            type: type, stampsDelta: row.stampsDelta, pointsDelta: row.pointsDelta, rewardID: row.rewardID, voidedType: voidedType,
            stampsBalanceAfter: row.stampsBalanceAfter, stampsTarget: program?.stampsTarget ?? 1,
            firstActivityOfDay: lastActivity?.day != dayText || lastActivity == nil)

        var stats = Self.baseStats(type: type, stampsDelta: row.stampsDelta, pointsDelta: row.pointsDelta)
        if let voided = row.voided, let voidedType, type == .stampVoided || type == .pointsVoided {
            stats = Self.baseStats(type: voidedType, stampsDelta: voided.stampsDelta, pointsDelta: voided.pointsDelta).negated
        }
        daily[key, default: .init()].add(delta.added(to: stats))

        if let identity = StaffMember(staffPinID: row.staffPinID, userID: row.userID), !delta.staffDelta.isZero {
            staff[StaffKey(day: key, staff: identity), default: .init()].add(delta.staffDelta)
        }
        let rowForReward = CardOperation.Row(
            type: type, stampsDelta: row.stampsDelta, pointsDelta: row.pointsDelta, rewardID: row.rewardID, voidedType: voidedType,
            voidedRewardID: row.voided?.rewardID)
        if let reward = AnalyticsRecorder.rewardChange(rowForReward, programID: row.programID) {
            let rewardKey = RewardKey(day: key, reward: reward.key, kind: reward.kind)
            rewards[rewardKey, default: (0, 0)].redemptions += reward.redemptions
            rewards[rewardKey, default: (0, 0)].points += reward.pointsSpent
        }

        let fraud = thresholds[row.merchantID] ?? FraudThresholds()
        if type == .stampVoided, voidedType == .stampEarned, let voided = row.voided, voided.businessDay == stampDay.day {
            stampDay.stamps = max(0, stampDay.stamps - voided.stampsDelta)
        }
        if type == .stampEarned, let program {
            stampDay = (dayText, (stampDay.day == dayText ? stampDay.stamps : 0) + 1)
            if FraudRules.crossesNearLimit(stampsToday: stampDay.stamps, maxDailyStamps: program.maxDailyStamps, percent: fraud.nearLimitPercent) {
                events.append(Event(kind: .nearDailyLimit, day: key, card: row.cardID))
            }
        }
        if AnalyticsRollupRules.isCounterOperation(type),
            FraudRules.isHop(
                previousStore: lastStore, previousActivity: lastActivity?.at, store: storeID, now: row.createdAt, hopMinutes: fraud.hopMinutes)
        {
            events.append(Event(kind: .storeHopping, day: key, card: row.cardID))
        }
    }

    // MARK: Writing

    /// Rows per multi-row statement: 16 columns × 500 stays far below both engines' limits on
    /// bound parameters (SQLite 32,766, PostgreSQL 65,535).
    private static let batch = 500
    /// Shard 0 holds a summed day or total: readers add the shards up.
    static let shardZero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// Adds every sum to its table (rows already there are added to). `advanced` is told how
    /// many rows each statement wrote.
    func write(on tx: any Database, advanced: (Int) -> Void = { _ in }) async throws {
        let sql = tx.sql
        if writesKeptCounts { try await MerchantDays.reset(on: tx) }
        let shard = DailyStats.shard(for: Self.shardZero)
        let dailyColumns = [
            "cards_enrolled", "stamps_given", "stamps_redeemed", "points_given", "points_redeemed", "points_expired", "active_cards", "visits",
            "stamps_voided", "points_voided", "rewards_redeemed", "rewards_earned",
        ]
        try await Self.upsert(
            daily.map { ($0.key, $0.value) }, into: "loyalty_daily_stats", keys: ["merchant_id", "store_id", "day", "shard"], adding: dailyColumns,
            conflict: ["store_id", "day", "shard"], on: sql, advanced: advanced
        ) { key, d in
            [SQLBind(key.merchantID), SQLBind(key.storeID), SQLBind(key.day), SQLBind(shard)]
                + [
                    d.cardsEnrolled, d.stampsGiven, d.stampsRedeemed, d.pointsGiven, d.pointsRedeemed, d.pointsExpired, d.activeCards,
                    d.visits, d.stampsVoided, d.pointsVoided, d.rewardsRedeemed, d.rewardsEarned,
                ].map { SQLBind($0) }
        }
        try await Self.upsert(
            staff.map { ($0.key, $0.value) }, into: "loyalty_staff_daily_stats", keys: ["merchant_id", "store_id", "day", "staff_kind", "staff_id"],
            adding: ["operations", "stamps", "points", "redemptions", "voids", "pin_failures"],
            conflict: ["store_id", "day", "staff_kind", "staff_id"], on: sql, advanced: advanced
        ) { key, d in
            [SQLBind(key.day.merchantID), SQLBind(key.day.storeID), SQLBind(key.day.day), SQLBind(key.staff.kind), SQLBind(key.staff.id)]
                + [d.operations, d.stamps, d.points, d.redemptions, d.voids, d.pinFailures].map { SQLBind($0) }
        }
        try await Self.upsert(
            rewards.map { ($0.key, $0.value) }, into: "loyalty_reward_daily_stats", keys: ["merchant_id", "store_id", "day", "reward_key", "kind"],
            adding: ["redemptions", "points_spent"], conflict: ["store_id", "day", "reward_key"], on: sql, advanced: advanced
        ) { key, value in
            [SQLBind(key.day.merchantID), SQLBind(key.day.storeID), SQLBind(key.day.day), SQLBind(key.reward), SQLBind(key.kind)]
                + [SQLBind(value.redemptions), SQLBind(value.points)]
        }
        try await Self.upsert(
            balances.map { ($0.key, $0.value) }, into: "loyalty_balance_totals", keys: ["merchant_id", "shard"],
            adding: writesKeptCounts ? ["stamps", "points", "cards", "ledger_rows"] : ["stamps", "points"], conflict: ["merchant_id", "shard"],
            on: sql, advanced: advanced
        ) { [writesKeptCounts] merchantID, total in
            [SQLBind(merchantID), SQLBind(shard)]
                + (writesKeptCounts ? [total.stamps, total.points, total.cards, total.ledgerRows] : [total.stamps, total.points]).map { SQLBind($0) }
        }
        try await writeBuckets(points: true, cards: writesKeptCounts, on: sql, advanced: advanced)
        for slice in events.chunked(by: Self.batch) {
            let insert = sql.insert(into: "loyalty_signal_events").columns("id", "merchant_id", "store_id", "day", "kind", "card_id")
            for event in slice {
                insert.values(
                    SQLBind(UUID()), SQLBind(event.day.merchantID), SQLBind(event.day.storeID), SQLBind(event.day.day),
                    SQLBind(event.kind.rawValue), SQLBind(event.card))
            }
            try await insert.run()
            advanced(slice.count)
        }
    }

    /// Adds only the cards of the activity-day buckets (migration 014, which counts them).
    func writeActivityCards(on database: any Database) async throws {
        try await writeBuckets(points: false, cards: true, on: database.sql, advanced: { _ in })
    }

    /// The activity-day buckets on shard 0: their points, their cards, or both. Without its
    /// points a bucket adds 0 to them (the column has no default for a new row).
    private func writeBuckets(points: Bool, cards: Bool, on sql: any SQLDatabase, advanced: (Int) -> Void) async throws {
        let shard = DailyStats.shard(for: Self.shardZero)
        let kept = { (bucket: Bucket) in Bucket(points: points ? bucket.points : 0, cards: cards ? bucket.cards : 0) }
        try await Self.upsert(
            buckets.map { ($0.key, kept($0.value)) }.filter { $0.1 != Bucket() }, into: "loyalty_points_by_activity_day",
            keys: ["merchant_id", "day", "shard"], adding: cards ? ["points", "cards"] : ["points"], conflict: ["merchant_id", "day", "shard"],
            on: sql, advanced: advanced
        ) { key, bucket in
            [SQLBind(key.merchantID), SQLBind(key.day), SQLBind(shard), SQLBind(bucket.points)] + (cards ? [SQLBind(bucket.cards)] : [])
        }
    }

    /// `INSERT … ON CONFLICT (conflict) DO UPDATE SET c = table.c + excluded.c` for each of
    /// `adding`, `batch` rows a statement. Each key appears once (they come from a dictionary),
    /// as PostgreSQL requires of one statement.
    private static func upsert<Key, Value>(
        _ entries: [(Key, Value)], into table: String, keys: [String], adding: [String], conflict: [String], on sql: any SQLDatabase,
        advanced: (Int) -> Void, values: (Key, Value) -> [SQLBind]
    ) async throws {
        for slice in entries.chunked(by: batch) {
            let insert = sql.insert(into: table).columns(keys + adding)
            for (key, value) in slice { insert.values(values(key, value)) }
            try await insert.onConflict(with: conflict) { update in
                for column in adding { update.set(column, to: SQLRaw("\(table).\(column) + excluded.\(column)")) }
                return update
            }.run()
            advanced(slice.count)
        }
    }
}
