import Synchronization

/// A value learned once per language (from Foundation's formatters, which cost microseconds a
/// call) and kept for the process's life: `IntegerGrouping`, `ShortDayFormat`.
final class LearnedPerLanguage<Value: Sendable>: Sendable {
    private let values = Mutex<[Language: Value]>([:])

    func value(for language: Language, learn: () -> Value) -> Value {
        if let known = values.withLock({ $0[language] }) { return known }
        // Learned outside the lock: two first requests may both learn it, with the same result.
        let learned = learn()
        values.withLock { $0[language] = learned }
        return learned
    }
}
