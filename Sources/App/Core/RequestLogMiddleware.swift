import Fluent
import Foundation
import Vapor

/// Gives every response its request id and writes one structured log line per request.
///
/// Vapor takes the id from an incoming `X-Request-Id` (so a proxy's id follows the request
/// through) or makes a UUID, and puts it in `request.logger`'s metadata; this middleware hands it
/// back to the client so a support ticket can quote it.
///
/// The line names the route's template (`/api/v1/loyalty/cards/:link_token`), never the path
/// as sent: private-link tokens, pass serials and device identifiers travel in paths, and logs
/// are read by more people than the database (`LoggedPaths`). Query strings are never logged.
struct RequestLogMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            // The error middleware sits inside this one; reaching here means it could not render.
            request.logger.error("request failed before a response was made", metadata: ["error": "\(error)"])
            throw error
        }
        response.headers.replaceOrAdd(name: .xRequestId, value: request.id)
        let elapsed = started.duration(to: .now)
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        let path = LoggedPaths.path(of: request)
        request.logger.log(
            level: response.status.code >= 500 ? .error : .info,
            "\(request.method) \(path) \(response.status.code)",
            metadata: [
                "method": "\(request.method)",
                "path": "\(path)",
                "status": "\(response.status.code)",
                "duration_ms": "\(String(format: "%.2f", milliseconds))",
            ]
        )
        return response
    }
}

/// What the access log writes for a request's path, so that no credential in a path reaches it.
///
/// A request that matched a route is logged as the route's template, parameters by name. One
/// that matched none (a 404 or 405) could still carry a secret (`/api/v1/loyalty/cards/<token>/x`),
/// so it keeps only the segments that are literal words of some route and writes `*` for the rest.
struct LoggedPaths: Sendable {
    /// Every literal path segment of the registered routes.
    let words: Set<String>

    init(_ routes: Routes) {
        words = Set(
            routes.all.flatMap { route in
                route.path.compactMap { component -> String? in
                    if case .constant(let word) = component { return word }
                    return nil
                }
            })
    }

    /// `/` + the template of the matched route, or the redacted path.
    static func path(of request: Request) -> String {
        if let route = request.route {
            return "/" + route.path.map(\.description).joined(separator: "/")
        }
        guard let paths = request.application.loggedPaths else { return "/*" }
        return paths.redacted(request.url.path)
    }

    /// `path` with every segment that is not a literal word of some route replaced by `*`.
    func redacted(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        return "/" + segments.map { $0.isEmpty || words.contains(String($0)) ? String($0) : "*" }.joined(separator: "/")
    }
}

extension Application {
    private struct LoggedPathsKey: StorageKey { typealias Value = LoggedPaths }

    /// Built once after every route is registered.
    var loggedPaths: LoggedPaths? {
        get { storage[LoggedPathsKey.self] }
        set { storage[LoggedPathsKey.self] = newValue }
    }
}
