import Foundation

/// What a staff PIN may be: 4 to 8 digits, and not one a thief tries first.
public enum PinRules {
    public static let lengths = 4...8

    /// Why `pin` cannot be used, or `nil`.
    public static func problem(_ pin: String) -> String? {
        guard lengths.contains(pin.count), pin.allSatisfy({ ("0"..."9").contains($0) }) else {
            return "must be 4 to 8 digits"
        }
        if isTriviallyGuessable(pin) { return "is too easy to guess (repeated digits, a sequence or a pattern)" }
        return nil
    }

    /// All one digit (0000), a run up or down (1234, 9876, 8901), a repeated pair or half
    /// (1212, 123123), or a keypad column (2580).
    public static func isTriviallyGuessable(_ pin: String) -> Bool {
        let digits = pin.compactMap(\.wholeNumberValue)
        if Set(digits).count == 1 { return true }
        let steps = zip(digits, digits.dropFirst()).map { ($1 - $0 + 10) % 10 }
        if Set(steps).count == 1 && (steps[0] == 1 || steps[0] == 9) { return true }
        for period in [2, 3, 4] where digits.count % period == 0 && digits.count > period {
            let unit = Array(digits.prefix(period))
            if stride(from: 0, to: digits.count, by: period).allSatisfy({ Array(digits[$0..<$0 + period]) == unit }) { return true }
        }
        return ["2580", "0852", "1470", "0741", "3690", "0963"].contains(pin)
    }
}

/// Failed PIN entries and the lockout they lead to, for one staff member or one terminal.
///
/// A staff member's series ends with their own success (`recordSuccess`); a terminal's series
/// never ends by a success, only by time (`forgetAfter`) or a manager's unlock, so a colleague's
/// correct PIN cannot buy a guesser fresh attempts (docs/decisions/0013-pin-failure-counting.md).
public struct PinLockout: Equatable, Sendable {
    public var failedAttempts: Int
    public var lockedUntil: Date?
    /// When the current series of failures began (`nil`: no series, or not tracked).
    public var firstFailureAt: Date?

    public init(failedAttempts: Int = 0, lockedUntil: Date? = nil, firstFailureAt: Date? = nil) {
        self.failedAttempts = failedAttempts
        self.lockedUntil = lockedUntil
        self.firstFailureAt = firstFailureAt
    }

    /// The end of the lockout if it is still running at `now`.
    public func lockEnd(at now: Date) -> Date? {
        guard let lockedUntil, lockedUntil > now else { return nil }
        return lockedUntil
    }

    /// The attempts left at `now` before the lock, as the next failure would see them.
    public func attemptsRemaining(at now: Date, maxAttempts: Int, forgetAfter window: TimeInterval? = nil) -> Int {
        var copy = self
        copy.forgetExpiredSeries(at: now, window: window)
        return copy.lockEnd(at: now) == nil ? max(0, maxAttempts - copy.failedAttempts) : 0
    }

    /// Records a wrong PIN; returns the attempts left before the lock (0 once locked).
    ///
    /// With `forgetAfter`, a series whose first failure is at least that old starts afresh
    /// (a terminal's typos of the morning do not count in the afternoon).
    public mutating func recordFailure(at now: Date, maxAttempts: Int, lockout: TimeInterval, forgetAfter window: TimeInterval? = nil) -> Int {
        forgetExpiredSeries(at: now, window: window)
        if failedAttempts == 0 { firstFailureAt = now }
        failedAttempts += 1
        if failedAttempts >= maxAttempts {
            lockedUntil = now.addingTimeInterval(lockout)
            return 0
        }
        return maxAttempts - failedAttempts
    }

    public mutating func recordSuccess() {
        failedAttempts = 0
        lockedUntil = nil
        firstFailureAt = nil
    }

    private mutating func forgetExpiredSeries(at now: Date, window: TimeInterval?) {
        if let lockedUntil {
            // The previous lockout has run out: a fresh series starts.
            if lockedUntil <= now { recordSuccess() }
        } else if let window, let firstFailureAt, firstFailureAt.addingTimeInterval(window) <= now {
            recordSuccess()
        }
    }
}
