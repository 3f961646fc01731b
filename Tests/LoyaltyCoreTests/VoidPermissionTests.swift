import Foundation
import Testing

@testable import LoyaltyCore

@Suite struct VoidPermissionTests {
    let here = UUID()
    let elsewhere = UUID()
    let today = CalendarDate(year: 2026, month: 3, day: 1)

    func check(_ role: Role, type: TransactionType = .stampEarned, store: UUID? = nil, day: CalendarDate?, window: Int = 0) throws(VoidPermissionError) {
        try VoidPermission.check(
            .init(role: role, storeID: here), voiding: .init(type: type, storeID: store ?? here, businessDay: day), windowDays: window, today: today)
    }

    @Test func ownersVoidAnythingOfTheirMerchantAtAnyTime() throws {
        try check(.merchantOwner, type: .pointsAdjusted, store: elsewhere, day: CalendarDate(year: 2020, month: 1, day: 1))
    }

    @Test(arguments: [Role.storeManager, .storeStaff])
    func storeRolesNeverVoidAnOwnersAdjustment(_ role: Role) {
        #expect(throws: VoidPermissionError.ownerAdjustment) { try check(role, type: .pointsAdjusted, day: today) }
    }

    @Test(arguments: [Role.storeManager, .storeStaff])
    func storeRolesVoidOnlyTheirStoresRows(_ role: Role) {
        #expect(throws: VoidPermissionError.otherStore) { try check(role, store: elsewhere, day: today) }
    }

    @Test func cashiersVoidWithinTheWindowManagersBeyondIt() throws {
        // 2026-02-28 is the day before 2026-03-01 (no 29 February in 2026).
        let yesterday = CalendarDate(year: 2026, month: 2, day: 28)
        try check(.storeStaff, day: today)
        #expect(throws: VoidPermissionError.outsideWindow(windowDays: 0)) { try check(.storeStaff, day: yesterday) }
        try check(.storeStaff, day: yesterday, window: 1)
        #expect(throws: VoidPermissionError.outsideWindow(windowDays: 0)) { try check(.storeStaff, day: nil) }
        try check(.storeManager, day: CalendarDate(year: 2025, month: 1, day: 1))
    }

    @Test func daysBetweenCalendarDatesCrossMonthsYearsAndLeapDays() {
        #expect(CalendarDate(year: 1970, month: 1, day: 1).daysSinceEpoch == 0)
        #expect(CalendarDate(year: 2024, month: 3, day: 1).daysSince(CalendarDate(year: 2024, month: 2, day: 28)) == 2)
        #expect(CalendarDate(year: 2027, month: 1, day: 1).daysSince(CalendarDate(year: 2026, month: 12, day: 31)) == 1)
        #expect(CalendarDate(year: 2000, month: 1, day: 1).daysSinceEpoch == 10_957)
    }
}
