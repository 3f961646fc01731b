import Crypto
import Foundation
import LoyaltyCore
import ZIPFoundation

/// The files of a pass and the `.pkpass` archive made of them.
///
/// The manifest lists the SHA-1 of every file's exact bytes, the signature covers the exact
/// bytes of the manifest, and the archive holds those same bytes: nothing is re-encoded
/// after hashing (../shared/docs/WALLET.md pitfall 3).
public struct PassPackage: Sendable {
    public static let mediaType = "application/vnd.apple.pkpass"

    /// Relative path (with `/`) to contents: `pass.json`, images, `<lang>.lproj/pass.strings`.
    public private(set) var files: [String: Data] = [:]

    public init(pass: PassJSON, images: [String: Data], strings: [PassStrings]) throws {
        files["pass.json"] = try pass.encoded()
        for (name, data) in images { files[name] = data }
        for table in strings { files[table.path] = table.encoded() }
    }

    public enum PackageError: Error, Equatable, CustomStringConvertible {
        case missingIcon
        case archive(String)

        public var description: String {
            switch self {
            case .missingIcon: "A pass needs icon.png; Wallet will not open one without it."
            case .archive(let reason): "The .pkpass archive could not be written: \(reason)"
            }
        }
    }

    /// `manifest.json`: every file's lowercase-hex SHA-1, keys sorted.
    public func manifest() throws -> Data {
        var hashes: [String: String] = [:]
        for (path, data) in files {
            hashes[path] = Insecure.SHA1.hash(data: data).hexEncoded
        }
        return try JSONSerialization.data(withJSONObject: hashes, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// The signed `.pkpass` archive.
    public func archive(signedBy signer: PassSigner, at signingTime: Date) throws -> Data {
        guard files["icon.png"] != nil else { throw PackageError.missingIcon }
        let manifest = try manifest()
        let signature = try signer.signature(of: manifest, at: signingTime)
        var entries = files
        entries["manifest.json"] = manifest
        entries["signature"] = signature
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            // Sorted, so that the same pass signed at the same time gives the same archive.
            for path in entries.keys.sorted() {
                let data = entries[path]!
                try archive.addEntry(
                    with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
                ) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            guard let bytes = archive.data else { throw PackageError.archive("no data") }
            return bytes
        } catch let error as PackageError {
            throw error
        } catch {
            throw PackageError.archive(String(describing: error))
        }
    }
}
