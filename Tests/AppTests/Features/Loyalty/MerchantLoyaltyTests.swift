import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct MerchantLoyaltyTests {
    @Test func ownersSeeCardsAndTransactionsAcrossStoresWithFilters() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let secondStore = try await app.makeStore(of: counter.merchant)
            let cashier2 = try await app.token(for: try await app.makeUser(.storeStaff, merchant: counter.merchant, store: secondStore))
            _ = try await app.makePin("7391", in: secondStore)
            _ = try await app.send(.POST, "/api/v1/store/loyalty/cards/enroll", token: cashier2, json: ["customer": ["name": "Zoé"]])
            _ = try await app.stamp(counter)
            clock.advance(by: 3_600)
            _ = try await app.send(
                .POST, "/api/v1/store/loyalty/stamp", token: cashier2, json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "7391"])

            let owner = counter.ownerToken
            #expect(try await app.send(.GET, "/api/v1/merchants/loyalty/cards", token: owner).json["total"]?.int == 2)
            let atSecond = try await app.send(.GET, "/api/v1/merchants/loyalty/cards?store_id=\(secondStore.id!)", token: owner)
            #expect(try atSecond.json["items"]?.array?.compactMap { $0["customer_name"]?.string } == ["Zoé"])

            let all = try await app.send(.GET, "/api/v1/merchants/loyalty/transactions", token: owner)
            #expect(try all.json["total"]?.int == 2)
            let second = try await app.send(.GET, "/api/v1/merchants/loyalty/transactions?store_id=\(secondStore.id!)", token: owner)
            #expect(try second.json["items"]?.array?.count == 1)
            let since = clock.now.addingTimeInterval(-60).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            let recent = try await app.send(.GET, "/api/v1/merchants/loyalty/transactions?from=\(since)", token: owner)
            #expect(try recent.json["total"]?.int == 1)
            let cardHistory = try await app.send(.GET, "/api/v1/merchants/loyalty/cards/\(counter.cardID)/transactions", token: owner)
            #expect(try cardHistory.json["items"]?.array?.compactMap { $0["stamps_balance_after"]?.int } == [2, 1])

            let badFilter = try await app.send(.GET, "/api/v1/merchants/loyalty/transactions?from=yesterday&type=gift", token: owner)
            #expect(try badFilter.json["error"]?["details"]?["fields"]?["from"] != nil)
            #expect(try badFilter.json["error"]?["details"]?["fields"]?["type"] != nil)

            let locations = try await app.send(.GET, "/api/v1/merchants/loyalty/locations", token: owner)
            #expect(try locations.json["total"]?.int == 2)
            let stats = try await app.send(.GET, "/api/v1/merchants/loyalty/stats", token: owner)
            #expect(try stats.json["scope"]?.string == "merchant")
            #expect(try stats.json["last_7_days"]?["stamps_given"]?.int == 2)
        }
    }

    @Test func ownersManagePinsInAnyOfTheirStores() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let secondStore = try await app.makeStore(of: counter.merchant)
            let created = try await app.send(
                .POST, "/api/v1/merchants/loyalty/pins", token: counter.ownerToken,
                json: ["name": "Anna", "pin": "7391", "store_id": .string(secondStore.id!.uuidString)])
            #expect(created.status == .created)
            #expect(try created.json["store_id"]?.uuid == secondStore.id)
            let missingStore = try await app.send(.POST, "/api/v1/merchants/loyalty/pins", token: counter.ownerToken, json: ["name": "X", "pin": "6284"])
            #expect(try missingStore.json["error"]?["details"]?["fields"]?["store_id"] != nil)
            let list = try await app.send(.GET, "/api/v1/merchants/loyalty/pins", token: counter.ownerToken)
            #expect(try list.json.array?.count == 2)
            let one = try await app.send(.GET, "/api/v1/merchants/loyalty/pins?store_id=\(secondStore.id!)", token: counter.ownerToken)
            #expect(try one.json.array?.compactMap { $0["name"]?.string } == ["Anna"])
        }
    }

    @Test func exportsStreamCSVOfTheMerchantsOwnRows() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            _ = try await app.stamp(other)
            for index in 0..<3 {
                _ = try await app.counterRequest(
                    counter, .POST, "/points/earn",
                    json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826", "purchase_amount_cents": .int(1_000 + index),
                        "order_reference": .string("=HYPERLINK(\"x\"), \(index)")])
                clock.advance(by: 1)
            }
            let response = try await app.send(.GET, "/api/v1/merchants/loyalty/exports/transactions.csv", token: counter.ownerToken)
            #expect(response.status == .ok)
            #expect(response.headers.contentType?.subType == "csv")
            let lines = String(buffer: response.body).split(separator: "\r\n", omittingEmptySubsequences: true)
            #expect(lines.count == 4)
            #expect(lines[0].hasPrefix("id,created_at,type,card_id,card_number"))
            #expect(lines[1].contains("points_earned") && lines[1].contains(CardNumber(counter.card.cardNumber)!.formatted))
            // A formula is defused and quoted.
            #expect(lines[1].contains("\"'=HYPERLINK(\"\"x\"\"), 0\""))
            #expect(!String(buffer: response.body).contains(other.cardID.uuidString))

            let cards = try await app.send(.GET, "/api/v1/merchants/loyalty/exports/cards.csv", token: counter.ownerToken)
            let cardLines = String(buffer: cards.body).split(separator: "\r\n")
            #expect(cardLines.count == 2)
            #expect(cardLines[1].contains(CardNumber(counter.card.cardNumber)!.formatted) && cardLines[1].contains(",300,"))
        }
    }

    @Test func exportsPageThroughLargeLedgersInOrder() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let queries = TransactionQueries(database: app.db)
            // More rows than one batch, many sharing a millisecond: the keyset must neither skip nor repeat.
            for _ in 0..<25 {
                _ = try await app.counterRequest(
                    counter, .POST, "/points/earn",
                    json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": "4826", "purchase_amount_cents": 100])
            }
            var seen: [UUID] = []
            try await queries.forEachBatch(merchantID: counter.merchant.id!, filter: TransactionFilter(), batchSize: 7) { rows in
                seen += rows.compactMap(\.id)
            }
            #expect(seen.count == 25)
            #expect(Set(seen).count == 25)
        }
    }
}

