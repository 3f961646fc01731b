import Foundation

/// Keeps the data on disk readable by the server's account only: the data folder 0700; the
/// SQLite database, its `-wal` and `-shm` files and the development secret key 0600
/// (docs/decisions/0022-purges-and-data-files.md).
///
/// Files and folders made by earlier versions with the umask's looser modes are tightened at
/// start-up, and each change is reported so the operator learns the data was exposed. A folder
/// named only through `LOYALTY_SQLITE_PATH` may be shared (`/srv`, a volume) and is left alone;
/// the files in it are still tightened.
enum DataFilePermissions {
    static let folderMode = 0o700
    static let fileMode = 0o600

    /// Creates `path` owner-only (`create`), or tightens it when it exists (`tightenExisting`);
    /// the changes made, as messages.
    @discardableResult
    static func secureFolder(_ path: String, create: Bool, tightenExisting: Bool = true) throws -> [String] {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard create else { return [] }
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: folderMode])
            return []
        }
        guard isDirectory.boolValue, tightenExisting else { return [] }
        return try tighten(path, to: folderMode).map { [$0] } ?? []
    }

    /// Makes the SQLite file owner-only before SQLite opens it: created empty (a valid empty
    /// database) when missing, because SQLite gives new `-wal` and `-shm` files the database
    /// file's permissions; existing files are tightened.
    @discardableResult
    static func secureSQLiteFiles(_ path: String) throws -> [String] {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: fileMode]) else {
                throw ConfigError("could not create the SQLite database at \(path)")
            }
            return []
        }
        return try [path, path + "-wal", path + "-shm"].compactMap { try secureFile($0) }
    }

    /// Tightens an existing file to 0600; the change made, or `nil`.
    static func secureFile(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try tighten(path, to: fileMode)
    }

    /// Removes every permission bit beyond `mode` (never adds one).
    private static func tighten(_ path: String, to mode: Int) throws -> String? {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        guard let current = (attributes[.posixPermissions] as? NSNumber)?.intValue, current & ~mode & 0o7777 != 0 else { return nil }
        let tightened = current & mode
        try FileManager.default.setAttributes([.posixPermissions: tightened], ofItemAtPath: path)
        return "\(path) was readable by others (mode \(String(current, radix: 8))); now \(String(tightened, radix: 8))"
    }
}
