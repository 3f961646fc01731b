import Foundation
import JWTKit

/// A Google Cloud service account's JSON key file: who signs, with which key, and where the
/// OAuth token comes from (WALLET.md §4.1).
///
/// Loading checks everything start-up can check, so a wrong file stops the platform at once
/// with a sentence saying what is wrong instead of failing at the first stamp.
public struct ServiceAccountKey: Sendable {
    public let clientEmail: String
    public let privateKeyID: String
    public let tokenURI: URL
    let privateKey: Insecure.RSA.PrivateKey

    /// Fields of the key file this platform reads; Google's file has more.
    private struct File: Decodable {
        let type: String?
        let client_email: String?
        let private_key: String?
        let private_key_id: String?
        let token_uri: String?
    }

    public init(contentsOf path: String) throws(ServiceAccountKeyError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .init("no file at \(path)") }
        guard let data = FileManager.default.contents(atPath: path) else { throw .init("\(path) is not readable by this process") }
        try self.init(json: data)
    }

    public init(json data: Data) throws(ServiceAccountKeyError) {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw .init("the file is not a service account's JSON key (not a JSON object)")
        }
        if let type = file.type, type != "service_account" { throw .init("its type is \"\(type)\", not \"service_account\"") }
        func required(_ value: String?, _ name: String) throws(ServiceAccountKeyError) -> String {
            guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .init("it has no \(name)") }
            return value
        }
        clientEmail = try required(file.client_email, "client_email")
        privateKeyID = try required(file.private_key_id, "private_key_id")
        let tokenText = try required(file.token_uri, "token_uri")
        guard let tokenURI = URL(string: tokenText), EndpointURL.isAllowed(tokenURI) else {
            throw .init("its token_uri is not an https URL (plain http only on the loopback interface)")
        }
        self.tokenURI = tokenURI
        do {
            privateKey = try Insecure.RSA.PrivateKey(pem: try required(file.private_key, "private_key"))
        } catch let error as ServiceAccountKeyError {
            throw error
        } catch {
            // The key itself never goes into the message.
            throw .init("its private_key is not an RSA private key of at least 2048 bits in PEM")
        }
    }
}

/// What is wrong with a service account key file, in words for the operator.
public struct ServiceAccountKeyError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Which addresses the client may call: https, or plain http to this machine (a stand-in in
/// tests). A token travels with every call, so it never crosses a network in clear text.
public enum EndpointURL {
    public static func isAllowed(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty else { return false }
        if scheme == "https" { return true }
        return scheme == "http" && ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
    }
}
