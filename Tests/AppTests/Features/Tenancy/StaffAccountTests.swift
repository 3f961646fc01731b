import Fluent
import Foundation
import LoyaltyCore
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

/// Staff accounts after onboarding: deactivation, passwords, sessions and the login lock, by
/// the account itself, its merchant's owner and the platform admin.
@Suite struct StaffAccountTests {
    static func login(_ app: Application, _ email: String, _ password: String = Application.fixturePassword, headers: HTTPHeaders = [:])
        async throws -> TestingHTTPResponse
    {
        try await app.send(.POST, "/api/v1/auth/login", headers: headers, json: ["email": .string(email), "password": .string(password)])
    }

    static func signIn(_ app: Application, _ email: String, headers: HTTPHeaders = [:]) async throws -> String {
        let response = try await login(app, email, headers: headers)
        #expect(response.status == .ok)
        return try #require(try response.json["access_token"]?.string)
    }

    @Test func anOwnerDeactivatesAStaffMemberWhoseSessionsEndAtOnce() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant()
            let store = try await app.makeStore(of: merchant)
            let owner = try await app.token(for: try await app.makeUser(.merchantOwner, merchant: merchant))
            let cashier = try await app.makeUser(.storeStaff, merchant: merchant, store: store, email: "cashier@shop.test")
            let cashierToken = try await Self.signIn(app, "cashier@shop.test")

