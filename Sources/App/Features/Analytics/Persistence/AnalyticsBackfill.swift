import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// Rebuilds every rollup of decision 0026 (and `loyalty_daily_stats`) from the ledger and
/// the cards: run by the 010 migration for existing deployments (`loyalty generate` feeds the
/// same `RollupBuilder` the rows it makes instead). The ledger is read once, in pages of card
/// and sequence, through the same rules the operations apply, so a rebuilt rollup equals the
/// live one. Staff PIN failures are not in the ledger: their counts are kept.
///
/// At 10 million rows this read is slow (decision 0034): the (card, sequence) order is random
/// against the table's storage order, so it is paid once, by the migration, not per bulk load.
///
/// Run it while nothing else writes (a migration, or right after a bulk load): it replaces
/// the rows in one transaction, but operations committed during the read would be lost.
enum AnalyticsBackfill {
    static let defaultPageSize = 5_000

    /// `pageSize`: rows or cards read per query (tests page by a handful to cross page ends).
    /// `keptCounts`: also recount `ListTotals` and `ActiveCards` (false for migration 010,
    /// before their columns).
    static func run(on database: any Database, pageSize: Int = defaultPageSize, keptCounts: Bool = true) async throws {
        try await database.transaction { tx in try await rebuild(on: tx, pageSize: pageSize, keptCounts: keptCounts) }
    }

    private struct LedgerRow: Decodable {
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

        var row: RollupBuilder.Row {
            RollupBuilder.Row(
                merchantID: merchant_id, cardID: card_id, programID: program_id, type: TransactionType(rawValue: type),
                stampsDelta: stamps_delta, pointsDelta: points_delta, stampsBalanceAfter: stamps_balance_after, rewardID: reward_id,
                storeID: store_id, staffPinID: staff_pin_id, userID: user_id, businessDay: business_day, createdAt: created_at,
                voided: voided_type.map {
                    RollupBuilder.Voided(
                        type: TransactionType(rawValue: $0), stampsDelta: voided_stamps_delta ?? 0, pointsDelta: voided_points_delta ?? 0,
                        rewardID: voided_reward_id, businessDay: voided_business_day)
                })
        }
    }

    private static func rebuild(on tx: any Database, pageSize: Int, keptCounts: Bool) async throws {
        let sql = tx.sql
        var builder = try await RollupBuilder.loading(from: tx)
        builder.writesKeptCounts = keptCounts

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
            builder.addEnrollment(merchantID: card.merchant_id, storeID: card.enrolled_store_id, day: day.description)
        }

        // The ledger, card by card in sequence order, as the builder wants it.
        var cursor: (card: UUID, sequence: Int)?
        while true {
            let after = cursor.map { SQLQueryString("WHERE t.card_id > \(bind: $0.card) OR (t.card_id = \(bind: $0.card) AND t.sequence > \(bind: $0.sequence))") }
                ?? SQLQueryString("")
            let page = try await sql.raw(
                """
                SELECT t.merchant_id, t.card_id, t.sequence, t.type, t.stamps_delta, t.points_delta, t.stamps_balance_after,
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
            for row in page { builder.add(row.row) }
            if page.count < pageSize { break }
        }
        try await addBalances(to: &builder, on: tx, pageSize: pageSize)

        // Replace: empty the tables, then add the sums. PIN failures are not in the ledger:
        // the staff rows keep them, and the rest is recounted.
        for table in ["loyalty_daily_stats", "loyalty_reward_daily_stats", "loyalty_signal_events", "loyalty_balance_totals", "loyalty_points_by_activity_day"] {
            try await sql.delete(from: table).run()
        }
        try await sql.update("loyalty_staff_daily_stats")
            .set("operations", to: 0).set("stamps", to: 0).set("points", to: 0).set("redemptions", to: 0).set("voids", to: 0)
            .run()
        try await builder.write(on: tx)
    }

    /// Card counts, balance totals and activity-day buckets, from the cards (their balances
    /// equal the ledger's sums).
    private static func addBalances(to builder: inout RollupBuilder, on tx: any Database, pageSize: Int) async throws {
        try await readCards(on: tx, pageSize: pageSize) { card in
            builder.addCard(
                merchantID: card.merchant_id, stamps: card.stamp_count, points: card.points_balance, lastActivityAt: card.last_activity_at)
        }
    }

    /// What the rollups read of a card.
    struct CardBalances: Decodable {
        let id: UUID
        let merchant_id: UUID
        let stamp_count: Int
        let points_balance: Int
        let last_activity_at: Date?
    }

    /// Every card, in pages of `pageSize` by id.
    static func readCards(
        on database: any Database, pageSize: Int = defaultPageSize, _ body: (CardBalances) throws -> Void
    ) async throws {
        var cursor: UUID?
        while true {
            let query = database.sql.select().columns("id", "merchant_id", "stamp_count", "points_balance", "last_activity_at")
                .from(CardModel.schema).orderBy("id").limit(pageSize)
            if let cursor { query.where("id", .greaterThan, cursor) }
            let page = try await query.all(decoding: CardBalances.self)
            guard let last = page.last else { break }
            // A page that ends where the last one did would be read forever: fail instead.
            guard last.id != cursor else { throw BackfillError.cursorDidNotAdvance("cards") }
            cursor = last.id
            try page.forEach(body)
            if page.count < pageSize { break }
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
