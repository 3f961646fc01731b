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
public struct PinLockout: Equatable, Sendable {
    public var failedAttempts: Int
    public var lockedUntil: Date?

    public init(failedAttempts: Int = 0, lockedUntil: Date? = nil) {
        self.failedAttempts = failedAttempts
        self.lockedUntil = lockedUntil
    }

    /// The end of the lockout if it is still running at `now`.
    public func lockEnd(at now: Date) -> Date? {
        guard let lockedUntil, lockedUntil > now else { return nil }
        return lockedUntil
    }

    /// Records a wrong PIN; returns the attempts left before the lock (0 once locked).
    public mutating func recordFailure(at now: Date, maxAttempts: Int, lockout: TimeInterval) -> Int {
        if let lockedUntil, lockedUntil <= now {
            // The previous lockout has run out: a fresh series starts.
            failedAttempts = 0
            self.lockedUntil = nil
        }
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
    }
}
