import Foundation
import Testing

@testable import LoyaltyCore

@Suite struct PinRulesTests {
    @Test(arguments: ["0000", "1111", "1234", "4321", "8901", "0987", "1212", "123123", "2580", "12341234", "98765432"])
    func triviallyGuessablePinsAreRefused(_ pin: String) {
        #expect(PinRules.problem(pin) != nil)
    }

    @Test(arguments: ["123", "123456789", "12a4", "", " 4826"])
    func pinsAreFourToEightDigits(_ pin: String) {
        #expect(PinRules.problem(pin) == "must be 4 to 8 digits")
    }

    @Test(arguments: ["4826", "7391", "130995", "20481357"])
    func ordinaryPinsAreAccepted(_ pin: String) {
        #expect(PinRules.problem(pin) == nil)
    }

    @Test func theFifthFailureLocksForTheLockoutAndThenAFreshSeriesStarts() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        var lockout = PinLockout()
        for expected in [4, 3, 2, 1] {
            #expect(lockout.recordFailure(at: start, maxAttempts: 5, lockout: 1_800) == expected)
            #expect(lockout.lockEnd(at: start) == nil)
        }
        #expect(lockout.recordFailure(at: start, maxAttempts: 5, lockout: 1_800) == 0)
        #expect(lockout.lockEnd(at: start.addingTimeInterval(1_799)) == start.addingTimeInterval(1_800))
        #expect(lockout.lockEnd(at: start.addingTimeInterval(1_800)) == nil)
        #expect(lockout.recordFailure(at: start.addingTimeInterval(1_801), maxAttempts: 5, lockout: 1_800) == 4)
        lockout.recordSuccess()
        #expect(lockout == PinLockout())
    }
}
