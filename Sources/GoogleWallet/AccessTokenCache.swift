import Foundation

/// The OAuth access token for Google's Wallet API: fetched once, reused until shortly before
/// it expires, and refreshed by one caller at a time while the others wait for the same answer.
actor AccessTokenCache {
    struct Token: Sendable {
        let value: String
        let expiresAt: Date
    }

    /// Refresh this long before expiry, so a token never expires on its way to Google.
    static let margin: TimeInterval = 120

    private let fetch: @Sendable () async throws(GoogleWalletError) -> Token
    private let now: @Sendable () -> Date
    private var current: Token?
    private var refreshing: Task<Token, any Error>?

    init(now: @escaping @Sendable () -> Date, fetch: @escaping @Sendable () async throws(GoogleWalletError) -> Token) {
        self.now = now
        self.fetch = fetch
    }

    func token() async throws(GoogleWalletError) -> String {
        if let current, current.expiresAt.timeIntervalSince(now()) > Self.margin { return current.value }
        let task: Task<Token, any Error>
        if let refreshing {
            task = refreshing
        } else {
            task = Task { [fetch] in try await fetch() }
            refreshing = task
        }
        do {
            // A caller that is cancelled (shutdown) cancels the fetch rather than wait it out.
            let token = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
            current = token
            if refreshing == task { refreshing = nil }
            return token.value
        } catch {
            if refreshing == task { refreshing = nil }
            throw error as? GoogleWalletError ?? GoogleWalletError(kind: .token, call: "token", message: "\(error)")
        }
    }

    /// Google refused the token (401): the next call fetches a new one.
    func discard(_ value: String) {
        if current?.value == value { current = nil }
    }
}
