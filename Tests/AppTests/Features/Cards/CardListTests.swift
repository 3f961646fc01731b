import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTestUtils

@testable import App

/// The kept counts behind the unfiltered lists' `total` (decision 0034) must equal a count of
/// the tables after every kind of write: enrollment, counter operations, a void, an owner's
/// adjustment, a reissue (a new card and two ledger rows outside a counter operation).
@Suite struct CardListTests {
    private static func counted(_ counter: Counter, on db: any Database) async throws -> (cards: Int, rows: Int) {
        let merchantID = try counter.merchant.requireID()
        return (
            try await CardModel.query(on: db).filter(\.$merchant.$id == merchantID).count(),
            try await TransactionModel.query(on: db).filter(\.$merchant.$id == merchantID).count()
        )
    }

    @Test func keptTotalsEqualTheCountsAfterEveryKindOfWrite() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            let merchantID = try counter.merchant.requireID()
            let enrolled = try await app.counterRequest(
                counter, .POST, "/cards/enroll", json: ["customer": ["name": "Alice Reuter", "email": "alice@example.com"]])
            #expect(enrolled.status == .created)
            let stamp = try await app.stamp(counter)
            #expect(stamp.status == .ok)
            let earn: [String: JSONValue] = [
                "card_id": .string(counter.cardID.uuidString), "staff_pin": .string(Counter.pinCode), "purchase_amount_cents": 1_250,
            ]
            #expect(try await app.counterRequest(counter, .POST, "/points/earn", json: earn).status == .ok)
            let void = try await app.counterRequest(
                counter, .POST, "/stamp/void",
                json: ["transaction_id": .string(try #require(try stamp.json["transaction_id"]?.string)), "reason": "wrong card",
                       "staff_pin": .string(Counter.pinCode)])
            #expect(void.status == .ok)
            let adjust = try await app.counterRequest(
                counter, .POST, "/cards/\(counter.cardID)/points/adjust", json: ["points_delta": 10, "reason": "gift"], token: counter.ownerToken)
            #expect(adjust.status == .ok)
            clock.advance(by: 60)
            let reissued = try await app.send(
                .POST, "/api/v1/merchants/loyalty/cards/\(counter.cardID)/reissue", token: counter.ownerToken, json: ["reason": "lost"])
            #expect(reissued.status == .created)
            #expect(try await app.stamp(other).status == .ok)

            let counts = try await Self.counted(counter, on: app.db)
            #expect(counts.cards == 3 && counts.rows == 6)
            #expect(try await ListTotals.cards(merchantID: merchantID, on: app.db) == counts.cards)
            #expect(try await ListTotals.ledgerRows(merchantID: merchantID, on: app.db) == counts.rows)
            // The lists answer with them, and a filter still counts.
            let cards = try await app.send(.GET, "/api/v1/merchants/loyalty/cards?per_page=1", token: counter.ownerToken)
            #expect(try cards.json["total"]?.int == 3)
            #expect(try cards.json["items"]?.array?.count == 1)
            let replaced = try await app.send(.GET, "/api/v1/merchants/loyalty/cards?status=replaced", token: counter.ownerToken)
            #expect(try replaced.json["total"]?.int == 1)
            let rows = try await app.send(.GET, "/api/v1/merchants/loyalty/transactions", token: counter.ownerToken)
            #expect(try rows.json["total"]?.int == 6)
            let stamps = try await app.send(.GET, "/api/v1/merchants/loyalty/transactions?type=stamp_earned", token: counter.ownerToken)
            #expect(try stamps.json["total"]?.int == 1)
            // The other merchant's writes are its own.
            let otherCounts = try await Self.counted(other, on: app.db)
            #expect(otherCounts.cards == 1 && otherCounts.rows == 1)
            #expect(try await ListTotals.cards(merchantID: try other.merchant.requireID(), on: app.db) == 1)
            #expect(try await ListTotals.ledgerRows(merchantID: try other.merchant.requireID(), on: app.db) == 1)

            // A rebuild from the tables gives the same counts.
            try await AnalyticsBackfill.run(on: app.db)
            #expect(try await ListTotals.cards(merchantID: merchantID, on: app.db) == counts.cards)
            #expect(try await ListTotals.ledgerRows(merchantID: merchantID, on: app.db) == counts.rows)
        }
    }

    private static func instant(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    /// Pages in the list's order (newest card first) cover every card once, however deep.
    @Test func cardPagesCoverEveryCardOnceNewestFirst() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            for number in 1...7 {
                clock.advance(by: 60)
                let enrolled = try await app.counterRequest(
                    counter, .POST, "/cards/enroll", json: ["customer": ["name": .string("Alice \(number)"), "email": .string("c\(number)@example.com")]])
                #expect(enrolled.status == .created)
            }
            var seen: [UUID] = []
            var created: [Date] = []
            for page in 1...3 {
                let response = try await app.send(.GET, "/api/v1/merchants/loyalty/cards?per_page=3&page=\(page)", token: counter.ownerToken)
                #expect(try response.json["total"]?.int == 8)
                for item in try response.json["items"]?.array ?? [] {
                    seen.append(try #require(item["id"]?.uuid))
                    created.append(try #require(item["created_at"]?.string.flatMap(Self.instant)))
                }
            }
            #expect(seen.count == 8 && Set(seen).count == 8)
            #expect(created == created.sorted(by: >))
            let search = try await app.send(.GET, "/api/v1/merchants/loyalty/cards?q=alice&per_page=2&page=2", token: counter.ownerToken)
            #expect(try search.json["total"]?.int == 7)
            #expect(try search.json["items"]?.array?.count == 2)
        }
    }

    /// The search's index ranges (`PrefixMatch`) find what `LIKE 'text%'` found: case aside,
    /// wildcards taken literally, accents, e-mails, and nothing of another merchant.
    @Test func searchesFindExactlyThePrefixMatches() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            for (name, email) in [
                ("Léa Muller", "lea@example.com"), ("Lea_x Weber", "leax@example.com"), ("100% Pure", "pure@example.com"),
                ("Leander", "zed@example.com"), ("Ana", "lea.ana@example.com"),
            ] {
                let enrolled = try await app.counterRequest(counter, .POST, "/cards/enroll", json: ["customer": ["name": .string(name), "email": .string(email)]])
                #expect(enrolled.status == .created)
            }
            let elsewhere = try await app.counterRequest(other, .POST, "/cards/enroll", json: ["customer": ["name": "Léa Other", "email": "lea@other.example"]])
            #expect(elsewhere.status == .created)
            func found(_ query: String) async throws -> Set<String> {
                let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
                let response = try await app.send(.GET, "/api/v1/merchants/loyalty/cards?q=\(encoded)", token: counter.ownerToken)
                #expect(response.status == .ok)
                return Set(try (response.json["items"]?.array ?? []).compactMap { $0["customer_name"]?.string })
            }
            #expect(try await found("léa") == ["Léa Muller"])
            #expect(try await found("LEA") == ["Léa Muller", "Lea_x Weber", "Leander", "Ana"])
            #expect(try await found("lea_") == ["Lea_x Weber"])
            #expect(try await found("100%") == ["100% Pure"])
            #expect(try await found("10%") == [])
            #expect(try await found("zed@") == ["Leander"])
            #expect(try await found("nobody") == [])
        }
    }
}
