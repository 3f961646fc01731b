import Foundation

/// Which address a request is counted and recorded under (rate limits, the ledger's
/// `ip_address`, sessions), given the socket's peer and the `X-Forwarded-For` header.
///
/// `X-Forwarded-For` is a list every proxy appends to: the client writes whatever it likes on
/// the left, and only the entries our own proxies appended on the right can be believed. So
/// the address is read from the right, never the left (docs/decisions/0016-client-addresses.md).
public enum ClientAddressPolicy: Sendable, Equatable {
    /// No proxy: the socket's peer; `X-Forwarded-For` is ignored.
    case socket
    /// Exactly this many proxies stand in front and each appends the address it saw: the
    /// client is the `hops`-th entry from the right. Only safe when clients cannot reach the
    /// server except through those proxies.
    case proxyHops(Int)
    /// Peers in these networks are our proxies: walk from the socket's peer leftwards through
    /// `X-Forwarded-For` while the address is one of ours; the first that is not is the client.
    case trustedProxies([IPNetwork])

    /// The client's address in canonical form, or `nil` when the entry that would name it is
    /// no IP address (callers count all of those under one "unknown" key).
    ///
    /// - Parameters:
    ///   - peer: the socket's remote address, if any.
    ///   - forwardedFor: every `X-Forwarded-For` header line, in the order received.
    public func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        let peerAddress = peer.flatMap { IPAddress($0) }
        switch self {
        case .socket:
            return peerAddress?.description
        case .proxyHops(let hops):
            let entries = Self.entries(forwardedFor)
            // No header: the request did not come through the proxies (a health check, say).
            guard !entries.isEmpty else { return peerAddress?.description }
            // Fewer entries than proxies: the leftmost is as far as the chain reaches.
            return IPAddress(forwardedEntry: entries[max(0, entries.count - hops)])?.description
        case .trustedProxies(let networks):
            guard var current = peerAddress else { return nil }
            let isProxy = { (address: IPAddress) in networks.contains { $0.contains(address) } }
            for entry in Self.entries(forwardedFor).reversed() {
                guard isProxy(current) else { break }
                // One of our proxies wrote something that is no address: nothing left to believe.
                guard let next = IPAddress(forwardedEntry: entry) else { return nil }
                current = next
            }
            return current.description
        }
    }

    /// The comma-separated entries of every header line, in order, trimmed.
    static func entries(_ lines: [String]) -> [Substring] {
        lines.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingCharacters(in: .whitespaces)[...] }
    }
}
