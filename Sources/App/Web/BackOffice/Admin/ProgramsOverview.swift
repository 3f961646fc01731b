import Fluent
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// The platform admin's programs dashboard: one page of merchants with their program, card
/// counts and today's activity. Four queries per page whatever its size (merchants, their
/// programs, card counts, today's statistics rows): never one query per merchant, and never
/// the ledger (today's activity comes from the `loyalty_daily_stats` rollups).
struct ProgramsOverview: Sendable {
    let database: any Database

    struct Row: Sendable {
        let merchant: MerchantModel
        let program: ProgramModel?
        var cards = 0
        var activeCards30Days = 0
        var today = DailyStatsDelta()
    }

    /// Merchants by name, `perPage` of them from `page` (1-based); `total` counts them all.
    func rows(page: Int, perPage: Int, now: Date, today: CalendarDate) async throws -> (rows: [Row], total: Int) {
        let merchants = MerchantModel.query(on: database).sort(\.$name).sort(\.$id)
        let total = try await merchants.copy().count()
        let pageOfMerchants = try await merchants.copy().offset((page - 1) * perPage).limit(perPage).all()
        let ids = try pageOfMerchants.map { try $0.requireID() }
        guard !ids.isEmpty else { return ([], total) }

        let programs = try await ProgramModel.query(on: database).filter(\.$merchant.$id ~~ ids).all()
        let programOf = Dictionary(programs.map { ($0.$merchant.id, $0) }, uniquingKeysWith: { first, _ in first })
        let figures = try await figures(of: ids, now: now, today: today)
        let rows = try pageOfMerchants.map { merchant in
            let id = try merchant.requireID()
            var row = Row(merchant: merchant, program: programOf[id])
            row.cards = figures.cards[id] ?? 0
            row.activeCards30Days = figures.active[id] ?? 0
            row.today = figures.today[id] ?? DailyStatsDelta()
            return row
        }
        return (rows, total)
    }

    /// One merchant's figures, read as the dashboard reads a page of them.
    func counts(of merchantID: UUID, now: Date, today: CalendarDate) async throws -> (cards: Int, activeCards30Days: Int, today: DailyStatsDelta) {
        let figures = try await figures(of: [merchantID], now: now, today: today)
        return (figures.cards[merchantID] ?? 0, figures.active[merchantID] ?? 0, figures.today[merchantID] ?? DailyStatsDelta())
    }

    private func figures(of ids: [UUID], now: Date, today: CalendarDate) async throws
        -> (cards: [UUID: Int], active: [UUID: Int], today: [UUID: DailyStatsDelta])
    {
        // The kept counts (`ListTotals`), not a count of every card on the platform.
        let cards = try await counts(
            SQLQueryString(
                """
                SELECT merchant_id, CAST(SUM(cards) AS BIGINT) AS n FROM loyalty_balance_totals
                WHERE merchant_id IN (\(binds: ids)) GROUP BY merchant_id
                """))
        // The kept cards per day of last activity (`ActiveCards`), not a count of every card.
        let active = try await ActiveCards.count(merchantIDs: ids, now: now, on: database)
        return (cards, active, try await todayStats(of: ids, day: today))
    }

    private func counts(_ query: SQLQueryString) async throws -> [UUID: Int] {
        struct Count: Decodable {
            let merchantId: UUID
            let n: Int
            enum CodingKeys: String, CodingKey {
                case merchantId = "merchant_id"
                case n
            }
        }
        let rows = try await database.sql.raw(query).all(decoding: Count.self)
        return Dictionary(rows.map { ($0.merchantId, $0.n) }, uniquingKeysWith: +)
    }

    /// The day's rollup rows of these merchants, summed per merchant by the database.
    /// `CAST(... AS BIGINT)`: PostgreSQL sums integers into `numeric`.
    private func todayStats(of ids: [UUID], day: CalendarDate) async throws -> [UUID: DailyStatsDelta] {
        struct Sums: Decodable {
            let merchant_id: UUID
            let cards_enrolled: Int
            let stamps_given: Int
            let stamps_redeemed: Int
            let points_given: Int
            let points_redeemed: Int
        }
        let rows = try await database.sql.raw(
            """
            SELECT merchant_id, CAST(SUM(cards_enrolled) AS BIGINT) AS cards_enrolled,
                CAST(SUM(stamps_given) AS BIGINT) AS stamps_given, CAST(SUM(stamps_redeemed) AS BIGINT) AS stamps_redeemed,
                CAST(SUM(points_given) AS BIGINT) AS points_given, CAST(SUM(points_redeemed) AS BIGINT) AS points_redeemed
            FROM loyalty_daily_stats
            WHERE day = \(bind: day.description) AND merchant_id IN (\(binds: ids))
            GROUP BY merchant_id
            """
        ).all(decoding: Sums.self)
        return Dictionary(
            rows.map {
                (
                    $0.merchant_id,
                    DailyStatsDelta(
                        cardsEnrolled: $0.cards_enrolled, stampsGiven: $0.stamps_given, stampsRedeemed: $0.stamps_redeemed,
                        pointsGiven: $0.points_given, pointsRedeemed: $0.points_redeemed)
                )
            }, uniquingKeysWith: { first, _ in first })
    }
}