@Suite struct AdminLoyaltyTests {
    @Test func theAdminSeesEveryProgramAndAnyMerchantsData() async throws {
        try await withTestApp { app, _ in
            let first = try await Counter.make(in: app)
            let second = try await Counter.make(in: app)
            _ = try await app.stamp(first)
            let admin = try await app.token(for: try await app.makeUser(.platformAdmin))

            let programs = try await app.send(.GET, "/api/v1/admin/loyalty/programs", token: admin)
            #expect(try programs.json["total"]?.int == 2)
            #expect(try programs.json["items"]?[0]?["cards_total"]?.int == 1)
            let program = try await app.send(.GET, "/api/v1/admin/loyalty/programs/\(second.program.id!)", token: admin)
            #expect(try program.json["merchant_id"]?.uuid == second.merchant.id)
            #expect(try await app.send(.GET, "/api/v1/admin/loyalty/programs/\(UUID())", token: admin).status == .notFound)
            let programStats = try await app.send(.GET, "/api/v1/admin/loyalty/programs/\(first.program.id!)/stats", token: admin)
            #expect(try programStats.json["today"]?["stamps_given"]?.int == 1)

            let platform = try await app.send(.GET, "/api/v1/admin/loyalty/stats", token: admin)
            #expect(try platform.json["scope"]?.string == "platform")
            #expect(try platform.json["cards_total"]?.int == 2)

            let cards = try await app.send(.GET, "/api/v1/admin/loyalty/merchants/\(second.merchant.id!)/cards", token: admin)
            #expect(try cards.json["items"]?[0]?["id"]?.uuid == second.cardID)
            let pins = try await app.send(.GET, "/api/v1/admin/loyalty/merchants/\(second.merchant.id!)/pins", token: admin)
            #expect(try pins.json.array?.count == 1)
            // Read-only for the admin: the path answers GET only.
            let write = try await app.send(.POST, "/api/v1/admin/loyalty/merchants/\(second.merchant.id!)/pins", token: admin, json: ["name": "x", "pin": "7391"])
            #expect(write.status == .methodNotAllowed)
            #expect(try await StaffPinModel.query(on: app.db).count() == 2)

            let wallet = try await app.send(.GET, "/api/v1/admin/loyalty/wallet-status", token: admin)
            #expect(try wallet.json["google"]?["configured"]?.bool == false)
            #expect(try wallet.json["apple"]?["configured"]?.bool == false)
        }
    }
}
