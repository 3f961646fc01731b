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
            let limits = fraud(row.merchant_id)
            // Near-limit counts days (a voided stamp can cross the line twice in a day); hops count events.
            let value = kind == .nearDailyLimit ? row.days : row.events
            guard FraudRules.isSignal(kind, value: value, thresholds: limits) else { continue }
            signals.append(
                FraudSignal(
                    merchantId: row.merchant_id, kind: kind.rawValue, subject: "card", cardId: row.card_id, staffKind: nil, staffId: nil, label: row.card_number,
                    value: value, threshold: kind.threshold(in: limits), lastSeen: row.last_day))
        }

        // Staff: one read for every merchant, each against its own thresholds.
        let totals = try await StaffRollupQueries.totals(merchantID: merchantID, storeID: nil, from: from, to: today, on: database)
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
            let names = try await StaffRollupQueries.names(of: merchantFound.map(\.0.identity), merchantID: merchant, on: database)
            for (total, kind, value) in merchantFound {
                signals.append(
                    FraudSignal(
                        merchantId: merchant, kind: kind.rawValue, subject: "staff", cardId: nil, staffKind: total.identity.kind,
                        staffId: total.identity.id, label: names[total.identity] ?? "", value: value, threshold: kind.threshold(in: limits),
                        lastSeen: total.lastDay))
            }
        }
        signals.sort { ($0.value, $1.label) > ($1.value, $0.label) }
        return FraudSignalsReport(merchantId: merchantID, from: from.description, to: today.description, windowDays: FraudRules.windowDays, signals: signals)
    }
}
