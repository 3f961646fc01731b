import Crypto
import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// A secret key generated once for development and kept in the data directory.
///
/// Production must set `LOYALTY_SECRET_KEY`; a generated key lives next to the database, so a
/// copy of the data directory would reveal it, which is fine for a laptop and wrong for a server.
enum DevelopmentSecretKey {
    static let fileName = "secret.key"

    static func loadOrCreate(in directory: String) throws -> String {
        let path = "\(directory)/\(fileName)"
        let fileManager = FileManager.default
        if let data = fileManager.contents(atPath: path),
            let key = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            key.count >= AppConfig.minimumSecretKeyLength
        {
            // A key written by an earlier version may be readable by others.
            _ = try DataFilePermissions.secureFile(path)
            return key
        }
        try DataFilePermissions.secureFolder(directory, create: true)
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0).hexEncoded }
        // Owner-only permissions: the key protects PINs and signatures.
        guard fileManager.createFile(atPath: path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw ConfigError("could not write the development secret key to \(path)")
        }
        return key
    }
}
