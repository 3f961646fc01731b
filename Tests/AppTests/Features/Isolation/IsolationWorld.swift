import Fluent
import Foundation
import LoyaltyCore
import SQLKit
import Testing
import Vapor

@testable import App

/// Two merchants, each with two stores, staff, a program, a customer with an account and a
/// card with history: the cast of the isolation matrix.
struct IsolationWorld {
    struct Tenant {
        let merchant: MerchantModel
        let store1: StoreModel
        let store2: StoreModel
        let owner: UserModel
        let manager1: UserModel
        let cashier1: UserModel
        let cashier2: UserModel
        let customer: CustomerModel
        let program: ProgramModel
        let reward: RewardModel
        let card: CardModel
        let pin: StaffPinModel
        let transactionID: UUID
        /// A live session of `cashier1`.
        let cashierSession: UUID

        /// Strings that must never appear in an answer to another tenant.
        var secrets: [String] {
            [merchant.id, store1.id, store2.id, owner.id, customer.id, program.id, card.id, pin.id, transactionID]
                .compactMap { $0?.uuidString } + [
                    card.cardNumber, card.qrToken, card.appleSerialNumber, card.appleAuthToken, owner.email, customer.email ?? "-",
                ]
        }
    }

    let admin: UserModel
    let a: Tenant
    let b: Tenant

    static func make(in app: Application) async throws -> IsolationWorld {
        func tenant(_ name: String) async throws -> Tenant {
            let merchant = try await app.makeMerchant(name)
            let store1 = try await app.makeStore(of: merchant)
            let store2 = try await app.makeStore(of: merchant)
            let program = try await app.makeProgram(
                for: merchant,
                rules: ProgramRules(loyaltyType: .hybrid, stampsTarget: 3, stampsRewardDescription: "Coffee", cooldownMinutes: 0, maxDailyStamps: 100),
                rewards: [("Tea", 10)])
            let customer = try await app.makeCustomer(of: merchant, email: "customer-\(name.lowercased())@example.com")
            customer.passwordHash = try await app.passwordHashing.hash(Application.fixturePassword)
            try await customer.save(on: app.db)
            let card = try await app.makeCard(for: customer, program: program, store: store1)
            let pin = try await app.makePin("4826", in: store1)
            let cashier1 = try await app.makeUser(.storeStaff, merchant: merchant, store: store1)
            _ = try await app.token(for: cashier1)
            let cashierSession = try #require(
                try await AccessTokenModel.query(on: app.db).filter(\.$user.$id == cashier1.requireID()).first()?.id)
            let counterStore = try StoreContext(store1)
            let runner = CardOperationRunner(
                database: app.db, writeGate: app.writeGate, pins: PinVerifier(hasher: app.pinHasher, maxAttempts: 5, lockout: 1_800), now: app.clock)
            let stamp = try await StampService(runner: runner).addStamp(
                card: .id(try card.requireID()), notes: nil, store: counterStore,
                by: OperatorContext(staffPin: "4826", userID: try cashier1.requireID()), idempotency: nil)
            guard case .performed(let receipt) = stamp else { throw TestSetupError("fixture stamp was not performed") }
            return Tenant(
                merchant: merchant, store1: store1, store2: store2,
                owner: try await app.makeUser(.merchantOwner, merchant: merchant),
                manager1: try await app.makeUser(.storeManager, merchant: merchant, store: store1),
                cashier1: cashier1,
                cashier2: try await app.makeUser(.storeStaff, merchant: merchant, store: store2),
                customer: customer, program: program,
                reward: try #require(try await RewardModel.query(on: app.db).filter(\.$program.$id == program.requireID()).first()),
                card: try await CardModel.find(card.requireID(), on: app.db) ?? card, pin: pin, transactionID: receipt.transactionId,
                cashierSession: cashierSession)
        }
        return IsolationWorld(admin: try await app.makeUser(.platformAdmin), a: try await tenant("A"), b: try await tenant("B"))
    }

    /// What a tenant's own data looks like; compared before and after another tenant's call.
    struct Snapshot: Equatable {
        let cards: [String]
        let ledgerRows: Int
        let program: String
        let pins: [String]
        let stores: Int
        let users: [String]
        let settings: String
        let sessions: Int
    }

    func snapshot(of tenant: Tenant, on db: any Database) async throws -> Snapshot {
        let merchantID = try tenant.merchant.requireID()
        let cards = try await CardModel.query(on: db).filter(\.$merchant.$id == merchantID).sort(\.$id).all()
            .map { "\($0.id!)|\($0.stampCount)|\($0.pointsBalance)|\($0.entryCount)|\($0.isActive)" }
        let program = try await ProgramModel.query(on: db).filter(\.$merchant.$id == merchantID).first()
            .map { "\($0.isActive)|\($0.stampsTarget)|\($0.cooldownMinutes)|\($0.pointsPerEuro)|\($0.cardColor ?? "")" } ?? "none"
        let pins = try await StaffPinModel.query(on: db).filter(\.$merchant.$id == merchantID).sort(\.$id).all()
            .map { "\($0.id!)|\($0.name)|\($0.pinHash)|\($0.failedAttempts)|\($0.isActive)" }
        let settings = try await MerchantSettingsModel.find(merchantID, on: db).map { "\($0.settings)" } ?? "default"
        // Live sessions of the tenant's staff: another tenant's call must not end them.
        let userIDs = try await UserModel.query(on: db).filter(\.$merchant.$id == merchantID).all().compactMap(\.id)
        let sessions = try await AccessTokenModel.query(on: db)
            .filter(\.$user.$id ~~ userIDs.map { Optional($0) }).filter(\.$revokedAt == nil).count()
        return Snapshot(
            cards: cards, ledgerRows: try await TransactionModel.query(on: db).filter(\.$merchant.$id == merchantID).count(),
            program: program, pins: pins, stores: try await StoreModel.query(on: db).filter(\.$merchant.$id == merchantID).count(),
            users: try await UserModel.query(on: db).filter(\.$merchant.$id == merchantID).sort(\.$id).all()
                .map { "\($0.id!)|\($0.isActive)|\($0.passwordHash)" },
            settings: settings, sessions: sessions)
    }
}
