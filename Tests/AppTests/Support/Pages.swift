import Fluent
import Foundation
import LoyaltyCore
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// A browser for page tests: keeps cookies between requests and fills the form token in.
///
/// It does not follow redirects: a test asserts each `303` and its `Location` itself.
struct PageClient {
    let app: Application
    var cookies: [String: String] = [:]
    /// Sent as `Accept-Language` when set.
    var acceptLanguage: String?

    init(_ app: Application) {
        self.app = app
        // Any value works for the double-submit check, as long as cookie and field agree.
        cookies[CSRFProtection.cookie] = TokenService.randomTokenValue()
    }

    /// A browser already signed in to the pages as `user` (a session opened directly, as the
    /// sign-in form would).
    static func signedIn(_ app: Application, as user: UserModel) async throws -> PageClient {
        var client = PageClient(app)
        let session = try await WebSessions(database: app.db, now: app.clock).open(
            for: .user(user.requireID()), lifetime: app.config.staffTokenLifetime,
            origin: SessionOrigin(clientAddress: "127.0.0.1", userAgent: "PageClient"))
        client.cookies[WebRealm.staff.cookieName] = session.value
        return client
    }

    /// A browser signed in as a customer.
    static func signedIn(_ app: Application, asCustomer customer: CustomerModel) async throws -> PageClient {
        var client = PageClient(app)
        let session = try await WebSessions(database: app.db, now: app.clock).open(
            for: .customer(customer.requireID()), lifetime: app.config.customerTokenLifetime,
            origin: SessionOrigin(clientAddress: "127.0.0.1", userAgent: "PageClient"))
        client.cookies[WebRealm.customer.cookieName] = session.value
        return client
    }

    var csrf: String { cookies[CSRFProtection.cookie] ?? "" }

    mutating func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: headers, body: nil)
    }

    /// POSTs a form; `csrf: false` leaves the token out, as a forged form would.
    mutating func post(
        _ path: String, form: [String: String] = [:], csrf: Bool = true, headers: HTTPHeaders = [:]
    ) async throws -> TestingHTTPResponse {
        var fields = form
        if csrf { fields[CSRFProtection.field] = self.csrf }
        let body = fields.sorted { $0.key < $1.key }
            .map { "\(Self.formEncode($0.key))=\(Self.formEncode($0.value))" }
            .joined(separator: "&")
        var headers = headers
        headers.contentType = .urlEncodedForm
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    private mutating func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?) async throws -> TestingHTTPResponse {
        var headers = headers
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let acceptLanguage { headers.replaceOrAdd(name: .acceptLanguage, value: acceptLanguage) }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: body)
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";", maxSplits: 1).first ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { continue }
            let expired = header.contains("Max-Age=0") || header.contains("1970")
            cookies[parts[0]] = expired ? nil : parts[1]
        }
        return response
    }

    static func formEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}

extension TestingHTTPResponse {
    /// The body with the entities Leaf escapes turned back into characters.
    var text: String {
        String(buffer: body).replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Where a redirect points.
    var location: String? { headers.first(name: .location) }

    /// The `lang` of the page's `<html>` element.
    var htmlLang: String? {
        let text = self.text
        guard let range = text.range(of: "<html lang=\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }

    /// The text of the page's `role="alert"` element, tags removed.
    var alertText: String? {
        let text = self.text
        guard let start = text.range(of: "role=\"alert\"") else { return nil }
        let afterTag = text[start.upperBound...].drop { $0 != ">" }.dropFirst()
        let inner = afterTag.prefix { $0 != "<" }
        return inner.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
