import Testing

@testable import LoyaltyCore

@Suite struct RoleTests {
    @Test(arguments: [
        (Role.platformAdmin, false, false, nil),
        (.platformAdmin, true, false, RoleScopeError.merchantNotAllowed),
        (.merchantOwner, true, false, nil),
        (.merchantOwner, false, false, .merchantRequired),
        (.merchantOwner, true, true, .storeNotAllowed),
        (.storeManager, true, true, nil),
        (.storeManager, true, false, .storeRequired),
        (.storeStaff, true, true, nil),
        (.storeStaff, true, false, .storeRequired),
    ] as [(Role, Bool, Bool, RoleScopeError?)])
    func scopeFitsRole(role: Role, hasMerchant: Bool, hasStore: Bool, expected: RoleScopeError?) {
        #expect(role.validateScope(hasMerchant: hasMerchant, hasStore: hasStore) == expected)
    }

    @Test func onlyStoreRolesAreBoundToAStore() {
        #expect(Role.allCases.filter(\.isBoundToStore) == [.storeManager, .storeStaff])
    }
}