            let deactivated = try await app.send(.POST, "/api/v1/merchants/users/\(cashier.id!)/deactivate", token: owner)
            #expect(deactivated.status == .ok)
            #expect(try deactivated.json["is_active"]?.bool == false)
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: cashierToken).status == .unauthorized)
            let live = try await AccessTokenModel.query(on: app.db).filter(\.$user.$id == cashier.requireID()).filter(\.$revokedAt == nil)
                .count()
            #expect(live == 0)
            let refused = try await Self.login(app, "cashier@shop.test")
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "account_deactivated")

            let reactivated = try await app.send(.POST, "/api/v1/merchants/users/\(cashier.id!)/reactivate", token: owner)
            #expect(try reactivated.json["is_active"]?.bool == true)
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: cashierToken).status == .unauthorized)
            #expect(try await Self.login(app, "cashier@shop.test").status == .ok)
        }
    }

    @Test func anOwnerCannotDeactivateItselfNorResetItsOwnPasswordThere() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant()
            let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
            let token = try await app.token(for: owner)
            let deactivate = try await app.send(.POST, "/api/v1/merchants/users/\(owner.id!)/deactivate", token: token)
            #expect(deactivate.status == .forbidden)
            let reset = try await app.send(
                .POST, "/api/v1/merchants/users/\(owner.id!)/password", token: token, json: ["password": "another-long-pw"])
            #expect(reset.status == .forbidden)
            #expect(try await UserModel.find(owner.id, on: app.db)?.isActive == true)
        }
    }

    @Test func theAdminManagesStaffOfTheMerchantNamedInThePathOnly() async throws {
        try await withTestApp { app, _ in
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))
            let merchant = try await app.makeMerchant()
            let other = try await app.makeMerchant("Other")
            let cashier = try await app.makeUser(.storeStaff, merchant: merchant, store: try await app.makeStore(of: merchant))
            let wrongMerchant = try await app.send(
                .POST, "/api/v1/admin/merchants/\(other.id!)/users/\(cashier.id!)/deactivate", token: admin)
            #expect(wrongMerchant.status == .notFound)
            let done = try await app.send(.POST, "/api/v1/admin/merchants/\(merchant.id!)/users/\(cashier.id!)/deactivate", token: admin)
            #expect(done.status == .ok)
            #expect(try await UserModel.find(cashier.id, on: app.db)?.isActive == false)
        }
    }

    @Test func changingOnesOwnPasswordNeedsTheCurrentOneAndEndsTheOtherSessions() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant()
            _ = try await app.makeUser(
                .storeStaff, merchant: merchant, store: try await app.makeStore(of: merchant), email: "cashier@shop.test")
            let here = try await Self.signIn(app, "cashier@shop.test")
            let elsewhere = try await Self.signIn(app, "cashier@shop.test")

            let wrong = try await app.send(
                .POST, "/api/v1/auth/password", token: here,
                json: ["current_password": "not-the-password", "new_password": "a-new-long-password"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(try wrong.json["error"]?["details"]?["fields"]?["current_password"]?.string != nil)
            let weak = try await app.send(
                .POST, "/api/v1/auth/password", token: here,
                json: ["current_password": .string(Application.fixturePassword), "new_password": "short"])
            #expect(weak.status == .unprocessableEntity)

            let changed = try await app.send(
                .POST, "/api/v1/auth/password", token: here,
                json: ["current_password": .string(Application.fixturePassword), "new_password": "a-new-long-password"])
            #expect(changed.status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: here).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: elsewhere).status == .unauthorized)
            #expect(try await Self.login(app, "cashier@shop.test").status == .unauthorized)
            #expect(try await Self.login(app, "cashier@shop.test", "a-new-long-password").status == .ok)
        }
    }

    @Test func anOwnerResetsAStaffPasswordAndEveryOldSessionEnds() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant()
            let owner = try await app.token(for: try await app.makeUser(.merchantOwner, merchant: merchant))
            let cashier = try await app.makeUser(
                .storeStaff, merchant: merchant, store: try await app.makeStore(of: merchant), email: "cashier@shop.test")
            let old = try await Self.signIn(app, "cashier@shop.test")
            let invalid = try await app.send(
                .POST, "/api/v1/merchants/users/\(cashier.id!)/password", token: owner, json: ["password": "short"])
            #expect(invalid.status == .unprocessableEntity)
            let reset = try await app.send(
                .POST, "/api/v1/merchants/users/\(cashier.id!)/password", token: owner, json: ["password": "the-reset-password"])
            #expect(reset.status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: old).status == .unauthorized)
            #expect(try await Self.login(app, "cashier@shop.test", "the-reset-password").status == .ok)
        }
    }

    @Test func sessionsShowWhereTheyWereOpenedButNeverTheToken() async throws {
        try await withTestApp(adjust: { $0.trustForwardedFor = true }) { app, _ in
            let merchant = try await app.makeMerchant()
            let cashier = try await app.makeUser(
                .storeStaff, merchant: merchant, store: try await app.makeStore(of: merchant), email: "cashier@shop.test")
            let till = try await Self.signIn(
                app, "cashier@shop.test", headers: ["X-Forwarded-For": "198.51.100.7", "User-Agent": "Till/1.0"])
            let phone = try await Self.signIn(app, "cashier@shop.test", headers: ["X-Forwarded-For": "203.0.113.9", "User-Agent": "Phone"])

            let listed = try await app.send(.GET, "/api/v1/auth/sessions", token: till)
            #expect(listed.status == .ok)
            let items = try #require(try listed.json["items"]?.array)
            #expect(items.count == 2)
            #expect(try listed.json["total"]?.int == 2)
            let current = try #require(items.first { $0["current"]?.bool == true })
            #expect(current["client_address"]?.string == "198.51.100.7")
            #expect(current["user_agent"]?.string == "Till/1.0")
            let body = String(buffer: listed.body)
            for token in [till, phone] {
                #expect(!body.contains(token))
                #expect(!body.contains(TokenService.hash(token)))
            }

            let phoneSession = try #require(items.first { $0["current"]?.bool == false }?["id"]?.string)
            #expect(try await app.send(.DELETE, "/api/v1/auth/sessions/\(phoneSession)", token: till).status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: phone).status == .unauthorized)
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: till).status == .ok)
            // Gone, and someone else's: the same 404.
            #expect(try await app.send(.DELETE, "/api/v1/auth/sessions/\(phoneSession)", token: till).status == .notFound)
            let colleague = try await app.token(
                for: try await app.makeUser(.storeStaff, merchant: merchant, store: try await app.makeStore(of: merchant)))
            let tillSession = try #require(current["id"]?.string)
            #expect(try await app.send(.DELETE, "/api/v1/auth/sessions/\(tillSession)", token: colleague).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: till).status == .ok)
            _ = cashier
        }
    }

    @Test func anOwnerListsAndEndsAStaffMembersSessions() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant()
            let owner = try await app.token(for: try await app.makeUser(.merchantOwner, merchant: merchant))
            let cashier = try await app.makeUser(
                .storeStaff, merchant: merchant, store: try await app.makeStore(of: merchant), email: "cashier@shop.test")
            let token = try await Self.signIn(app, "cashier@shop.test")
            let listed = try await app.send(.GET, "/api/v1/merchants/users/\(cashier.id!)/sessions", token: owner)
            #expect(listed.status == .ok)
            let session = try #require(try listed.json["items"]?[0]?["id"]?.string)
            #expect(try listed.json["items"]?[0]?["current"]?.bool == false)
            let revoked = try await app.send(.DELETE, "/api/v1/merchants/users/\(cashier.id!)/sessions/\(session)", token: owner)
            #expect(revoked.status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: token).status == .unauthorized)
        }
    }

    @Test func anOwnerClearsALoginLockAndOnlyThatAccountsCounters() async throws {
        try await withTestApp(adjust: { $0.rateLimits = .init(window: 900, loginPerAccount: 2) }) { app, _ in
            let merchant = try await app.makeMerchant()
            let owner = try await app.token(for: try await app.makeUser(.merchantOwner, merchant: merchant))
            let cashier = try await app.makeUser(
                .storeStaff, merchant: merchant, store: try await app.makeStore(of: merchant), email: "cashier@shop.test")
            for _ in 0..<2 { #expect(try await Self.login(app, "cashier@shop.test", "wrong-password-1").status == .unauthorized) }
            for _ in 0..<2 { #expect(try await Self.login(app, "cashier@shop.test.other", "wrong-password-1").status == .unauthorized) }
            #expect(try await Self.login(app, "cashier@shop.test").status == .tooManyRequests)

            let cleared = try await app.send(.DELETE, "/api/v1/merchants/users/\(cashier.id!)/login-lock", token: owner)
            #expect(cleared.status == .noContent)
            #expect(try await Self.login(app, "cashier@shop.test").status == .ok)
            // Another account's counters stay, however alike its address.
            #expect(try await Self.login(app, "cashier@shop.test.other", "wrong-password-1").status == .tooManyRequests)
        }
    }
}
