import Fluent
import Foundation
import LoyaltyCore
import Vapor
import VaporTesting

@testable import App

/// A merchant with a program, one store, a cashier with a PIN and a card: the counter, ready.
struct Counter {
    let merchant: MerchantModel
    let store: StoreModel
    let program: ProgramModel
    let owner: UserModel
    let cashier: UserModel
    let cashierToken: String
    let ownerToken: String
    let pin: StaffPinModel
    let card: CardModel
    static let pinCode = "4826"

    var cardID: UUID { card.id! }
    var storeHeader: HTTPHeaders { ["X-Store-Id": store.id!.uuidString] }

    static func make(
        in app: Application,
        rules: ProgramRules = ProgramRules(
            loyaltyType: .hybrid, stampsTarget: 3, stampsRewardDescription: "Free coffee", pointsPerEuro: 10, cooldownMinutes: 15,
            maxDailyStamps: 5, requireStaffPin: true),
        rewards: [(String, Int)] = [("Croissant", 150)]
    ) async throws -> Counter {
        let merchant = try await app.makeMerchant()
        let store = try await app.makeStore(of: merchant)
        let program = try await app.makeProgram(for: merchant, rules: rules, rewards: rewards)
        let cashier = try await app.makeUser(.storeStaff, merchant: merchant, store: store)
        let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
        let pin = try await app.makePin(Self.pinCode, in: store, name: "Sophie")
        let card = try await app.makeCard(for: try await app.makeCustomer(of: merchant), program: program, store: store)
        return Counter(
            merchant: merchant, store: store, program: program, owner: owner, cashier: cashier,
            cashierToken: try await app.token(for: cashier), ownerToken: try await app.token(for: owner), pin: pin, card: card)
    }
}

extension Application {
    func makeProgram(for merchant: MerchantModel, rules: ProgramRules, rewards: [(String, Int)] = []) async throws -> ProgramModel {
        let program = ProgramModel()
        program.$merchant.id = try merchant.requireID()
        program.isActive = true
        program.rules = rules
        try await program.create(on: db)
        for (name, cost) in rewards {
            try await RewardModel(programID: try program.requireID(), name: name, pointsCost: cost, isActive: true).create(on: db)
        }
        return program
    }

    func makePin(_ pin: String, in store: StoreModel, name: String = "Staff") async throws -> StaffPinModel {
        let model = StaffPinModel(
            merchantID: store.$merchant.id, storeID: try store.requireID(), userID: nil, name: name,
            pinHash: pinHasher.hash(pin: pin, merchantID: store.$merchant.id))
        try await model.create(on: db)
        return model
    }

    func makeCard(for customer: CustomerModel, program: ProgramModel, store: StoreModel) async throws -> CardModel {
        var generator = SystemRandomNumberGenerator()
        let card = CardModel(
            merchantID: customer.$merchant.id, customerID: try customer.requireID(), programID: try program.requireID(),
            storeID: try store.requireID(), cardNumber: .random(using: &generator), qrToken: CardService.newQRToken())
        try await card.createCounted(on: db)
        return card
    }

    /// A store endpoint called as `counter`'s cashier.
    func counterRequest(
        _ counter: Counter,
        _ method: HTTPMethod,
        _ path: String,
        json: [String: JSONValue]? = nil,
        token: String? = nil,
        idempotencyKey: String? = nil
    ) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = [:]
        if let idempotencyKey { headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if token == counter.ownerToken { headers.add(contentsOf: counter.storeHeader) }
        return try await send(method, "/api/v1/store/loyalty" + path, token: token ?? counter.cashierToken, headers: headers, json: json)
    }

    /// `POST /stamp` on the counter's card with the cashier's PIN.
    func stamp(_ counter: Counter, idempotencyKey: String? = nil, pin: String = Counter.pinCode) async throws -> TestingHTTPResponse {
        try await counterRequest(
            counter, .POST, "/stamp", json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": .string(pin)],
            idempotencyKey: idempotencyKey)
    }

    func reloadCard(_ counter: Counter) async throws -> CardModel {
        guard let card = try await CardModel.find(counter.cardID, on: db) else { throw TestSetupError("card vanished") }
        return card
    }

    func ledgerRows(of counter: Counter) async throws -> [TransactionModel] {
        try await TransactionModel.query(on: db).filter(\.$card.$id == counter.cardID).sort(\.$sequence).all()
    }
}
