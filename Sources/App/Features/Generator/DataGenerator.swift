import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// The bulk path of `loyalty generate`: merchants with their programs, rewards, stores, staff
/// and PINs through the models, then customers, cards and ledger rows in multi-row inserts,
/// a chunk of cards per transaction, so 10 million rows take minutes instead of days
/// (docs/decisions/0031-data-generator.md).
///
/// The rows are those the write path would write: `CardHistorySimulator` plays each card
/// through the `LoyaltyCore` rules and chains every row as `CardOperation.record` does, and the
/// card gets the balances, counters and last hash of its last row, so `verify-ledger` accepts
/// the result. Memory stays flat: a chunk of cards is generated, written and dropped; only the
/// analytics rollups (a few rows per store, staff member and day) are kept until the end.
struct DataGenerator {
    let database: any Database
    let plan: GenerationPlan
    let seed: UInt64
    /// The last instant rows may have.
    let end: Date
    let passwordHash: String
    let pinHasher: PinHasher
    let progress: GeneratorProgress

    static let password = "generate-password"
    static let adminEmail = "admin@generate.test"
    /// The PIN of a store's manager (offset 0) or cashier (1): unique within the merchant, as
    /// PINs must be (store 2's cashier: 4827).
    static func pin(store: Int, offset: Int) -> String { String(4_826 + store * 10 - 10 + offset) }

    struct Summary {
        var merchants = 0
        var cards = 0
        var rows = 0
        var ownerEmails: [String] = []
    }

    private struct Merchant {
        let id: UUID
        let index: Int
        let programID: UUID
        let rules: ProgramRules
        let rewards: [(id: UUID, cost: Int)]
        let stores: [SimulatedStore]
    }

    /// Writes everything; `firstIndex` numbers the merchants after those already there
    /// (`--append`), so their e-mails and store codes do not collide.
    func run(firstIndex: Int) async throws -> Summary {
        var rng = SeededGenerator(seed: seed &+ UInt64(firstIndex) &* 0x9E37_79B9)
        var summary = Summary()
        progress.start(phase: "merchants", total: plan.merchants)
        var merchants: [Merchant] = []
        for offset in 0..<plan.merchants {
            merchants.append(try await createMerchant(index: firstIndex + offset, using: &rng))
            summary.ownerEmails.append(Self.ownerEmail(firstIndex + offset))
            progress.advance(by: 1)
        }
        summary.merchants = merchants.count
        progress.finish()

        // The analytics rollups, summed from the rows as they are made (decision 0034).
        var rollups = try await RollupBuilder.loading(from: database)
        progress.start(phase: "cards and ledger rows", total: plan.transactions, unit: "rows")
        var cardIndex = 0
        var assigned = 0
        // The previous chunk is written while the next one is simulated: the database works on
        // its own thread, so on two cores the two overlap.
        var writing: Task<Void, any Error>?
        for (offset, merchant) in merchants.enumerated() {
            let simulator = CardHistorySimulator(
                rules: merchant.rules, rewards: merchant.rewards, stores: merchant.stores, end: end, hash: LedgerHashing.sha256Hex)
            var left = plan.cards(ofMerchant: offset)
            var customerNumber = 0
            while left > 0 {
                // A chunk holds at most ~20 000 rows, however the rows fall on its cards.
                var chunk: [(card: SimulatedCard, id: UUID, number: Int)] = []
                var chunkRows = 0
                while left > 0, chunk.count < 500, chunkRows < 20_000 {
                    let rows = plan.rows(forCard: cardIndex, assignedSoFar: assigned, using: &rng)
                    let id = UUID.generated(using: &rng)
                    let card = simulator.simulate(cardID: id, rowCount: rows, using: &rng)
                    chunk.append((card, id, customerNumber))
                    chunkRows += rows
                    assigned += rows
                    cardIndex += 1
                    customerNumber += 1
                    left -= 1
                }
                let prepared = prepare(chunk, of: merchant, rollups: &rollups, using: &rng)
                try await writing?.value
                writing = Task { [database] in try await prepared.insert(on: database) }
                summary.cards += chunk.count
                summary.rows += chunkRows
                progress.advance(by: chunkRows)
            }
        }
        try await writing?.value
        progress.finish()

        progress.start(phase: "analytics rollups", total: rollups.keyCount, unit: "rows")
        let summed = rollups
        try await database.transaction { [progress] db in try await summed.write(on: db) { progress.advance(by: $0) } }
        progress.finish()
        return summary
    }

