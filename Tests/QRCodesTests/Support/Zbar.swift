import Foundation
import QRCodes

/// The independent decoder: `zbarimg` (Debian zbar-tools), run on images written here.
enum Zbar {
    /// Where `zbarimg` is on the `PATH`, or `nil`: the decoding tests are then skipped
    /// (`scripts/install-test-deps` installs it; CI runs them).
    static let path: String? = which("zbarimg")

    static func which(_ program: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var isAvailable: Bool { path != nil }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// What `zbarimg --raw` reads from the image file, without the newline it adds. Throws when
    /// it finds no code (exit status 4) or fails.
    static func decode(file: URL, binary: Bool = false) throws -> Data {
        guard let path else { throw Failure(description: "zbarimg is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        // -Sbinary: the bytes of the code as they are, without zbar's guess at a character set.
        process.arguments = ["--quiet", "--raw"] + (binary ? ["-Sbinary"] : []) + ["-Sqrcode.enable", file.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "zbarimg exited \(process.terminationStatus): \(String(decoding: err, as: UTF8.self))")
        }
        return out.last == UInt8(ascii: "\n") ? out.dropLast() : out
    }

    /// `decode(file:)` of the code drawn as a greyscale PGM, `scale` pixels per module.
    static func decode(_ code: QRCode, scale: Int = 4, binary: Bool = false) throws -> Data {
        try withTemporaryFile(extension: "pgm", contents: Netpbm.pgm(code, scale: scale)) { try decode(file: $0, binary: binary) }
    }

    /// Where `rsvg-convert` (Debian librsvg2-bin) is: zbarimg's own ImageMagick draws SVG
    /// with its crude built-in renderer, which garbles paths, so librsvg draws it as a browser
    /// would. `nil`: the SVG tests are skipped.
    static let rsvgConvert: String? = which("rsvg-convert")

    /// `decode(file:)` of an SVG document drawn `width` pixels wide by librsvg.
    static func decode(svg: String, width: Int) throws -> Data {
        guard let rsvgConvert else { throw Failure(description: "rsvg-convert is not installed") }
        return try withTemporaryFile(extension: "svg", contents: Data(svg.utf8)) { source in
            let png = source.deletingPathExtension().appendingPathExtension("png")
            defer { try? FileManager.default.removeItem(at: png) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: rsvgConvert)
            process.arguments = ["--width", "\(width)", "--format", "png", "--output", png.path, source.path]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw Failure(description: "rsvg-convert exited \(process.terminationStatus)") }
            return try decode(file: png)
        }
    }

    static func withTemporaryFile<T>(extension ext: String, contents: Data, _ body: (URL) throws -> T) throws -> T {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).\(ext)")
        try contents.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try body(file)
    }
}

/// Netpbm's binary greyscale format (P5): a one-line header and one byte per pixel. Every
/// image library reads it, so the test needs no image encoder of its own.
enum Netpbm {
    static func pgm(_ code: QRCode, scale: Int, quietZone: Int = 4) -> Data {
        let side = (code.size + 2 * quietZone) * scale
        var data = Data("P5\n\(side) \(side)\n255\n".utf8)
        data.reserveCapacity(data.count + side * side)
        for y in 0..<side {
            let row = y / scale - quietZone
            for x in 0..<side {
                data.append(code.isDark(row: row, column: x / scale - quietZone) ? 0 : 255)
            }
        }
        return data
    }
}
