import Fluent
import Foundation
import Vapor

/// An error a client can act on: rendered as `{"error": {"code", "message", "details"}}` (API.md).
///
/// `code` is the stable, machine-readable part clients switch on; `message` is for people.
public struct APIError: AbortError, Sendable {
    public let status: HTTPResponseStatus
    public let code: String
    public let message: String
    public let details: [String: JSONValue]
    public let headers: HTTPHeaders

    public init(
        _ status: HTTPResponseStatus,
        code: String,
        message: String,
        details: [String: JSONValue] = [:],
        headers: HTTPHeaders = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public var reason: String { message }
}

extension APIError {
    /// Invalid input; `fields` names every wrong field with what is wrong with it.
    static func validationFailed(_ fields: [String: String], status: HTTPResponseStatus = .unprocessableEntity) -> APIError {
        APIError(
            status,
            code: "validation_failed",
            message: "The request is not valid: " + fields.keys.sorted().joined(separator: ", "),
            details: ["fields": .object(fields.mapValues { .string($0) })]
        )
    }

    static let unauthenticated = APIError(
        .unauthorized, code: "unauthenticated", message: "Sign in first: the token is missing, expired or revoked.",
        headers: ["WWW-Authenticate": "Bearer"])

    static let invalidCredentials = APIError(
        .unauthorized, code: "unauthenticated", message: "The e-mail address or password is wrong.")

    /// The right password of a deactivated staff account.
    static let accountDeactivated = APIError(
        .forbidden, code: "account_deactivated",
        message: "This account is deactivated. Ask your merchant's owner to reactivate it.")

    static func forbidden(_ message: String = "You are not allowed to do this.") -> APIError {
        APIError(.forbidden, code: "forbidden", message: message)
    }

    /// Absent, or another tenant's: the two are never told apart.
    static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) was not found.")
    }

    /// A unique value (store code, e-mail) is taken.
    static func alreadyExists(field: String, message: String) -> APIError {
        APIError(.conflict, code: "already_exists", message: message, details: ["field": .string(field)])
    }

    static func rateLimited(retryAfter seconds: Int) -> APIError {
        APIError(
            .tooManyRequests, code: "rate_limited",
            message: "Too many attempts. Try again in \(seconds) seconds.",
            details: ["retry_after_seconds": .int(seconds)],
            headers: ["Retry-After": String(seconds)])
    }
}

extension APIError {
    static func invalidPin(attemptsRemaining: Int) -> APIError {
        APIError(
            .forbidden, code: "invalid_pin", message: "The staff PIN is wrong. \(attemptsRemaining) attempts remain before it locks.",
            details: ["attempts_remaining": .int(attemptsRemaining)])
    }

    static func pinLocked(until: Date) -> APIError {
        APIError(
            .locked, code: "pin_locked", message: "PIN entry is locked after too many wrong PINs.",
            details: ["locked_until": .string(until.formatted(.iso8601))])
    }

    /// A rule refused the operation on the card's current state.
    static func conflict(_ code: String, _ message: String, details: [String: JSONValue] = [:]) -> APIError {
        APIError(.conflict, code: code, message: message, details: details)
    }
}
