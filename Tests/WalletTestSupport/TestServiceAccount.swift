import Foundation

/// A throwaway Google service account: a fresh 2048-bit RSA key (openssl) in a key file shaped
/// like the one Google's console hands out, pointing at whatever token endpoint a test names.
public struct TestServiceAccount: Sendable {
    public let directory: URL
    public let clientEmail = "loyalty-tests@test-project.iam.gserviceaccount.com"
    public let privateKeyID = "0123456789abcdef0123456789abcdef01234567"
    public var privateKeyPath: String { directory.appendingPathComponent("key.pem").path }
    public var publicKeyPath: String { directory.appendingPathComponent("public.pem").path }

    /// One key for the whole test process: generating RSA keys is slow.
    public static let standard = try! TestServiceAccount.make()

    static func make() throws -> TestServiceAccount {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("google-sa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let account = TestServiceAccount(directory: directory)
        _ = try OpenSSL.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", account.privateKeyPath])
        _ = try OpenSSL.run(["openssl", "pkey", "-in", account.privateKeyPath, "-pubout", "-out", account.publicKeyPath])
        return account
    }

    public var privateKeyPEM: String { (try? String(contentsOfFile: privateKeyPath, encoding: .utf8)) ?? "" }
    public var publicKeyPEM: String { (try? String(contentsOfFile: publicKeyPath, encoding: .utf8)) ?? "" }

    /// The key file's JSON, with fields replaced or removed (`nil`) as a test needs.
    public func keyFileJSON(tokenURI: String, overriding changes: [String: String?] = [:]) throws -> Data {
        var fields: [String: String] = [
            "type": "service_account", "project_id": "test-project", "private_key_id": privateKeyID, "private_key": privateKeyPEM,
            "client_email": clientEmail, "client_id": "100000000000000000001", "token_uri": tokenURI,
        ]
        for (key, value) in changes { fields[key] = value }
        return try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    }

    /// Writes a key file and answers its path.
    public func writeKeyFile(tokenURI: String, overriding changes: [String: String?] = [:]) throws -> String {
        let path = directory.appendingPathComponent("key-\(UUID().uuidString).json").path
        try keyFileJSON(tokenURI: tokenURI, overriding: changes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
