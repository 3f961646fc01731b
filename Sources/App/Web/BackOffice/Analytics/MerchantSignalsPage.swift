import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/merchant/signals`: the owner's fraud signals from `req.fraudSignals` (the API's
/// `/merchants/loyalty/signals`), each with why it shows, cards linked to their page, and the
/// thresholds in force (read-only: the platform admin sets them).
struct MerchantSignalsPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("signals", use: show)
    }

    struct SignalRow: Encodable, Sendable {
        let label: String
        /// `/merchant/cards/{id}` for a card; empty for a staff member.
        let url: String
        let kind: String
        let why: String
        let lastSeen: String
    }

    struct Threshold: Encodable, Sendable {
        let label: String
        let value: String
    }

    struct SignalsPage: Encodable, Sendable {
        let period: String
        let rows: [SignalRow]
        let thresholds: [Threshold]
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        let report = try await req.fraudSignals.report(merchantID: scope.merchantID)
        let format = AnalyticsPageFormat(request: req, timeZone: scope.timeZone)
        let rows = report.signals.map { Self.row($0, windowDays: report.windowDays, format: format) }
        let page = SignalsPage(
            period: req.t("analytics.period", format.longDay(report.from), format.longDay(report.to)), rows: rows,
            thresholds: Self.thresholds(try await SettingsService.settings(of: scope.merchantID, on: req.db).fraud, format: format))
        return try await req.renderBackOffice("backoffice/analytics/signals", title: "analytics.signals_title", page)
    }

    static func row(_ signal: FraudSignal, windowDays: Int, format: AnalyticsPageFormat) -> SignalRow {
        let value = format.number(signal.value)
        let threshold = format.number(signal.threshold)
        let window = format.number(windowDays)
        let (kind, why): (String, String) =
            switch signal.kind {
            case "near_daily_limit":
                (format.t("analytics.kind_near_daily_limit"), format.t("analytics.why_near_daily_limit", value, window, threshold))
            case "many_voids": (format.t("analytics.kind_many_voids"), format.t("analytics.why_many_voids", value, window, threshold))
            case "pin_failures":
                (format.t("analytics.kind_pin_failures"), format.t("analytics.why_pin_failures", value, window, threshold))
            case "store_hopping":
                (format.t("analytics.kind_store_hopping"), format.t("analytics.why_store_hopping", value, window, threshold))
            default: (signal.kind, format.t("analytics.why_other", value, threshold))
            }
        let isCard = signal.subject == "card"
        let url = isCard ? signal.cardId.map { "/merchant/cards/\($0.uuidString)" } ?? "" : ""
        let label = isCard ? format.t("analytics.subject_card", signal.label) : format.t("analytics.subject_staff", signal.label)
        return SignalRow(label: label, url: url, kind: kind, why: why, lastSeen: format.longDay(signal.lastSeen))
    }

    /// The thresholds in force: the merchant's settings, which the fraud signal service reads too.
    static func thresholds(_ fraud: FraudThresholds, format: AnalyticsPageFormat) -> [Threshold] {
        [
            Threshold(
                label: format.t("analytics.kind_near_daily_limit"),
                value: format.t("analytics.th_near_limit", format.number(fraud.nearLimitPercent), format.number(fraud.nearLimitDays))),
            Threshold(label: format.t("analytics.kind_many_voids"), value: format.t("analytics.th_count", format.number(fraud.voidsPerStaff))),
            Threshold(
                label: format.t("analytics.kind_pin_failures"), value: format.t("analytics.th_count", format.number(fraud.pinFailuresPerStaff))),
            Threshold(
                label: format.t("analytics.kind_store_hopping"),
                value: format.t("analytics.th_hops", format.number(fraud.hopsPerCard), format.number(fraud.hopMinutes))),
        ]
    }
}
