import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Collects what is wrong with each field of a request, so one response names them all.
///
/// Every text read through `requiredText` or `optionalText` is first checked with
/// `FieldRules.storableText` (no NUL, bounded length), so no request text reaches the database
/// in a form that would fail there with a server error.
///
/// Typical use in a request DTO:
/// ```swift
/// var errors = FieldErrors()
/// let name = errors.requiredText(name, "name", FieldRules.name)
/// try errors.throwIfAny()   // only now is `name` known to be valid
/// ```
struct FieldErrors {
    private(set) var fields: [String: String] = [:]

    /// Returns the trimmed text, recording "is required" when it is missing or `rule`'s
    /// message when it breaks the rule. The returned value is meaningful only once
    /// `throwIfAny()` has passed.
    mutating func requiredText(_ value: String?, _ field: String, _ rule: (String) -> String? = { _ in nil }) -> String {
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            record(field, "is required")
            return ""
        }
        record(field, FieldRules.storableText(value) ?? rule(value))
        return value
    }

    /// Returns the trimmed text, or `nil` when absent (or `null`), recording `rule`'s message.
    /// A blank string is an error: leave the field out (or send `null`) to say "none".
    mutating func optionalText(_ value: String?, _ field: String, _ rule: (String) -> String? = { _ in nil }) -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            record(field, "must not be blank; leave it out or send null instead")
            return nil
        }
        record(field, FieldRules.storableText(trimmed) ?? rule(trimmed))
        return trimmed
    }

    /// Records `problem` for `field` when there is one (the first problem of a field wins).
    mutating func record(_ field: String, _ problem: String?) {
        if let problem, fields[field] == nil { fields[field] = problem }
    }

    /// Takes over `other`'s problems, naming their fields `prefix` + field (`customer.email`).
    mutating func merge(_ other: FieldErrors, prefix: String) {
        for (field, problem) in other.fields { record(prefix + field, problem) }
    }

    /// Throws `validation_failed` naming every recorded field.
    func throwIfAny() throws {
        if !fields.isEmpty { throw APIError.validationFailed(fields) }
    }
}

extension FieldErrors {
    /// The text of a query-string parameter (a search), checked like a body's text field:
    /// `nil` when absent or blank, `validation_failed` naming `field` when it cannot be stored.
    static func queryText(_ value: String?, _ field: String) throws -> String? {
        var errors = FieldErrors()
        let text = value?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == false ? errors.optionalText(value, field) : nil
        try errors.throwIfAny()
        return text
    }
}
