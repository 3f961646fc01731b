import Foundation

/// A throwaway Apple-shaped PKI made by `scripts/make-wallet-test-pki` (openssl), once per
/// test process and pass type.
public struct TestPassPKI: Sendable {
    public let directory: URL
    public let passTypeIdentifier: String
    public let teamIdentifier: String

    public var rootPath: String { directory.appendingPathComponent("root.pem").path }
    public var wwdrPath: String { directory.appendingPathComponent("wwdr.pem").path }
    public var signerCertificatePath: String { directory.appendingPathComponent("signer.pem").path }
    public var signerKeyPath: String { directory.appendingPathComponent("signer.key").path }

    public func pem(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The PKI for pass type `pass.test.loyalty`, team `TEST123456`.
    public static let standard = try! TestPassPKI.make(passTypeIdentifier: "pass.test.loyalty", teamIdentifier: "TEST123456")

    /// A second, unrelated PKI: its key and certificates belong to no `standard` pass.
    public static let other = try! TestPassPKI.make(passTypeIdentifier: "pass.test.other", teamIdentifier: "OTHER12345")

    static func make(passTypeIdentifier: String, teamIdentifier: String) throws -> TestPassPKI {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wallet-pki-\(UUID().uuidString)")
        try OpenSSL.run(
            executable: repositoryRoot.appendingPathComponent("scripts/make-wallet-test-pki").path,
            [directory.path, passTypeIdentifier, teamIdentifier])
        return TestPassPKI(directory: directory, passTypeIdentifier: passTypeIdentifier, teamIdentifier: teamIdentifier)
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
