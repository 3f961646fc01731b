import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// Fraud signals (decision 0027) over the last `FraudRules.windowDays` days, from small
/// rollups written in the operations: card events (`loyalty_signal_events`, one row per
/// near-limit day or store hop) and the staff rollup (voids, PIN failures). Thresholds are the
/// merchant's settings.
struct FraudSignalService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    /// One merchant's signals, or every merchant's (`merchantID == nil`, admin).
    func report(merchantID: UUID?) async throws -> FraudSignalsReport {
        // Safe: every instant has a Gregorian date. UTC: one window for every merchant; a store
        // day a few hours off moves a day in or out of the window at most.
        let today = CalendarDate(now(), in: .gmt)!
        let from = today.adding(days: -(FraudRules.windowDays - 1))
        // Every merchant's thresholds in one read (the platform's defaults where none is set).
        let settings = MerchantSettingsModel.query(on: database)
        if let merchantID { settings.filter(\.$id == merchantID) }
        var thresholds: [UUID: FraudThresholds] = [:]
        for row in try await settings.all() {
            if let id = row.id { thresholds[id] = row.settings.fraud }
        }
        func fraud(_ merchant: UUID) -> FraudThresholds { thresholds[merchant] ?? MerchantLoyaltySettings().fraud }

        var signals: [FraudSignal] = []
        struct EventRow: Decodable {
            let merchant_id: UUID
            let card_id: UUID
            let kind: String
            let events: Int
            let days: Int
            let last_day: String
            let card_number: String
        }
        // Only the cards over the lowest threshold of the merchants read come back (each is
        // then held to its merchant's own), with their numbers: most cards with an event in the
        // window have one or two, and reading and joining them all was most of the report.
        let lowest = Self.lowestThresholds(merchantID.map { [fraud($0)] } ?? Array(thresholds.values) + [MerchantLoyaltySettings().fraud])
        let filter = DayFilter.sql(days: from...today, merchantID: merchantID)
        let events = try await database.sql.raw(
            """
            SELECT g.merchant_id, g.card_id, g.kind, g.events, g.days, g.last_day, c.card_number FROM (
                SELECT merchant_id, card_id, kind, COUNT(*) AS events, COUNT(DISTINCT day) AS days, MAX(day) AS last_day
                FROM loyalty_signal_events WHERE \(filter) GROUP BY merchant_id, card_id, kind
                HAVING (kind = \(bind: FraudRules.Kind.nearDailyLimit.rawValue) AND COUNT(DISTINCT day) >= \(bind: lowest.nearLimitDays))
                    OR (kind <> \(bind: FraudRules.Kind.nearDailyLimit.rawValue) AND COUNT(*) >= \(bind: lowest.hopsPerCard))
            ) g JOIN \(ident: CardModel.schema) c ON c.id = g.card_id
            """
        ).all(decoding: EventRow.self)
        for row in events {
            guard let kind = FraudRules.Kind(rawValue: row.kind) else { continue }
            let limits = fraud(row.merchant_id)
            // Near-limit counts days (a voided stamp can cross the line twice in a day); hops count events.
            let value = kind == .nearDailyLimit ? row.days : row.events
            guard FraudRules.isSignal(kind, value: value, thresholds: limits) else { continue }
            signals.append(
                FraudSignal(
                    merchantId: row.merchant_id, kind: kind.rawValue, subject: "card", cardId: row.card_id, staffKind: nil, staffId: nil, label: row.card_number,
                    value: value, threshold: kind.threshold(in: limits), lastSeen: row.last_day))
        }

        // Staff: one read for every merchant, only the members over the lowest thresholds (with
        // their names), each then held to its merchant's own.
        let totals = try await StaffRollupQueries.totals(
            merchantID: merchantID, storeID: nil, days: from...today, reaching: (lowest.voidsPerStaff, lowest.pinFailuresPerStaff),
            on: database)
        var found: [UUID: [(StaffRollupQueries.Total, FraudRules.Kind, Int)]] = [:]
        for total in totals {
            let limits = fraud(total.merchantID)
            if FraudRules.isSignal(.manyVoids, value: total.delta.voids, thresholds: limits) {
                found[total.merchantID, default: []].append((total, .manyVoids, total.delta.voids))
            }
            if FraudRules.isSignal(.pinFailures, value: total.delta.pinFailures, thresholds: limits) {
                found[total.merchantID, default: []].append((total, .pinFailures, total.delta.pinFailures))
            }
        }
        for (merchant, merchantFound) in found {
            let limits = fraud(merchant)
            for (total, kind, value) in merchantFound {
                signals.append(
                    FraudSignal(
                        merchantId: merchant, kind: kind.rawValue, subject: "staff", cardId: nil, staffKind: total.identity.kind,
                        staffId: total.identity.id, label: total.name, value: value, threshold: kind.threshold(in: limits),
                        lastSeen: total.lastDay))
            }
        }
        signals.sort { ($0.value, $1.label) > ($1.value, $0.label) }
        return FraudSignalsReport(merchantId: merchantID, from: from.description, to: today.description, windowDays: FraudRules.windowDays, signals: signals)
    }

    /// The lowest threshold of each signal among `thresholds`: what a card or a staff member
    /// must reach to be a signal for any of them.
    static func lowestThresholds(_ thresholds: [FraudThresholds]) -> FraudThresholds {
        var lowest = FraudThresholds()
        lowest.nearLimitDays = thresholds.map(\.nearLimitDays).min() ?? lowest.nearLimitDays
        lowest.hopsPerCard = thresholds.map(\.hopsPerCard).min() ?? lowest.hopsPerCard
        lowest.voidsPerStaff = thresholds.map(\.voidsPerStaff).min() ?? lowest.voidsPerStaff
        lowest.pinFailuresPerStaff = thresholds.map(\.pinFailuresPerStaff).min() ?? lowest.pinFailuresPerStaff
        return lowest
    }
}
