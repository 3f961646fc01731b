import Foundation
import Vapor

#if canImport(Glibc)
    import Glibc
#endif

extension Application {
    private struct InFlightRequestsKey: StorageKey { typealias Value = InFlightRequests }

    /// The requests being worked on; see `InFlightRequests`.
    var inFlightRequests: InFlightRequests {
        if let requests = storage[InFlightRequestsKey.self] { return requests }
        let requests = InFlightRequests()
        storage[InFlightRequestsKey.self] = requests
        return requests
    }
}

/// Stops serving before anything else shuts down: stop accepting connections, let the requests
/// in flight finish (up to `LOYALTY_SHUTDOWN_GRACE_SECONDS`), and only then let the job
/// scheduler, the wallet pushes and the databases close (docs/decisions/0021-graceful-shutdown.md).
///
/// Vapor on its own closes the databases first (lifecycle handlers) and the HTTP server last
/// (the serve command lives in the app's storage), so requests still arriving met a closed
/// database and `Request.db` trapped. This handler is registered last, so it runs first.
struct GracefulShutdownLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        guard application.isServing else { return }
        let grace = application.config.shutdownGrace
        let deadline = ContinuousClock.now.advanced(by: .seconds(grace))
        application.logger.info("shutting down: no new connections; waiting up to \(Int(grace)) s for requests in flight")
        // Closes the listening socket and every idle keep-alive connection; a busy connection
        // closes after its current response. Bounded by the server's own shutdown timeout.
        await application.server.shutdown()
        let stillRunning = await application.inFlightRequests.drain(until: deadline)
        guard stillRunning == 0 else {
            // Closing the databases under these handlers would crash them mid-write. Ending the
            // process instead lets the kernel close every socket: PostgreSQL rolls back their
            // transactions and SQLite's journal undoes theirs. None of them was acknowledged.
            application.logger.critical(
                "\(stillRunning) requests still running \(Int(grace)) s after SIGTERM; exiting without waiting for them")
            fflush(nil)  // every C stream: the log lines above reach the operator
            _exit(1)
        }
        application.logger.info("requests drained; closing jobs, wallet pushes and databases")
    }
}
