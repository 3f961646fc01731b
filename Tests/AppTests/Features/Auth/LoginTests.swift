import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct LoginTests {
    @Test func staffSignInReturnsATokenThatIdentifiesThem() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant()
            let store = try await app.makeStore(of: merchant)
            let cashier = try await app.makeUser(.storeStaff, merchant: merchant, store: store, email: "cashier@shop.test")

            let login = try await app.send(
                .POST, "/api/v1/auth/login", json: ["email": "Cashier@Shop.test", "password": .string(Application.fixturePassword)])
            #expect(login.status == .ok)
            let body = try login.json
            #expect(body["token_type"]?.string == "bearer")
            #expect(body["expires_at"]?.string != nil)
            #expect(body["user"]?["role"]?.string == "store_staff")
            #expect(body["user"]?["store_id"]?.uuid == store.id)
            #expect(body["user"]?["merchant_id"]?.uuid == merchant.id)
            let token = try #require(body["access_token"]?.string)

            let me = try await app.send(.GET, "/api/v1/auth/me", token: token)
            #expect(me.status == .ok)
            #expect(try me.json["id"]?.uuid == cashier.id)
            #expect(try me.json["email"]?.string == "cashier@shop.test")
        }
    }

    @Test func tokensAreStoredOnlyAsHashes() async throws {
        try await withTestApp { app, _ in
            let admin = try await app.makeUser(.platformAdmin, email: "root@platform.test")
            let login = try await app.send(
                .POST, "/api/v1/auth/login", json: ["email": "root@platform.test", "password": .string(Application.fixturePassword)])
            let token = try #require(try login.json["access_token"]?.string)
            let stored = try await AccessTokenModel.query(on: app.db).filter(\.$user.$id == admin.requireID()).all()
            #expect(stored.count == 1)
            #expect(stored.allSatisfy { $0.tokenHash != token && $0.tokenHash == TokenService.hash(token) })
        }
    }

    @Test(arguments: [("known@shop.test", "wrong-password-1"), ("unknown@shop.test", Application.fixturePassword)])
    func wrongPasswordAndUnknownAccountGetTheSameAnswer(email: String, password: String) async throws {
        try await withTestApp { app, _ in
            _ = try await app.makeUser(.platformAdmin, email: "known@shop.test")
            let response = try await app.send(.POST, "/api/v1/auth/login", json: ["email": .string(email), "password": .string(password)])
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "unauthenticated")
            #expect(try response.json["error"]?["message"]?.string == "The e-mail address or password is wrong.")
            #expect(try await AccessTokenModel.query(on: app.db).count() == 0)
        }
    }

    @Test func missingFieldsAreAllNamed() async throws {
        try await withTestApp { app, _ in
            let response = try await app.send(.POST, "/api/v1/auth/login", json: [:])
            #expect(response.status == .unprocessableEntity)
            #expect(response.errorCode == "validation_failed")
            let fields = try response.json["error"]?["details"]?["fields"]
            #expect(fields?["email"]?.string == "is required")
            #expect(fields?["password"]?.string == "is required")
        }
    }

    @Test func logoutRevokesTheToken() async throws {
        try await withTestApp { app, _ in
            let token = try await app.token(for: try await app.makeUser(.platformAdmin))
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: token).status == .ok)
            #expect(try await app.send(.POST, "/api/v1/auth/logout", token: token).status == .noContent)
            let after = try await app.send(.GET, "/api/v1/auth/me", token: token)
            #expect(after.status == .unauthorized)
            #expect(after.errorCode == "unauthenticated")
        }
    }

    @Test func expiredTokensAreRefused() async throws {
        try await withTestApp { app, clock in
            let token = try await app.token(for: try await app.makeUser(.platformAdmin), lifetime: 3_600)
            clock.advance(by: 3_599)
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: token).status == .ok)
            clock.advance(by: 2)
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: token).errorCode == "unauthenticated")
        }
    }

    @Test func deactivatedAccountsCanNeitherSignInNorUseTheirTokens() async throws {
        try await withTestApp { app, _ in
            let user = try await app.makeUser(.platformAdmin, email: "gone@platform.test")
            let token = try await app.token(for: user)
            user.isActive = false
            try await user.save(on: app.db)
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: token).status == .unauthorized)
            let login = try await app.send(
                .POST, "/api/v1/auth/login", json: ["email": "gone@platform.test", "password": .string(Application.fixturePassword)])
            // Whoever knows the password is told why; a guesser gets the usual answer.
            #expect(login.status == .forbidden)
            #expect(login.errorCode == "account_deactivated")
            let guess = try await app.send(
                .POST, "/api/v1/auth/login", json: ["email": "gone@platform.test", "password": "wrong-password-1"])
            #expect(guess.status == .unauthorized)
            #expect(guess.errorCode == "unauthenticated")
        }
    }

    @Test(arguments: ["", "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz"])
    func missingOrMalformedTokensAreUnauthenticated(_ authorization: String) async throws {
        try await withTestApp { app, _ in
            let headers: HTTPHeaders = authorization.isEmpty ? [:] : ["Authorization": authorization]
            let response = try await app.send(.GET, "/api/v1/auth/me", headers: headers)
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "unauthenticated")
        }
    }

    @Test func customerTokensDoNotOpenStaffEndpoints() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant()
            let customerToken = try await app.token(for: try await app.makeCustomer(of: merchant))
            #expect(try await app.send(.GET, "/api/v1/auth/me", token: customerToken).status == .unauthorized)
            #expect(try await app.send(.GET, "/api/v1/admin/merchants", token: customerToken).status == .unauthorized)
        }
    }
}
