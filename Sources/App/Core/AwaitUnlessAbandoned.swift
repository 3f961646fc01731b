import NIOConcurrencyHelpers

/// Waits for `operation`, unless `abandonWhen` gives up on it first: `abandonWhen` is called
/// once, at the start, with a function that ends the wait by throwing the error passed to it.
/// The operation then goes on alone and its result is dropped.
///
/// For work that may wait on a driver's future nothing can cancel (see
/// `Database.sqlTransaction`). Cancelling the caller cancels the operation, as if it ran inline.
func awaitUnlessAbandoned<T: Sendable>(
    _ operation: @escaping @Sendable () async throws -> T,
    abandonWhen: (@escaping @Sendable (any Error) -> Void) -> Void
) async throws -> T {
    let settled = NIOLockedValueBox(false)
    let running = NIOLockedValueBox<Task<Void, Never>?>(nil)
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let settle: @Sendable (Result<T, any Error>) -> Void = { result in
                let first = settled.withLockedValue { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(with: result) }
            }
            let task = Task {
                do {
                    settle(.success(try await operation()))
                } catch {
                    settle(.failure(error))
                }
            }
            running.withLockedValue { $0 = task }
            // A cancellation that came before the task existed found nothing to cancel.
            if Task.isCancelled { task.cancel() }
            abandonWhen { settle(.failure($0)) }
        }
    } onCancel: {
        running.withLockedValue { $0?.cancel() }
    }
}
