import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import Vapor

/// `loyalty demo`: a merchant with two stores in two towns, its staff and customers, to try
/// the product at once. Running it again changes nothing and prints the logins again.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Loads demo data (a merchant, two stores, staff, customers) and prints how to sign in." }

    static let password = "demo-password"
    static let merchantEmail = "hello@lumiere.demo.test"

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let created = try await Self.load(on: app.db, hashing: app.passwordHashing)
        context.console.print(created ? "Demo data loaded." : "Demo data was already there; nothing changed.")
        context.console.print(
            """

            Start the server with `swift run loyalty serve` and sign in with POST /api/v1/auth/login.
            Every demo account has the password "\(Self.password)":

              admin@demo.test          platform admin
              owner@demo.test          owner of Café Lumière (send X-Store-Id on store endpoints)
              manager.lux@demo.test    manager, store LUMIERE-LUX (Luxembourg)
              cashier.lux@demo.test    cashier, store LUMIERE-LUX
              manager.esch@demo.test   manager, store LUMIERE-ESCH (Esch-sur-Alzette)
              cashier.esch@demo.test   cashier, store LUMIERE-ESCH

            Customers may register at POST /api/v1/storefront/auth/register with "store_code": "LUMIERE-LUX".
            The API is described at /openapi.json.
            """)
    }

    /// Creates the demo data unless it exists; returns whether it created it.
    static func load(on database: any Database, hashing: PasswordHashing) async throws -> Bool {
        if try await MerchantModel.query(on: database).filter(\.$contactEmail == merchantEmail).first() != nil {
            return false
        }
        let passwordHash = try await hashing.hash(password)
        try await database.transaction { db in
            let merchant = MerchantModel(name: "Café Lumière", contactEmail: merchantEmail)
            try await merchant.create(on: db)
            let merchantID = try merchant.requireID()

            let luxembourg = StoreModel(merchantID: merchantID, name: "Café Lumière Gare", code: "LUMIERE-LUX", timezone: "Europe/Luxembourg")
            luxembourg.addressLine1 = "12 Avenue de la Gare"
            luxembourg.postalCode = "L-1611"
            luxembourg.city = "Luxembourg"
            luxembourg.country = "LU"
            let esch = StoreModel(merchantID: merchantID, name: "Café Lumière Esch", code: "LUMIERE-ESCH", timezone: "Europe/Luxembourg")
            esch.addressLine1 = "45 Rue de l'Alzette"
            esch.postalCode = "L-4011"
            esch.city = "Esch-sur-Alzette"
            esch.country = "LU"
            try await luxembourg.create(on: db)
            try await esch.create(on: db)

            let accounts: [(String, String, Role, UUID?, UUID?)] = [
                ("admin@demo.test", "Platform Admin", .platformAdmin, nil, nil),
                ("owner@demo.test", "Léa Muller", .merchantOwner, merchantID, nil),
                ("manager.lux@demo.test", "Marc Weber", .storeManager, merchantID, try luxembourg.requireID()),
                ("cashier.lux@demo.test", "Sophie Schmit", .storeStaff, merchantID, try luxembourg.requireID()),
                ("manager.esch@demo.test", "Paulo Ferreira", .storeManager, merchantID, try esch.requireID()),
                ("cashier.esch@demo.test", "Anna Hoffmann", .storeStaff, merchantID, try esch.requireID()),
            ]
            for (email, name, role, merchant, store) in accounts {
                // The admin may exist already (created with create-admin); keep theirs.
                if role == .platformAdmin, try await UserModel.query(on: db).filter(\.$email == email).first() != nil {
                    continue
                }
                try await UserModel(
                    email: email, passwordHash: passwordHash, name: name, role: role, merchantID: merchant, storeID: store
                ).create(on: db)
            }

            let customers: [(String, String?, String?, CustomerLocale)] = [
                ("Claire Dupont", "claire@example.com", "+352 621 123 456", .french),
                ("Jean Reuter", "jean@example.com", nil, .luxembourgish),
                ("Maria Costa", nil, "+352 691 987 654", .english),
                ("Thomas Becker", "thomas@example.com", nil, .german),
            ]
            for (name, email, phone, locale) in customers {
                try await CustomerModel(merchantID: merchantID, name: name, email: email, phone: phone, birthday: nil, locale: locale)
                    .create(on: db)
            }
        }
        return true
    }
}
