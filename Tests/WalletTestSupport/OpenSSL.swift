import Foundation
import ZIPFoundation

/// The independent verifier: the openssl command line, run on files the app produced.
public enum OpenSSL {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs a program and returns its standard output; throws with its standard error when it
    /// exits with a status other than 0.
    @discardableResult
    public static func run(executable: String = "/usr/bin/env", _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The files of a `.pkpass` archive, read back with ZIPFoundation.
    public static func unzip(_ pkpass: Data) throws -> [String: Data] {
        let archive = try Archive(data: pkpass, accessMode: .read)
        var files: [String: Data] = [:]
        for entry in archive {
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            files[entry.path] = data
        }
        return files
    }

    /// `openssl cms -verify` of a pass's detached signature over its manifest, against `root`.
    /// Returns the printed signed attributes (to check for the signing time).
    public static func verifyPassSignature(_ files: [String: Data], rootPath: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pkpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let signature = directory.appendingPathComponent("signature")
        let manifest = directory.appendingPathComponent("manifest.json")
        try files["signature", default: Data()].write(to: signature)
        try files["manifest.json", default: Data()].write(to: manifest)
        try run([
            "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", signature.path, "-content", manifest.path,
            "-CAfile", rootPath, "-purpose", "any", "-out", "/dev/null",
        ])
        return try run(["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", signature.path])
    }
}
