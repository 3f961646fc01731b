import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Google's Wallet REST API for loyalty classes and objects (WALLET.md §4.2), on
/// AsyncHTTPClient: the OAuth token (cached), timeouts, retries with backoff, and Google's
/// error bodies turned into `GoogleWalletError`.
public final class GoogleWalletClient: Sendable {
    public enum Resource: String, Sendable {
        case loyaltyClass, loyaltyObject
    }

    /// What a create-or-update did.
    public enum Written: Sendable, Equatable {
        case inserted, patched
    }

    public let jwts: GoogleJWTs
    private let apiBaseURL: String
    private let tokenURI: URL
    private let retry: RetryPolicy
    private let timeout: TimeAmount
    private let http: HTTPClient
    private let tokens: AccessTokenCache

    /// `apiBaseURL`: `https://walletobjects.googleapis.com/walletobjects/v1`, no trailing slash.
    public init(
        key: ServiceAccountKey, jwts: GoogleJWTs, apiBaseURL: URL, retry: RetryPolicy = RetryPolicy(),
        timeoutSeconds: Int64 = 10, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.jwts = jwts
        var base = apiBaseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.apiBaseURL = base
        tokenURI = key.tokenURI
        self.retry = retry
        timeout = .seconds(timeoutSeconds)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        self.http = http
        let timeoutAmount = self.timeout
        tokens = AccessTokenCache(now: now) { () async throws(GoogleWalletError) -> AccessTokenCache.Token in
            try await Self.fetchToken(http: http, tokenURI: key.tokenURI, jwts: jwts, timeout: timeoutAmount, now: now)
        }
    }

    /// Closes the connections; must run before the client is released (AsyncHTTPClient).
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Fetches a token now (the admin's diagnostics): proves the key and the token endpoint.
    public func checkToken() async throws(GoogleWalletError) {
        _ = try await tokens.token()
    }

    // MARK: - Resources

    /// Creates the resource, or updates it when it exists already (409): the idempotent create.
    @discardableResult
    public func insertOrPatch(_ resource: Resource, id: String, body: Data) async throws(GoogleWalletError) -> Written {
        do throws(GoogleWalletError) {
            try await send(.POST, path: resource.rawValue, body: body)
            return .inserted
        } catch {
            guard error.status == 409 else { throw error }
            try await send(.PATCH, path: "\(resource.rawValue)/\(id)", body: body)
            return .patched
        }
    }

    /// Updates the resource, or creates it when Google does not have it (404).
    @discardableResult
    public func patchOrInsert(_ resource: Resource, id: String, body: Data) async throws(GoogleWalletError) -> Written {
        do throws(GoogleWalletError) {
            try await send(.PATCH, path: "\(resource.rawValue)/\(id)", body: body)
            return .patched
        } catch {
            guard error.status == 404 else { throw error }
            return try await insertOrPatch(resource, id: id, body: body)
        }
    }

    // MARK: - One call, with retries

    private func send(_ method: HTTPMethod, path: String, body: Data) async throws(GoogleWalletError) {
        let call = "\(method.rawValue) \(path)"
        var attempt = 1
        var refreshedToken = false
        while true {
            let token = try await tokens.token()
            let (failure, retryAfter): (GoogleWalletError, Int?)
            switch await attemptOnce(method, path: path, body: body, token: token, call: call) {
            case .success:
                return
            case .failed(let error, let after):
                // An expired or revoked token: one fresh token, then the answer stands.
                if error.status == 401 && !refreshedToken {
                    refreshedToken = true
                    await tokens.discard(token)
                    continue
                }
                guard error.kind == .network || error.status.map(RetryPolicy.isRetryable) == true else { throw error }
                (failure, retryAfter) = (error, after)
            }
            guard let delay = retry.delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: Double.random(in: 0...1)) else {
                throw failure
            }
            try? await Task.sleep(for: delay)
            attempt += 1
        }
    }

    private enum Attempt {
        case success
        /// The error, and the answer's `Retry-After` in seconds.
        case failed(GoogleWalletError, retryAfter: Int?)
    }

    private func attemptOnce(_ method: HTTPMethod, path: String, body: Data, token: String, call: String) async -> Attempt {
        var request = HTTPClientRequest(url: "\(apiBaseURL)/\(path)")
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(request, timeout: timeout)
            let answer = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            let status = Int(response.status.code)
            if (200..<300).contains(status) { return .success }
            return .failed(
                GoogleWalletError(kind: .answered(status: status), call: call, message: GoogleWalletError.message(fromBody: answer, status: status)),
                retryAfter: RetryPolicy.retryAfterSeconds(response.headers.first(name: "Retry-After")))
        } catch {
            return .failed(GoogleWalletError(kind: .network, call: call, message: "\(error)"), retryAfter: nil)
        }
    }

    // MARK: - The OAuth token

    private static func fetchToken(
        http: HTTPClient, tokenURI: URL, jwts: GoogleJWTs, timeout: TimeAmount, now: @Sendable () -> Date
    ) async throws(GoogleWalletError) -> AccessTokenCache.Token {
        struct Answer: Decodable {
            let access_token: String
            let expires_in: Int?
        }
        let requestedAt = now()
        do {
            let assertion = try await jwts.tokenAssertion(at: requestedAt)
            var request = HTTPClientRequest(url: tokenURI.absoluteString)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(
                ByteBuffer(string: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(assertion)"))
            let response = try await http.execute(request, timeout: timeout)
            let body = Data(try await response.body.collect(upTo: 1 << 16).readableBytesView)
            guard response.status == .ok else {
                throw GoogleWalletError(
                    kind: .token, call: "token",
                    message: "\(tokenURI.absoluteString) answered \(response.status.code): "
                        + GoogleWalletError.message(fromBody: body, status: Int(response.status.code)))
            }
            guard let answer = try? JSONDecoder().decode(Answer.self, from: body), !answer.access_token.isEmpty else {
                throw GoogleWalletError(kind: .token, call: "token", message: "\(tokenURI.absoluteString) answered without an access_token")
            }
            return .init(value: answer.access_token, expiresAt: requestedAt.addingTimeInterval(TimeInterval(answer.expires_in ?? 3600)))
        } catch let error as GoogleWalletError {
            throw error
        } catch {
            throw GoogleWalletError(kind: .token, call: "token", message: "no answer from \(tokenURI.absoluteString): \(error)")
        }
    }
}
