import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor

@testable import App

@Suite struct CommandTests {
    @Test func createAdminMakesAPlatformAdminOnce() async throws {
        try await withTestApp { app, _ in
            let admin = try await CreateAdminCommand.createAdmin(
                email: "Root@Example.com", password: "correct-horse-battery", on: app.db, hashing: app.passwordHashing)
            #expect(admin.role == .platformAdmin)
            #expect(admin.email == "root@example.com")
            await #expect(throws: ConfigError.self) {
                try await CreateAdminCommand.createAdmin(
                    email: "root@example.com", password: "correct-horse-battery", on: app.db, hashing: app.passwordHashing)
            }
            await #expect(throws: ConfigError.self) {
                try await CreateAdminCommand.createAdmin(email: "x@example.com", password: "short", on: app.db, hashing: app.passwordHashing)
            }
            #expect(try await UserModel.query(on: app.db).count() == 1)
        }
    }

    @Test func demoDataLoadsOnceWithTwoStoresInTwoTowns() async throws {
        try await withTestApp { app, _ in
            #expect(try await DemoCommand.load(on: app.db, hashing: app.passwordHashing, pinHasher: app.pinHasher))
            #expect(try await DemoCommand.load(on: app.db, hashing: app.passwordHashing, pinHasher: app.pinHasher) == false)
            let stores = try await StoreModel.query(on: app.db).all()
            #expect(Set(stores.compactMap(\.city)) == ["Luxembourg", "Esch-sur-Alzette"])
            #expect(try await UserModel.query(on: app.db).count() == 6)
            #expect(try await CustomerModel.query(on: app.db).count() == 4)
            let login = try await app.send(.POST, "/api/v1/auth/login", json: ["email": "cashier.esch@demo.test", "password": "demo-password"])
            #expect(try login.json["user"]?["role"]?.string == "store_staff")
        }
    }
}
