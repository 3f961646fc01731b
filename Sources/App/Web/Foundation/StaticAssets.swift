import Crypto
import Foundation
import LoyaltyCore
import Vapor

/// The pages' CSS, JavaScript, icons and vendored libraries (`Resources/Public`), read once at
/// start-up and served from memory at `/static/<path>`.
///
/// Pages link each file with its content's fingerprint (`/static/app.css?v=1a2b3c4d`): such a
/// request is cached for a year (`immutable`), because a changed file gets a new address.
/// Without the fingerprint a file is cached briefly and revalidated by ETag.
struct StaticAssets: Sendable {
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: HTTPMediaType
        let fingerprint: String
    }

    let assets: [String: Asset]

    static func bundled() throws -> StaticAssets {
        guard let root = Bundle.module.resourceURL?.appendingPathComponent("Public") else { return StaticAssets(assets: [:]) }
        return try load(from: root)
    }

    static func load(from root: URL) throws -> StaticAssets {
        var assets: [String: Asset] = [:]
        let rootPath = root.standardizedFileURL.path
        guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return StaticAssets(assets: [:])
        }
        for case let file as URL in files where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let path = String(file.standardizedFileURL.path.dropFirst(rootPath.count + 1))
            let data = try Data(contentsOf: file)
            let digest = SHA256.hash(data: data).prefix(6).hexEncoded
            let type = file.pathExtension == "webmanifest"
                ? HTTPMediaType(type: "application", subType: "manifest+json") : HTTPMediaType.fileExtension(file.pathExtension) ?? .binary
            assets[path] = Asset(body: ByteBuffer(bytes: data), contentType: type, fingerprint: digest)
        }
        return StaticAssets(assets: assets)
    }

    /// The address a page links: with the fingerprint when the file exists.
    func url(_ path: String) -> String {
        guard let asset = assets[path] else { return "/static/" + path }
        return "/static/\(path)?v=\(asset.fingerprint)"
    }

    func respond(to request: Request) -> Response {
        let path = request.parameters.getCatchall().joined(separator: "/")
        guard let asset = assets[path] else {
            return Response(status: .notFound, headers: ["Content-Type": "text/plain; charset=utf-8"], body: "Not found")
        }
        let etag = "\"\(asset.fingerprint)\""
        var headers = HTTPHeaders()
        headers.contentType = asset.contentType
        headers.replaceOrAdd(name: .eTag, value: etag)
        let fingerprinted = request.query[String.self, at: "v"] == asset.fingerprint
        headers.replaceOrAdd(name: .cacheControl, value: fingerprinted ? "public, max-age=31536000, immutable" : "public, max-age=300")
        if request.headers.first(name: .ifNoneMatch) == etag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(buffer: asset.body))
    }
}
