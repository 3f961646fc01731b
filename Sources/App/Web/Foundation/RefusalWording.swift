import Foundation
import Vapor

/// The API's refusals in a person's words, in the page's language (WEB.md: "every refusal in
/// plain words").
///
/// Each error code has the catalog key `error.<code>`; the details the API sends (the time a
/// cooldown ends, the attempts left) fill its arguments, with times in the store's time zone.
enum RefusalWording {
    /// Codes with a text of their own; any other code gets `error.generic`.
    static let codes = [
        "validation_failed", "unauthenticated", "forbidden", "not_found", "cooldown_active", "daily_limit_reached",
        "insufficient_stamps", "insufficient_points", "already_voided", "invalid_pin", "pin_locked",
        "idempotency_key_reused", "rate_limited", "reward_unavailable", "program_type_mismatch", "card_blocked",
        "account_deactivated", "csrf_failed", "database_busy", "internal_error", "card_inactive", "program_inactive",
        "already_exists", "customer_erased", "shutting_down", "database_unavailable", "storage_full",
    ]

    static func text(for error: APIError, in language: Language, catalog: Catalog, timeZone: TimeZone) -> String {
        let time = { (key: String) -> String in
            guard case .string(let text)? = error.details[key], let date = try? Date(text, strategy: .iso8601) else { return "" }
            return clockTime(date, timeZone: timeZone)
        }
        let number = { (key: String) -> String in
            guard case .int(let value)? = error.details[key] else { return "" }
            return String(value)
        }
        let arguments: [String]
        switch error.code {
        case "cooldown_active": arguments = [time("next_stamp_available_at")]
        case "daily_limit_reached": arguments = [number("max_daily_stamps"), time("resets_at")]
        case "insufficient_stamps", "insufficient_points": arguments = [number("balance"), number("needed")]
        case "invalid_pin": arguments = [number("attempts_remaining")]
        case "pin_locked": arguments = [time("locked_until")]
        case "rate_limited": arguments = [number("retry_after_seconds")]
        default: arguments = []
        }
        let key = codes.contains(error.code) ? "error." + error.code : "error.generic"
        return catalog.text(key, in: language, arguments)
    }

    /// `14:05` in the store's time zone (all four languages write the 24-hour clock).
    static func clockTime(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }
}

extension Request {
    /// `error` in the page's language; `timeZone` is the store's for times at the counter.
    func words(for error: APIError, timeZone: TimeZone = TimeZone(identifier: "Europe/Luxembourg") ?? .gmt) -> String {
        RefusalWording.text(for: error, in: language, catalog: application.catalog, timeZone: timeZone)
    }
}
