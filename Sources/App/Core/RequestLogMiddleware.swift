import Fluent
import Foundation
import Vapor

/// Gives every response its request id and writes one structured log line per request.
///
/// Vapor takes the id from an incoming `X-Request-Id` (so a proxy's id follows the request
/// through) or makes a UUID, and puts it in `request.logger`'s metadata; this middleware hands it
/// back to the client so a support ticket can quote it.
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
        request.logger.log(
            level: response.status.code >= 500 ? .error : .info,
            "\(request.method) \(request.url.path) \(response.status.code)",
            metadata: [
                "method": "\(request.method)",
                "path": "\(request.url.path)",
                "status": "\(response.status.code)",
                "duration_ms": "\(String(format: "%.2f", milliseconds))",
            ]
        )
        return response
    }
}
