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
        var thresholds: [UUID: FraudThresholds] = [:]
        func fraud(_ merchant: UUID) async throws -> FraudThresholds {
            if let known = thresholds[merchant] { return known }
            let value = try await SettingsService.settings(of: merchant, on: database).fraud
            thresholds[merchant] = value
            return value
        }

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
        var filter = SQLQueryString("e.day >= \(bind: from.description) AND e.day <= \(bind: today.description)")
        if let merchantID { filter = filter + SQLQueryString(" AND e.merchant_id = \(bind: merchantID)") }
        let events = try await database.sql.raw(
            """
            SELECT e.merchant_id, e.card_id, e.kind, COUNT(*) AS events, COUNT(DISTINCT e.day) AS days, MAX(e.day) AS last_day, c.card_number
            FROM loyalty_signal_events e JOIN \(ident: CardModel.schema) c ON c.id = e.card_id
            WHERE \(filter) GROUP BY e.merchant_id, e.card_id, e.kind, c.card_number
            """
        ).all(decoding: EventRow.self)
        for row in events {
            guard let kind = FraudRules.Kind(rawValue: row.kind) else { continue }
            let limits = try await fraud(row.merchant_id)
            // Near-limit counts days (a voided stamp can cross the line twice in a day); hops count events.
            let value = kind == .nearDailyLimit ? row.days : row.events
            guard FraudRules.isSignal(kind, value: value, thresholds: limits) else { continue }
            signals.append(
                FraudSignal(
                    merchantId: row.merchant_id, kind: kind.rawValue, subject: "card", cardId: row.card_id, staffKind: nil, staffId: nil, label: row.card_number,
                    value: value, threshold: kind.threshold(in: limits), lastSeen: row.last_day))
        }

        // Staff: per merchant, since thresholds are per merchant.
        let merchants: [UUID]
        if let merchantID {
            merchants = [merchantID]
        } else {
            merchants = try await MerchantModel.query(on: database).all().compactMap(\.id)
        }
        for merchant in merchants {
            let totals = try await StaffRollupQueries.totals(merchantID: merchant, storeID: nil, from: from, to: today, on: database)
            let limits = try await fraud(merchant)
            var found: [(StaffRollupQueries.Total, FraudRules.Kind, Int)] = []
            for total in totals {
                if FraudRules.isSignal(.manyVoids, value: total.delta.voids, thresholds: limits) { found.append((total, .manyVoids, total.delta.voids)) }
                if FraudRules.isSignal(.pinFailures, value: total.delta.pinFailures, thresholds: limits) {
                    found.append((total, .pinFailures, total.delta.pinFailures))
                }
            }
            guard !found.isEmpty else { continue }
            let names = try await StaffRollupQueries.names(of: found.map(\.0.identity), merchantID: merchant, on: database)
            for (total, kind, value) in found {
                signals.append(
                    FraudSignal(
                        merchantId: merchant, kind: kind.rawValue, subject: "staff", cardId: nil, staffKind: total.identity.kind, staffId: total.identity.id,
                        label: names[total.identity] ?? "", value: value, threshold: kind.threshold(in: limits), lastSeen: total.lastDay))
            }
        }
        signals.sort { ($0.value, $1.label) > ($1.value, $0.label) }
        return FraudSignalsReport(merchantId: merchantID, from: from.description, to: today.description, windowDays: FraudRules.windowDays, signals: signals)
    }
}