    static func ownerEmail(_ index: Int) -> String { "owner@m\(index + 1).generate.test" }

    // MARK: Merchants

    private func createMerchant(index: Int, using rng: inout SeededGenerator) async throws -> Merchant {
        let number = index + 1
        let kinds: [LoyaltyType] = [.stamps, .points, .hybrid]
        let type = kinds[index % kinds.count]
        let rules = ProgramRules(
            loyaltyType: type, stampsTarget: [8, 10, 12][index % 3], stampsRewardDescription: "A free coffee",
            pointsPerEuro: 10, cooldownMinutes: 15, maxDailyStamps: 5, requireStaffPin: true,
            pointsExpirationDays: type.collectsPoints && (index / 3) % 2 == 0 ? 180 : nil)
        let merchantID = UUID.generated(using: &rng)
        let programID = UUID.generated(using: &rng)
        var rewards: [(id: UUID, cost: Int)] = []
        var stores: [SimulatedStore] = []
        let towns = ["Luxembourg", "Esch-sur-Alzette", "Differdange", "Dudelange", "Ettelbruck"]
        // Built first (their ids follow the seed), then written in one transaction.
        var models: [any Model] = [
            MerchantModel(id: merchantID, name: "Generated Merchant \(number)", contactEmail: "hello@m\(number).generate.test"),
            UserModel(
                email: Self.ownerEmail(index), passwordHash: passwordHash, name: "Owner \(number)", role: .merchantOwner,
                merchantID: merchantID, storeID: nil),
        ]
        let program = ProgramModel()
        program.id = programID
        program.$merchant.id = merchantID
        program.isActive = true
        program.rules = rules
        program.cardName = "Generated \(number)"
        program.cardColor = "#1E3A8A"
        models.append(program)
        for (name, cost) in [("Espresso", 100), ("Pastry", 250), ("Lunch menu", 600)] {
            let reward = RewardModel(programID: programID, name: name, pointsCost: cost, isActive: true)
            let id = UUID.generated(using: &rng)
            reward.id = id
            models.append(reward)
            rewards.append((id, cost))
        }
        for storeNumber in 1...(2 + index % 2) {
            let town = towns[(index + storeNumber) % towns.count]
            let store = StoreModel(merchantID: merchantID, name: "Generated \(number) · \(town)", code: "GEN\(number)-\(storeNumber)", timezone: "Europe/Luxembourg")
            let storeID = UUID.generated(using: &rng)
            store.id = storeID
            store.city = town
            store.country = "LU"
            models.append(store)
            var userIDs: [UUID] = []
            for (role, label) in [(Role.storeManager, "manager"), (Role.storeStaff, "cashier")] {
                let user = UserModel(
                    email: "\(label)\(storeNumber)@m\(number).generate.test", passwordHash: passwordHash,
                    name: "\(label.capitalized) \(number)-\(storeNumber)", role: role, merchantID: merchantID, storeID: storeID)
                let id = UUID.generated(using: &rng)
                user.id = id
                models.append(user)
                userIDs.append(id)
            }
            var pinIDs: [UUID] = []
            for offset in 0..<2 {
                let pin = Self.pin(store: storeNumber, offset: offset)
                let staffPin = StaffPinModel(
                    merchantID: merchantID, storeID: storeID, userID: userIDs[offset], name: "Staff \(number)-\(storeNumber)-\(offset + 1)",
                    pinHash: pinHasher.hash(pin: pin, merchantID: merchantID))
                let id = UUID.generated(using: &rng)
                staffPin.id = id
                models.append(staffPin)
                pinIDs.append(id)
            }
            stores.append(SimulatedStore(id: storeID, timeZone: TimeZone(identifier: store.timezone) ?? .gmt, pinIDs: pinIDs, userIDs: userIDs))
        }
        let ordered = models
        try await database.transaction { db in
            for model in ordered { try await model.create(on: db) }
        }
        return Merchant(id: merchantID, index: index, programID: programID, rules: rules, rewards: rewards, stores: stores)
    }

    // MARK: Cards and rows

