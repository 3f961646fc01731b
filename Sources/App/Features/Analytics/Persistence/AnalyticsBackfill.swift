import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// Rebuilds every rollup of decision 0026 (and `loyalty_daily_stats`) from the ledger and
/// the cards: run by the 010 migration for existing deployments, and by the data generator
/// after a bulk insert. The ledger is read once, in pages of card and sequence, through the
/// same rules the operations apply (`AnalyticsRollupRules`), so a rebuilt rollup equals the
/// live one. Staff PIN failures are not in the ledger: their counts are kept.
///
/// Run it while nothing else writes (a migration, or right after a bulk load): it replaces
/// the rows in one transaction, but operations committed during the read would be lost.
enum AnalyticsBackfill {
    static let defaultPageSize = 5_000

    /// `pageSize`: rows or cards read per query (tests page by a handful to cross page ends).
    static func run(on database: any Database, pageSize: Int = defaultPageSize) async throws {
        try await database.transaction { tx in try await rebuild(on: tx, pageSize: pageSize) }
    }

    private struct DayKey: Hashable {
        let merchantID: UUID
        let storeID: UUID
        let day: String
    }

    private struct StaffKey: Hashable {
        let day: DayKey
        let staff: StaffMember
    }

    private struct RewardKey: Hashable {
        let day: DayKey
        let reward: UUID
        let kind: String
    }

    private struct LedgerRow: Decodable {
        let id: UUID
        let merchant_id: UUID
        let card_id: UUID
        let sequence: Int
        let type: String
        let stamps_delta: Int
        let points_delta: Int
        let stamps_balance_after: Int
        let reward_id: UUID?
        let store_id: UUID?
        let staff_pin_id: UUID?
        let user_id: UUID?
        let business_day: String?
        let created_at: Date
        let program_id: UUID
        let voided_type: String?
        let voided_stamps_delta: Int?
        let voided_points_delta: Int?
        let voided_reward_id: UUID?
        let voided_business_day: String?
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

