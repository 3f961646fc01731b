import Fluent
import Foundation
import Testing
import Vapor

@testable import App

/// The data folder and its files are the server account's only (on SQLite, whatever engine the
/// other tests use: these make their own folder).
@Suite struct DataFilePermissionsTests {
    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber).intValue
    }

    /// Starts a development app on `folder` (key generated there, SQLite inside), writes, stops.
    static func startAndWrite(in folder: String) async throws {
        let config = try AppConfig.load(from: ["LOYALTY_DATA_DIR": folder, "LOYALTY_BCRYPT_COST": "4"], isProduction: false)
        let app = try await Application.make(.testing)
        do {
            try await configure(app, config: config)
            try await app.autoMigrate()
            try await app.makeMerchant().delete(on: app.db)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    static func scratchFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("perm-" + UUID().uuidString).path
    }

    @Test func aNewDataFolderIsOwnerOnly() async throws {
        let parent = Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let folder = parent + "/data"
        try await Self.startAndWrite(in: folder)
        #expect(try Self.mode(folder) == 0o700)
        for file in ["secret.key", "loyalty.sqlite", "loyalty.sqlite-wal", "loyalty.sqlite-shm"]
        where FileManager.default.fileExists(atPath: "\(folder)/\(file)") {
            #expect(try Self.mode("\(folder)/\(file)") == 0o600, "\(file)")
        }
        #expect(FileManager.default.fileExists(atPath: "\(folder)/loyalty.sqlite"))
        #expect(FileManager.default.fileExists(atPath: "\(folder)/secret.key"))
    }

    /// A folder made by an earlier version with the umask's modes is tightened at start-up.
    @Test func anExistingLooseFolderIsTightened() async throws {
        let folder = Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await Self.startAndWrite(in: folder)
        let files = ["secret.key", "loyalty.sqlite", "loyalty.sqlite-wal"].map { "\(folder)/\($0)" }
        for file in files where !FileManager.default.fileExists(atPath: file) {
            _ = FileManager.default.createFile(atPath: file, contents: nil)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        for file in files { try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file) }

        try await Self.startAndWrite(in: folder)
        #expect(try Self.mode(folder) == 0o700)
        // SQLite removes its -wal on a clean close; what is left must be owner-only.
        for file in files where FileManager.default.fileExists(atPath: file) { #expect(try Self.mode(file) == 0o600, "\(file)") }
    }

    @Test func existingSQLiteFilesAreTightenedBeforeSQLiteOpensThem() throws {
        let folder = Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try DataFilePermissions.secureFolder(folder, create: true)
        let database = folder + "/loyalty.sqlite"
        for file in [database, database + "-wal", database + "-shm"] {
            _ = FileManager.default.createFile(atPath: file, contents: nil, attributes: [.posixPermissions: 0o644])
        }
        #expect(try DataFilePermissions.secureSQLiteFiles(database).count == 3)
        for file in [database, database + "-wal", database + "-shm"] { #expect(try Self.mode(file) == 0o600) }
        #expect(try DataFilePermissions.secureSQLiteFiles(database).isEmpty)
        let fresh = folder + "/new.sqlite"
        try DataFilePermissions.secureSQLiteFiles(fresh)
        #expect(try Self.mode(fresh) == 0o600)
    }

    /// `LOYALTY_SQLITE_PATH` in a folder of the operator's (a shared volume): the folder stays as
    /// it is, the database files become owner-only.
    @Test func aSharedFolderOfTheDatabaseIsLeftAlone() async throws {
        let shared = Self.scratchFolder()
        let data = Self.scratchFolder()
        defer {
            try? FileManager.default.removeItem(atPath: shared)
            try? FileManager.default.removeItem(atPath: data)
        }
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let config = try AppConfig.load(
            from: ["LOYALTY_DATA_DIR": data, "LOYALTY_SQLITE_PATH": shared + "/loyalty.sqlite", "LOYALTY_BCRYPT_COST": "4"],
            isProduction: false)
        let app = try await Application.make(.testing)
        do {
            try await configure(app, config: config)
            try await app.autoMigrate()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
        #expect(try Self.mode(shared) == 0o755)
        #expect(try Self.mode(shared + "/loyalty.sqlite") == 0o600)
        #expect(try Self.mode(data) == 0o700)
    }

    @Test func tighteningOnlyRemovesBits() throws {
        let folder = Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try DataFilePermissions.secureFolder(folder, create: true)
        let file = folder + "/f"
        _ = FileManager.default.createFile(atPath: file, contents: nil, attributes: [.posixPermissions: 0o400])
        #expect(try DataFilePermissions.secureFile(file) == nil)
        #expect(try Self.mode(file) == 0o400)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file)
        #expect(try DataFilePermissions.secureFile(file)?.contains("640") == true)
        #expect(try Self.mode(file) == 0o600)
    }

    @Test func theDemoRefusesProduction() throws {
        let key = String(repeating: "k", count: 64)
        let production = try AppConfig.load(from: ["LOYALTY_SECRET_KEY": key], isProduction: true)
        #expect(throws: ConfigError.self) { try DemoCommand.refuseInProduction(production) }
        try DemoCommand.refuseInProduction(try AppConfig.load(from: ["LOYALTY_SECRET_KEY": key], isProduction: false))
    }
}
