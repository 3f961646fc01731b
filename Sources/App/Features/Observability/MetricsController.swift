import Foundation
import Prometheus
import Vapor

/// `GET /metrics`: the process's metrics in Prometheus' text format, for a scraper that sends
/// `Authorization: Bearer <LOYALTY_METRICS_TOKEN>`. Without that setting the endpoint is off
/// (404, as for any unknown path); a wrong or missing token is 401. The figures say how busy the
/// platform is and which routes and refusals it sees: not for the public (decision 0042).
///
/// Each instance answers for itself: Prometheus scrapes every instance and sums.
struct MetricsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("metrics", use: scrape)
    }

    @Sendable
    func scrape(req: Request) async throws -> Response {
        guard let expected = req.application.config.metricsToken else { throw Abort(.notFound) }
        guard let sent = req.headers.bearerAuthorization?.token, constantTimeEquals(sent, expected) else {
            throw APIError.unauthenticated
        }
        // The only figure read at scrape time rather than counted as it happens.
        PlatformMetrics.requestsInFlight(req.application.inFlightRequests.count)
        var body = ByteBuffer()
        body.writeBytes(PlatformMetrics.registry.emitToBuffer())
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(buffer: body))
    }
}