    private static let firstNames = ["Claire", "Jean", "Maria", "Thomas", "Léa", "Marc", "Sophie", "Paulo", "Anna", "Luc", "Nora", "Tom"]
    private static let lastNames = ["Dupont", "Reuter", "Costa", "Becker", "Muller", "Weber", "Schmit", "Ferreira", "Hoffmann", "Wagner"]

    /// A chunk's customers, cards and rows, built with their random choices, ready to insert.
    private struct PreparedChunk: Sendable {
        let merchantID: UUID
        let customers: [CustomerModel]
        let cards: [CardModel]
        let rows: [SimulatedRow]

        /// One transaction: the chunk is there whole or not at all.
        func insert(on database: any Database) async throws {
            try await database.transaction { db in
                let sql = db.sql
                if sql.dialect.name == "sqlite" {
                    // Per connection, for the load only: with SQLite's 2 MB page cache and a
                    // checkpoint every 1,000 pages, writing 10 million rows was mostly re-reading
                    // index pages and copying the WAL back (a release profile: 70 % in SQLite,
                    // 55 % in pread/pwrite). 1 GiB of cache and rarer checkpoints keep it in memory.
                    try await sql.raw("PRAGMA cache_size = -1048576").run()
                    try await sql.raw("PRAGMA wal_autocheckpoint = 50000").run()
                }
                for batch in customers.chunked(by: 500) {
                    try await sql.insert(into: CustomerModel.schema).fluentModels(batch).run()
                }
                for batch in cards.chunked(by: 500) {
                    try await sql.insert(into: CardModel.schema).fluentModels(batch).run()
                }
                try await GeneratedLedgerRows.insert(rows, merchantID: merchantID, on: sql)
            }
        }
    }

    private func prepare(
        _ chunk: [(card: SimulatedCard, id: UUID, number: Int)], of merchant: Merchant, rollups: inout RollupBuilder,
        using rng: inout SeededGenerator
    ) -> PreparedChunk {
        var customers: [CustomerModel] = []
        var cards: [CardModel] = []
        var rows: [SimulatedRow] = []
        for (simulated, cardID, number) in chunk {
            let customer = CustomerModel(
                merchantID: merchant.id,
                name: "\(Self.firstNames.randomElement(using: &rng)!) \(Self.lastNames.randomElement(using: &rng)!)",
                email: "c\(number + 1)@m\(merchant.index + 1).generate.test", phone: nil, birthday: nil,
                locale: CustomerLocale.allCases.randomElement(using: &rng)!)
            let customerID = UUID.generated(using: &rng)
            customer.id = customerID
            customer.marketingConsentAt = nil
            customer.passwordHash = nil
            customer.erasedAt = nil
            customer.createdAt = simulated.enrolledAt
            customer.updatedAt = simulated.enrolledAt
            customers.append(customer)

            let card = CardModel(
                merchantID: merchant.id, customerID: customerID, programID: merchant.programID,
                storeID: simulated.enrolledStore.id, cardNumber: .random(using: &rng),
                qrToken: Data(rng.bytes(24)).base64URLEncoded)
            card.id = cardID
            card.appleSerialNumber = rng.bytes(16).hexEncoded
            card.appleAuthToken = rng.bytes(16).hexEncoded
            card.balance = simulated.balance
            card.entryCount = simulated.rows.count
            card.lastEntryHash = simulated.lastEntryHash
            card.lastActivityAt = simulated.lastActivityAt
            card.linkTokenHash = nil
            card.replacedByCardID = nil
            card.replacesCardID = nil
            // About one card in a hundred was reported lost and blocked after its last visit.
            if Int.random(in: 0..<100, using: &rng) == 0 {
                card.blockedAt = min(end, simulated.updatedAt.addingTimeInterval(86_400))
                card.blockedReason = "Reported lost by the customer"
            } else {
                card.blockedAt = nil
                card.blockedReason = nil
            }
            card.createdAt = simulated.enrolledAt
            card.updatedAt = simulated.updatedAt
            cards.append(card)

            rollups.add(simulated, cardID: cardID, merchantID: merchant.id, programID: merchant.programID)
            rows.append(contentsOf: simulated.rows)
        }
        return PreparedChunk(merchantID: merchant.id, customers: customers, cards: cards, rows: rows)
    }
}
