import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Vapor

/// What APNs said to one push.
enum ApplePushOutcome: Equatable, Sendable {
    case delivered
    /// 410 Unregistered, or 400 BadDeviceToken: the token will never work again.
    case deviceGone(reason: String)
    /// Anything else (403 certificate or topic, 429, 5xx, the network): try again later.
    case failed(reason: String)
}

/// Sends pass-update pushes. The real one speaks HTTP/2 to APNs; tests of the notifier's
/// bookkeeping may record instead.
protocol ApplePushTransport: Sendable {
    func push(toDeviceToken token: String) async -> ApplePushOutcome
    func shutdown() async
}

/// APNs with certificate authentication: the Pass Type ID certificate and its WWDR
/// intermediate as the TLS client identity, the pass type as the topic, an empty JSON body
/// (Apple's "Adding a Web Service to Update Passes"; ../shared/docs/WALLET.md §3).
final class APNsClient: ApplePushTransport {
    private let client: HTTPClient
    private let baseURL: String
    private let topic: String

    init(wallet: AppConfig.WalletSettings, topic: String, eventLoopGroup: any EventLoopGroup) throws {
        guard let certificatePath = wallet.appleSignerCertificatePath, let wwdrPath = wallet.appleWWDRCertificatePath,
            let keyPath = wallet.appleSignerKeyPath
        else { throw ConfigError("Apple Wallet pushes need the LOYALTY_APPLE_* certificate settings") }
        var tls = TLSConfiguration.makeClientConfiguration()
        // The chain, not just the leaf: APNs builds the path through the intermediate we send.
        tls.certificateChain = try (NIOSSLCertificate.fromPEMFile(certificatePath) + NIOSSLCertificate.fromPEMFile(wwdrPath))
            .map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
        if let roots = wallet.appleAPNsCAPath {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(roots))
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.httpVersion = .automatic  // ALPN picks HTTP/2, which APNs requires
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(10))
        client = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: configuration)
        baseURL = wallet.appleAPNsURL
        self.topic = topic
    }

    private struct ErrorBody: Decodable {
        let reason: String
    }

    func push(toDeviceToken token: String) async -> ApplePushOutcome {
        var request = HTTPClientRequest(url: "\(baseURL)/3/device/\(token)")
        request.method = .POST
        request.headers.add(name: "apns-topic", value: topic)
        request.headers.add(name: "apns-push-type", value: "background")
        request.headers.add(name: "apns-priority", value: "5")
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: "{}"))
        do {
            let response = try await client.execute(request, timeout: .seconds(15))
            let body = try await response.body.collect(upTo: 16_384)
            let reason = (try? JSONDecoder().decode(ErrorBody.self, from: Data(body.readableBytesView)))?.reason ?? ""
            switch (response.status.code, reason) {
            case (200, _): return .delivered
            case (410, _), (400, "BadDeviceToken"): return .deviceGone(reason: reason)
            default: return .failed(reason: "APNs answered \(response.status.code) \(reason)")
            }
        } catch {
            return .failed(reason: "APNs unreachable: \(error)")
        }
    }

    func shutdown() async {
        try? await client.shutdown()
    }
}