    private static func rebuild(on tx: any Database, pageSize: Int) async throws {
        let sql = tx.sql
        var programs: [UUID: ProgramRow] = [:]
        for program in try await sql.select().columns("id", "stamps_target", "max_daily_stamps").from(ProgramModel.schema)
            .all(decoding: ProgramRow.self)
        {
            programs[program.id] = program
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

        var daily: [DayKey: DailyStatsDelta] = [:]
        var staff: [StaffKey: StaffDayDelta] = [:]
        var rewards: [RewardKey: (redemptions: Int, points: Int)] = [:]
        var events: [(kind: FraudRules.Kind, day: DayKey, card: UUID)] = []

        // Enrollments: cards that are not reissues, on their store's local day.
        struct CardRow: Decodable {
            let merchant_id: UUID
            let enrolled_store_id: UUID
            let created_at: Date
            let timezone: String
        }
        let enrolled = try await sql.raw(
            """
            SELECT c.merchant_id, c.enrolled_store_id, c.created_at, s.timezone FROM \(ident: CardModel.schema) c
            JOIN \(ident: StoreModel.schema) s ON s.id = c.enrolled_store_id
            WHERE c.replaces_card_id IS NULL AND c.created_at IS NOT NULL
            """
        ).all(decoding: CardRow.self)
        for card in enrolled {
            guard let day = CalendarDate(card.created_at, in: TimeZone(identifier: card.timezone) ?? .gmt) else { continue }
            daily[DayKey(merchantID: card.merchant_id, storeID: card.enrolled_store_id, day: day.description), default: .init()]
                .cardsEnrolled += 1
        }

        // The ledger, card by card in sequence order, remembering the card's last row.
        var cursor: (card: UUID, sequence: Int)?
        var lastCard: UUID?
        var lastActivity: (day: String?, at: Date)?
        var lastStore: UUID?
        // The card's stamps of its last stamp day, as `CardBalance.stampsToday` counts them.
        var stampDay: (day: String?, stamps: Int) = (nil, 0)
        while true {
            let after = cursor.map { SQLQueryString("WHERE t.card_id > \(bind: $0.card) OR (t.card_id = \(bind: $0.card) AND t.sequence > \(bind: $0.sequence))") }
                ?? SQLQueryString("")
            let page = try await sql.raw(
                """
                SELECT t.id, t.merchant_id, t.card_id, t.sequence, t.type, t.stamps_delta, t.points_delta, t.stamps_balance_after,
                    t.reward_id, t.store_id, t.staff_pin_id, t.user_id, t.business_day, t.created_at, c.program_id,
                    o.type AS voided_type, o.stamps_delta AS voided_stamps_delta, o.points_delta AS voided_points_delta,
                    o.reward_id AS voided_reward_id, o.business_day AS voided_business_day
                FROM \(ident: TransactionModel.schema) t
                JOIN \(ident: CardModel.schema) c ON c.id = t.card_id
                LEFT JOIN \(ident: TransactionModel.schema) o ON o.id = t.voids_transaction_id
                \(after)
                ORDER BY t.card_id, t.sequence
                LIMIT \(unsafeRaw: String(pageSize))
                """
            ).all(decoding: LedgerRow.self)
            guard let lastRow = page.last else { break }
            guard cursor.map({ $0 != (lastRow.card_id, lastRow.sequence) }) ?? true else {
                throw BackfillError.cursorDidNotAdvance("ledger")
            }
            cursor = (lastRow.card_id, lastRow.sequence)
            for row in page {
                if row.card_id != lastCard {
                    (lastCard, lastActivity, lastStore, stampDay) = (row.card_id, nil, nil, (nil, 0))
                }
                defer {
                    lastStore = row.store_id
                    if TransactionType(rawValue: row.type)?.countsAsActivity == true { lastActivity = (row.business_day, row.created_at) }
                }
                guard let type = TransactionType(rawValue: row.type), let storeID = row.store_id, let dayText = row.business_day else { continue }
                let key = DayKey(merchantID: row.merchant_id, storeID: storeID, day: dayText)
                let program = programs[row.program_id]
                let voidedType = row.voided_type.flatMap(TransactionType.init(rawValue:))
                let delta = AnalyticsRollupRules.delta(
                    type: type, stampsDelta: row.stamps_delta, pointsDelta: row.points_delta, rewardID: row.reward_id,
                    voidedType: voidedType, stampsBalanceAfter: row.stamps_balance_after, stampsTarget: program?.stamps_target ?? 1,
                    firstActivityOfDay: lastActivity?.day != dayText || lastActivity == nil)

                var stats = baseStats(type: type, stampsDelta: row.stamps_delta, pointsDelta: row.points_delta)
                if let voidedType, type == .stampVoided || type == .pointsVoided {
                    stats = baseStats(type: voidedType, stampsDelta: row.voided_stamps_delta ?? 0, pointsDelta: row.voided_points_delta ?? 0)
                        .negated
                }
                daily[key, default: .init()].add(delta.added(to: stats))

                if let identity = StaffMember(staffPinID: row.staff_pin_id, userID: row.user_id), !delta.staffDelta.isZero {
                    staff[StaffKey(day: key, staff: identity), default: .init()].add(delta.staffDelta)
                }
                let rowForReward = CardOperation.Row(
                    type: type, stampsDelta: row.stamps_delta, pointsDelta: row.points_delta, rewardID: row.reward_id,
                    voidedType: voidedType, voidedRewardID: row.voided_reward_id)
                if let reward = AnalyticsRecorder.rewardChange(rowForReward, programID: row.program_id) {
                    let rewardKey = RewardKey(day: key, reward: reward.key, kind: reward.kind)
                    rewards[rewardKey, default: (0, 0)].redemptions += reward.redemptions
                    rewards[rewardKey, default: (0, 0)].points += reward.pointsSpent
                }

                let fraud = thresholds[row.merchant_id] ?? FraudThresholds()
                if type == .stampVoided, voidedType == .stampEarned, row.voided_business_day == stampDay.day {
                    stampDay.stamps = max(0, stampDay.stamps - (row.voided_stamps_delta ?? 0))
                }
                if type == .stampEarned, let program {
                    stampDay = (dayText, (stampDay.day == dayText ? stampDay.stamps : 0) + 1)
                    if FraudRules.crossesNearLimit(
                        stampsToday: stampDay.stamps, maxDailyStamps: program.max_daily_stamps, percent: fraud.nearLimitPercent)
                    {
                        events.append((.nearDailyLimit, key, row.card_id))
                    }
                }
                if AnalyticsRollupRules.isCounterOperation(type),
                    FraudRules.isHop(
                        previousStore: lastStore, previousActivity: lastActivity?.at, store: storeID, now: row.created_at,
                        hopMinutes: fraud.hopMinutes)
                {
                    events.append((.storeHopping, key, row.card_id))
                }
            }
            if page.count < pageSize { break }
        }

        try await write(daily: daily, staff: staff, rewards: rewards, events: events, on: tx)
        try await rebuildBalances(on: tx, pageSize: pageSize)
    }

    private static func write(
        daily: [DayKey: DailyStatsDelta], staff: [StaffKey: StaffDayDelta], rewards: [RewardKey: (redemptions: Int, points: Int)],
        events: [(kind: FraudRules.Kind, day: DayKey, card: UUID)], on tx: any Database
    ) async throws {
        let sql = tx.sql
        try await sql.delete(from: "loyalty_daily_stats").run()
        // Shard 0 holds a rebuilt day: readers sum the shards.
        let shardZero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        for (key, stats) in daily {
            guard let day = CalendarDate(key.day) else { continue }
            try await DailyStats.add(stats, merchantID: key.merchantID, storeID: key.storeID, day: day, cardID: shardZero, on: tx)
        }
        // PIN failures are not in the ledger: keep them, recount the rest.
        try await sql.update("loyalty_staff_daily_stats")
            .set("operations", to: 0).set("stamps", to: 0).set("points", to: 0).set("redemptions", to: 0).set("voids", to: 0)
            .run()
        for (key, delta) in staff {
            guard let day = CalendarDate(key.day.day) else { continue }
            try await AnalyticsRollups.addStaff(
                delta, staff: key.staff, merchantID: key.day.merchantID, storeID: key.day.storeID, day: day, on: tx)
        }
        try await sql.delete(from: "loyalty_reward_daily_stats").run()
        for (key, value) in rewards {
            guard let day = CalendarDate(key.day.day) else { continue }
            try await AnalyticsRollups.addReward(
                rewardKey: key.reward, kind: key.kind, redemptions: value.redemptions, pointsSpent: value.points,
                merchantID: key.day.merchantID, storeID: key.day.storeID, day: day, on: tx)
        }
        try await sql.delete(from: "loyalty_signal_events").run()
        for event in events {
            guard let day = CalendarDate(event.day.day) else { continue }
            try await AnalyticsRollups.addSignalEvent(
                event.kind, merchantID: event.day.merchantID, storeID: event.day.storeID, day: day, cardID: event.card, on: tx)
        }
    }

    /// Balance totals and points by activity day, from the cards (their balances equal the
    /// ledger's sums).
    private static func rebuildBalances(on tx: any Database, pageSize: Int) async throws {
        let sql = tx.sql
        try await sql.delete(from: "loyalty_balance_totals").run()
        try await sql.delete(from: "loyalty_points_by_activity_day").run()
        struct Row: Decodable {
            let id: UUID
            let merchant_id: UUID
            let stamp_count: Int
            let points_balance: Int
            let last_activity_at: Date?
        }
        var totals: [UUID: (stamps: Int, points: Int)] = [:]
        var buckets: [String: [UUID: Int]] = [:]
        var cursor: UUID?
        while true {
            let query = sql.select().columns("id", "merchant_id", "stamp_count", "points_balance", "last_activity_at")
                .from(CardModel.schema)
                // Grouped: without the parentheses the cursor's AND would bind to the second test
                // only, and every page would start again at the first card with stamps.
                .where(group: {
                    $0.where(SQLBinaryExpression(SQLIdentifier("stamp_count"), .notEqual, SQLLiteral.numeric("0")))
                        .orWhere(SQLBinaryExpression(SQLIdentifier("points_balance"), .notEqual, SQLLiteral.numeric("0")))
                })
                .orderBy("id").limit(pageSize)
            if let cursor { query.where("id", .greaterThan, cursor) }
            let page = try await query.all(decoding: Row.self)
            guard let last = page.last else { break }
            // A page that ends where the last one did would be read forever: fail instead.
            guard last.id != cursor else { throw BackfillError.cursorDidNotAdvance("cards") }
            cursor = last.id
            for card in page {
                totals[card.merchant_id, default: (0, 0)].stamps += card.stamp_count
                totals[card.merchant_id, default: (0, 0)].points += card.points_balance
                if card.points_balance != 0, let day = AnalyticsRollups.activityDay(card.last_activity_at) {
                    buckets[day, default: [:]][card.merchant_id, default: 0] += card.points_balance
                }
            }
            if page.count < pageSize { break }
        }
        let shardZero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        for (merchantID, total) in totals {
            try await AnalyticsRollups.addBalance(stamps: total.stamps, points: total.points, merchantID: merchantID, cardID: shardZero, on: tx)
        }
        for (day, perMerchant) in buckets {
            for (merchantID, points) in perMerchant where points != 0 {
                try await AnalyticsRollups.addPoints(points, day: day, merchantID: merchantID, cardID: shardZero, on: tx)
            }
        }
    }
}

extension DailyStatsDelta {
    var negated: DailyStatsDelta {
        DailyStatsDelta(
            cardsEnrolled: -cardsEnrolled, stampsGiven: -stampsGiven, stampsRedeemed: -stampsRedeemed, pointsGiven: -pointsGiven,
            pointsRedeemed: -pointsRedeemed, pointsExpired: -pointsExpired, activeCards: -activeCards, visits: -visits,
            stampsVoided: -stampsVoided, pointsVoided: -pointsVoided, rewardsRedeemed: -rewardsRedeemed, rewardsEarned: -rewardsEarned)
    }

    mutating func add(_ other: DailyStatsDelta) {
        cardsEnrolled += other.cardsEnrolled
        stampsGiven += other.stampsGiven
        stampsRedeemed += other.stampsRedeemed
        pointsGiven += other.pointsGiven
        pointsRedeemed += other.pointsRedeemed
        pointsExpired += other.pointsExpired
        activeCards += other.activeCards
        visits += other.visits
        stampsVoided += other.stampsVoided
        pointsVoided += other.pointsVoided
        rewardsRedeemed += other.rewardsRedeemed
        rewardsEarned += other.rewardsEarned
    }
}

extension StaffDayDelta {
    mutating func add(_ other: StaffDayDelta) {
        operations += other.operations
        stamps += other.stamps
        points += other.points
        redemptions += other.redemptions
        voids += other.voids
        pinFailures += other.pinFailures
    }
}

/// A paging query that returned the page it returned before: a bug in the query, reported
/// instead of looping.
enum BackfillError: Error, CustomStringConvertible {
    case cursorDidNotAdvance(String)

    var description: String {
        switch self { case .cursorDidNotAdvance(let table): "analytics backfill: the \(table) pages did not advance" }
    }
}
