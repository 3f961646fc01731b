import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/merchant/transactions` and its CSV: the same filter, the same rows.
@Suite struct MerchantTransactionsPageTests {
    /// Two stamps and a points purchase in the first store, on the test clock's day.
    static func ledger(_ app: Application, _ clock: TestClock, _ world: PeoplePagesWorld) async throws {
        #expect(try await app.stamp(world.counter).status == .ok)
        clock.advance(by: 16 * 60)
        #expect(try await app.stamp(world.counter).status == .ok)
        let card: [String: JSONValue] = ["card_id": .string(world.counter.cardID.uuidString), "staff_pin": .string(Counter.pinCode)]
        let earned = try await app.counterRequest(world.counter, .POST, "/points/earn", json: card.merging(["purchase_amount_cents": 500]) { $1 })
        #expect(earned.status == .ok)
        #expect(try await app.stamp(world.other).status == .ok, "another merchant's row, never shown")
    }

    /// The test clock's day in the merchant's time zone, as a date field sends it.
    static func day(_ date: Date, _ world: PeoplePagesWorld) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: world.counter.store.timezone) ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    @Test func filtersAndExportsTheSameRows() async throws {
        try await withTestApp { app, clock in
            let world = try await PeoplePagesWorld.make(in: app)
            try await Self.ledger(app, clock, world)
            var owner = try await world.owner(app)
            let today = Self.day(clock.now, world)
            let query = "store_id=\(world.counter.store.id!)&type=stamp_earned&from=\(today)&to=\(today)"

            let list = try await owner.get("/merchant/transactions?" + query)
            #expect(list.status == .ok)
            #expect(list.text.contains("Transactions: 2"))
            #expect(list.text.contains("href=\"/merchant/transactions.csv?" + query.replacingOccurrences(of: "&", with: "&amp;") + "\"")
                || list.text.contains("/merchant/transactions.csv?" + query))
            let csv = try await owner.get("/merchant/transactions.csv?" + query)
            #expect(csv.status == .ok)
            #expect(csv.headers.contentType?.subType == "csv")
            let expected = try await TransactionModel.query(on: app.db).filter(\.$merchant.$id == world.counter.merchant.id!)
                .filter(\.$type == .stampEarned).all().map { $0.id!.uuidString }
            #expect(expected.count == 2)
            #expect(Set(csv.csvRows.map { String($0.prefix(36)) }) == Set(expected), "the CSV holds exactly the filtered rows")

            // Every row of the merchant, none of the other's.
            let all = try await owner.get("/merchant/transactions.csv")
            #expect(all.csvRows.count == 3)
            #expect(!all.text.contains(world.other.cardID.uuidString))

            // Another day: nothing, in the list and the file.
            let tomorrow = Self.day(clock.now.addingTimeInterval(86_400 * 2), world)
            #expect(try await owner.get("/merchant/transactions?from=\(tomorrow)").text.contains("Transactions: 0"))
            #expect(try await owner.get("/merchant/transactions.csv?from=\(tomorrow)").csvRows.isEmpty)

            // By staff PIN, by card number.
            let byPin = try await owner.get("/merchant/transactions?staff=pin:\(world.counter.pin.id!)")
            #expect(byPin.text.contains("Transactions: 3"))
            let byCashier = try await owner.get("/merchant/transactions?staff=user:\(world.counter.owner.id!)")
            #expect(byCashier.text.contains("Transactions: 0"))
            let byCard = try await owner.get("/merchant/transactions?card=" + world.counter.card.printedNumber.urlQueryEncoded)
            #expect(byCard.text.contains("Transactions: 3"))
            let otherCard = try await owner.get("/merchant/transactions?card=" + world.other.card.cardNumber)
            #expect(otherCard.text.contains("Transactions: 0"), "another merchant's card number matches nothing")
            #expect(try await owner.get("/merchant/transactions.csv?card=" + world.other.card.cardNumber).csvRows.isEmpty)
        }
    }

    @Test(arguments: [
        ("from=2026-13-45", "A date is not valid"), ("from=yesterday", "A date is not valid"),
        ("from=2026-11-20&to=2026-11-10", "A date is not valid"), ("type=stamp_stolen", "One of the filters"),
        ("staff=pin:not-a-uuid", "One of the filters"), ("staff=robot", "One of the filters"),
        ("store_id=nope", "One of the filters"), ("card=12345", "This is not a card number"),
    ])
    func absurdFiltersGetAClearMessage(query: String, message: String) async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            for path in ["/merchant/transactions?", "/merchant/transactions.csv?"] {
                let page = try await owner.get(path + query)
                #expect(page.status == .unprocessableEntity, "\(path)\(query)")
                #expect(page.alertText?.hasPrefix(message) == true, "\(path)\(query): \(page.alertText ?? "")")
            }
        }
    }

    @Test func anotherMerchantsStoreInTheFilterIsNotFound() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            #expect(try await owner.get("/merchant/transactions?store_id=\(world.other.store.id!)").status == .notFound)
            #expect(try await owner.get("/merchant/transactions.csv?store_id=\(world.other.store.id!)").status == .notFound)
            let long = try await owner.get("/merchant/transactions?card=" + String(repeating: "9", count: 5_000))
            #expect(long.status == .unprocessableEntity)
        }
    }

    @Test func theAPIFiltersByStaffToo() async throws {
        try await withTestApp { app, clock in
            let world = try await PeoplePagesWorld.make(in: app)
            try await Self.ledger(app, clock, world)
            let byPin = try await app.send(
                .GET, "/api/v1/merchants/loyalty/transactions?staff_pin_id=\(world.counter.pin.id!)", token: world.counter.ownerToken)
            #expect(byPin.status == .ok)
            #expect(try byPin.json["total"]?.int == 3)
            let byUser = try await app.send(
                .GET, "/api/v1/merchants/loyalty/transactions?user_id=\(world.counter.owner.id!)", token: world.counter.ownerToken)
            #expect(try byUser.json["total"]?.int == 0)
            let bad = try await app.send(.GET, "/api/v1/merchants/loyalty/transactions?staff_pin_id=x", token: world.counter.ownerToken)
            #expect(bad.status == .unprocessableEntity)
            let blocked = try await app.send(.GET, "/api/v1/merchants/loyalty/cards?status=blocked", token: world.counter.ownerToken)
            #expect(try blocked.json["total"]?.int == 0)
            let active = try await app.send(.GET, "/api/v1/merchants/loyalty/cards?status=active", token: world.counter.ownerToken)
            #expect(try active.json["total"]?.int == 1)
            #expect(try await app.send(.GET, "/api/v1/merchants/loyalty/cards?status=lost", token: world.counter.ownerToken).status == .unprocessableEntity)
        }
    }
}
