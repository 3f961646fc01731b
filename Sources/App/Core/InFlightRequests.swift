import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Counts the requests the app is working on, so shutdown can wait for them before it closes
/// the databases (docs/decisions/0021-graceful-shutdown.md).
///
/// A handler keeps running after its client hangs up, and Vapor's HTTP server stops tracking
/// such a request when the connection closes; only a count taken around the handler itself
/// knows when the last one has finished with the database.
final class InFlightRequests: Sendable {
    private struct State {
        var count = 0
        var isClosed = false
    }

    private let state = NIOLockedValueBox(State())

    /// The number of requests inside the middleware right now.
    var count: Int { state.withLockedValue { $0.count } }

    /// Admits a request, or refuses it once shutdown has stopped waiting (the databases close
    /// next, and a handler must never meet a closed database).
    func enter() -> Bool {
        state.withLockedValue { state in
            guard !state.isClosed else { return false }
            state.count += 1
            return true
        }
    }

    func leave() {
        state.withLockedValue { $0.count -= 1 }
    }

    /// Waits until no request is in flight or `deadline` passes, then refuses every later
    /// request. Returns the number still in flight (0 when the drain finished in time).
    ///
    /// Polls every 20 ms: it runs once per process lifetime, and a poll cannot miss a wake-up.
    func drain(until deadline: ContinuousClock.Instant) async -> Int {
        while count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return state.withLockedValue { state in
            state.isClosed = true
            return state.count
        }
    }
}

/// The outermost middleware: counts every request in `InFlightRequests`.
struct InFlightRequestsMiddleware: AsyncMiddleware {
    let requests: InFlightRequests

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard requests.enter() else {
            let refusal = APIError(
                .serviceUnavailable, code: "shutting_down", message: "This server is shutting down; try again in a moment.",
                headers: ["Retry-After": "1", "Connection": "close"])
            return try APIErrorMiddleware.render(refusal, for: request)
        }
        defer { requests.leave() }
        return try await next.respond(to: request)
    }
}
