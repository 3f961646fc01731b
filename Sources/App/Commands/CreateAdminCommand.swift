import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import Vapor

/// `loyalty create-admin --email E --password P`: the first platform admin comes from here,
/// never from an HTTP endpoint.
struct CreateAdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "E-mail address to sign in with")
        var email: String?
        @Option(name: "password", help: "Password (at least 10 characters)")
        var password: String?
    }

    var help: String { "Creates a platform admin account." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let admin = try await Self.createAdmin(
            email: signature.email, password: signature.password, on: app.db, hashing: app.passwordHashing)
        context.console.print("Created platform admin \(admin.email) (\(admin.id?.uuidString ?? "")).")
    }

    /// Checks the input and creates the account; throws a message naming what is wrong.
    static func createAdmin(
        email: String?,
        password: String?,
        on database: any Database,
        hashing: PasswordHashing
    ) async throws -> UserModel {
        var errors = FieldErrors()
        let email = errors.requiredText(email, "email", FieldRules.email).lowercased()
        let password = errors.requiredText(password, "password", FieldRules.password)
        guard errors.fields.isEmpty else {
            throw ConfigError(errors.fields.sorted { $0.key < $1.key }.map { "--\($0.key) \($0.value)" }.joined(separator: "; "))
        }
        let user = UserModel(
            email: email, passwordHash: try await hashing.hash(password), name: nil, role: .platformAdmin,
            merchantID: nil, storeID: nil)
        do {
            try await user.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw ConfigError("an account with the e-mail address \(email) already exists")
        }
        return user
    }
}
