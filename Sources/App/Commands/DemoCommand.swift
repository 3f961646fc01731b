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

    /// The demo's staff accounts (all with `password`); the sign-in page lists them in development.
    static let staffAccounts: [(email: String, name: String, role: Role, storeCode: String?)] = [
        ("admin@demo.test", "Platform Admin", .platformAdmin, nil),
        ("owner@demo.test", "Léa Muller", .merchantOwner, nil),
        ("manager.lux@demo.test", "Marc Weber", .storeManager, "LUMIERE-LUX"),
        ("cashier.lux@demo.test", "Sophie Schmit", .storeStaff, "LUMIERE-LUX"),
        ("manager.esch@demo.test", "Paulo Ferreira", .storeManager, "LUMIERE-ESCH"),
        ("cashier.esch@demo.test", "Anna Hoffmann", .storeStaff, "LUMIERE-ESCH"),
    ]

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try Self.refuseInProduction(app.config)
        try await app.autoMigrate()
        let created = try await Self.load(on: app.db, hashing: app.passwordHashing, pinHasher: app.pinHasher)
        context.console.print(created ? "Demo data loaded." : "Demo data was already there; nothing changed.")
        context.console.print(
            """

            Start the server with `swift run loyalty serve` and open http://\(app.config.hostname):\(app.config.port)/login
            (the sign-in page lists these accounts), or sign in to the API with POST /api/v1/auth/login.
            Every demo account has the password "\(Self.password)":

              admin@demo.test          platform admin
              owner@demo.test          owner of Café Lumière (send X-Store-Id on store endpoints)
              manager.lux@demo.test    manager, store LUMIERE-LUX (Luxembourg)
              cashier.lux@demo.test    cashier, store LUMIERE-LUX
              manager.esch@demo.test   manager, store LUMIERE-ESCH (Esch-sur-Alzette)
              cashier.esch@demo.test   cashier, store LUMIERE-ESCH

            Program: hybrid, 10 stamps for a free coffee, 10 points per euro, rewards from 100 points.
            Staff PINs: Sophie (LUMIERE-LUX) 4826, Marc (LUMIERE-LUX) 5173,
                        Anna (LUMIERE-ESCH) 7391, Paulo (LUMIERE-ESCH) 6284.
            Every demo customer has a card; find them with GET /api/v1/store/loyalty/cards.

            Customers enroll at /enroll/LUMIERE-LUX (the poster's QR code leads there), or register at
            POST /api/v1/storefront/auth/register with "store_code": "LUMIERE-LUX".
            The API is described at /openapi.json.
            """)
    }

    /// The demo's accounts share a published password: a production database must never get them.
    static func refuseInProduction(_ config: AppConfig) throws {
        guard !config.isProduction else {
            throw ConfigError(
                "loyalty demo refuses to run with --env production: it creates accounts whose password is published. "
                    + "Create the first platform admin with `loyalty create-admin` instead.")
        }
    }

    /// Creates the demo data unless it exists; returns whether it created it.
    static func load(on database: any Database, hashing: PasswordHashing, pinHasher: PinHasher) async throws -> Bool {
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

            let storeIDs = [luxembourg.code: try luxembourg.requireID(), esch.code: try esch.requireID()]
            for account in staffAccounts {
                let (email, name, role) = (account.email, account.name, account.role)
                let merchant = role == .platformAdmin ? nil : merchantID
                let store = account.storeCode.flatMap { storeIDs[$0] }
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
            let program = ProgramModel()
            program.$merchant.id = merchantID
            program.isActive = true
            program.rules = ProgramRules(
                loyaltyType: .hybrid, stampsTarget: 10, stampsRewardDescription: "Buy 10 coffees, get 1 free", pointsPerEuro: 10,
                cooldownMinutes: 15, maxDailyStamps: 5, requireStaffPin: true)
            program.cardName = "Café Lumière"
            program.cardColor = "#7C2D12"
            try await program.create(on: db)
            for (name, cost) in [("Espresso", 100), ("Croissant", 150), ("Lunch menu", 800)] {
                try await RewardModel(programID: try program.requireID(), name: name, pointsCost: cost, isActive: true).create(on: db)
            }

            let pins: [(String, String, StoreModel)] = [
                ("Sophie", "4826", luxembourg), ("Marc", "5173", luxembourg), ("Anna", "7391", esch), ("Paulo", "6284", esch),
            ]
            for (name, pin, store) in pins {
                try await StaffPinModel(
                    merchantID: merchantID, storeID: try store.requireID(), userID: nil, name: name,
                    pinHash: pinHasher.hash(pin: pin, merchantID: merchantID)
                ).create(on: db)
            }

            var generator = SystemRandomNumberGenerator()
            for (name, email, phone, locale) in customers {
                let customer = CustomerModel(merchantID: merchantID, name: name, email: email, phone: phone, birthday: nil, locale: locale)
                try await customer.create(on: db)
                try await CardModel(
                    merchantID: merchantID, customerID: try customer.requireID(), programID: try program.requireID(),
                    storeID: try luxembourg.requireID(), cardNumber: .random(using: &generator), qrToken: CardService.newQRToken()
                ).createCounted(on: db)
            }
        }
        return true
    }
}
