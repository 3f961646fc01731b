import Foundation

/// A call to Google that did not succeed, in words an operator can act on. Never holds a token
/// or a key: these messages go to logs and to the admin's status view.
public struct GoogleWalletError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Google answered with an error status.
        case answered(status: Int)
        /// No answer: connection refused, timeout, TLS.
        case network
        /// The OAuth token exchange failed.
        case token
    }

    public let kind: Kind
    /// `POST loyaltyObject`, `PATCH loyaltyClass/…`, `token`.
    public let call: String
    public let message: String

    public init(kind: Kind, call: String, message: String) {
        self.kind = kind
        self.call = call
        self.message = message
    }

    public var status: Int? {
        if case .answered(let status) = kind { return status }
        return nil
    }

    public var description: String {
        switch kind {
        case .answered(let status): "\(call): Google answered \(status): \(message)"
        case .network: "\(call): no answer from Google: \(message)"
        case .token: "OAuth token: \(message)"
        }
    }

    /// Google's error body `{"error": {"code", "message", "status"}}` (REST APIs) or the token
    /// endpoint's `{"error", "error_description"}`, reduced to one line.
    static func message(fromBody body: Data, status: Int) -> String {
        struct RESTError: Decodable {
            struct Inner: Decodable {
                let message: String?
                let status: String?
            }
            let error: Inner
        }
        struct OAuthError: Decodable {
            let error: String
            let error_description: String?
        }
        if let rest = try? JSONDecoder().decode(RESTError.self, from: body) {
            return [rest.error.status, rest.error.message].compactMap { $0 }.joined(separator: ": ")
        }
        if let oauth = try? JSONDecoder().decode(OAuthError.self, from: body) {
            return [oauth.error, oauth.error_description].compactMap { $0 }.joined(separator: ": ")
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "HTTP \(status) with no body" : text
    }
}
