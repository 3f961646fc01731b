import Fluent
import FluentSQL
import SQLKit
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

    /// A page's capped count (the back office's filtered lists) stops one row past its cap or
    /// the page's end, whichever is further, and still knows whether another page has rows.
    @Test func cappedCountsStopPastTheCapAndKnowTheNextPage() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let merchantID = try counter.merchant.requireID()
            for number in 1...7 {
                clock.advance(by: 60)
                let enrolled = try await app.counterRequest(
                    counter, .POST, "/cards/enroll", json: ["customer": ["name": .string("Alice \(number)"), "email": .string("c\(number)@example.com")]])
                #expect(enrolled.status == .created)
            }
            let req = Request(application: app, on: app.eventLoopGroup.next())
            func search(_ page: Int) async throws -> App.Page<CardResponse> {
                try await req.cards.cards(merchantID: merchantID, matching: "alice", page: PageRequest(page: page, perPage: 2, countCap: 3))
            }
            let first = try await search(1)
            #expect(first.total == 4 && first.totalIsCapped && first.hasNextPage && first.items.count == 2)
            let third = try await search(3)
            #expect(third.total == 7 && third.totalIsCapped && third.hasNextPage && third.items.count == 2)
            let last = try await search(4)
            #expect(last.total == 7 && !last.totalIsCapped && !last.hasNextPage && last.items.count == 1)
            // Every page together is every match once, newest first, as uncapped.
            var seen: [UUID] = []
            for page in 1...4 { seen += try await search(page).items.map(\.id) }
            let exact = try await req.cards.cards(merchantID: merchantID, matching: "alice", page: PageRequest(page: 1, perPage: 7))
            #expect(seen == exact.items.map(\.id) && exact.total == 7 && !exact.totalIsCapped)

            // The ledger's filtered lists count the same way.
            for _ in 1...3 {
                let earn: [String: JSONValue] = [
                    "card_id": .string(counter.cardID.uuidString), "staff_pin": .string(Counter.pinCode), "purchase_amount_cents": 500,
                ]
                #expect(try await app.counterRequest(counter, .POST, "/points/earn", json: earn).status == .ok)
            }
            var earns = TransactionFilter()
            earns.type = .pointsEarned
            let capped = try await req.transactions.transactions(merchantID: merchantID, filter: earns, page: PageRequest(page: 1, perPage: 1, countCap: 1))
            #expect(capped.total == 2 && capped.totalIsCapped && capped.hasNextPage && capped.items.first?.type == .pointsEarned)
            let end = try await req.transactions.transactions(merchantID: merchantID, filter: earns, page: PageRequest(page: 3, perPage: 1, countCap: 1))
            #expect(end.total == 3 && !end.totalIsCapped && !end.hasNextPage && end.items.count == 1)
        }
    }

    /// The two ways a search finds its customers' cards (a list of the matching customers, or
    /// a test of each card's customer) find the same cards in the same order, with the filters.
    @Test func bothWaysOfMatchingCustomersFindTheSameCards() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            let other = try await Counter.make(in: app)
            for (name, email, phone) in [
                ("Léa Muller", "lea@example.com", "+352 621 11 22 33"), ("Lea_x Weber", "leax@example.com", "621112233"),
                ("Leander", "zed@example.com", "+352 621 99 88 77"), ("Ana", "lea.ana@example.com", "+352-621-11-22-33"),
                ("Zoé", "zoe@example.com", "+33 6 12 34 56 78"),
            ] {
                clock.advance(by: 60)
                let enrolled = try await app.counterRequest(
                    counter, .POST, "/cards/enroll", json: ["customer": ["name": .string(name), "email": .string(email), "phone": .string(phone)]])
                #expect(enrolled.status == .created)
            }
            let elsewhere = try await app.counterRequest(other, .POST, "/cards/enroll", json: ["customer": ["name": "Léa Other", "email": "lea@other.example"]])
            #expect(elsewhere.status == .created)
            let blocked = try await app.send(
                .POST, "/api/v1/merchants/loyalty/cards/\(counter.cardID)/block", token: counter.ownerToken, json: ["reason": "lost"])
            #expect(blocked.status == .ok)
            let merchantID = try counter.merchant.requireID()
            struct ID: Decodable { let id: UUID }
            func ids(_ search: CardSearch, _ way: CardSearch.CustomerMatch) async throws -> [UUID] {
                var select = search.select(way, on: app.db.sql).select
                select.columns = [SQLColumn("id", table: CardModel.schema)]
                select.orderBy = CardSearch.newestFirst
                return try await app.db.sql.raw("\(select)").all(decoding: ID.self).map(\.id)
            }
            var compared = 0
            for text in ["lea", "LÉA", "zed@", "nobody", "+352621112233", "a"] {
                for status in [nil, CardStatus.active, .blocked] {
                    for phone in [false, true] {
                        let search = CardSearch(
                            merchantID: merchantID, storeID: nil, status: status, text: text, matchingPhone: phone, sqlite: app.db.isSQLite)
                        let listed = try await ids(search, .inList)
                        #expect(try await ids(search, .testedPerCard) == listed, "\(text) \(String(describing: status)) \(phone)")
                        compared += listed.count
                    }
                }
            }
            #expect(compared > 10)
        }
    }

    /// A number is a range of card numbers (to the next prefix: "8299" up to "83"): every
    /// prefix of every card finds exactly the cards whose number starts so, with or without
    /// the phone term, and a phone number still finds its customer's card.
    @Test func numberSearchesFindExactlyTheCardsWhoseNumberStartsSo() async throws {
        try await withTestApp { app, clock in
            let counter = try await Counter.make(in: app)
            for number in 1...6 {
                clock.advance(by: 60)
                let enrolled = try await app.counterRequest(
                    counter, .POST, "/cards/enroll",
                    json: ["customer": ["name": .string("Card \(number)"), "phone": .string("+352 621 00 00 0\(number)")]])
                #expect(enrolled.status == .created)
            }
            let merchantID = try counter.merchant.requireID()
            let numbers = try await CardModel.query(on: app.db).filter(\.$merchant.$id == merchantID).all().map(\.cardNumber)
            let req = Request(application: app, on: app.eventLoopGroup.next())
            func found(_ text: String, phone: Bool) async throws -> Set<String> {
                let page = try await req.cards.cards(
                    merchantID: merchantID, matching: text, matchingPhone: phone, page: PageRequest(page: 1, perPage: 50))
                #expect(page.total == page.items.count)
                return Set(page.items.map { $0.cardNumber.filter(\.isNumber) })
            }
            var prefixes = Set(["9", "99", "0", "1234567890123456"])
            for number in numbers { for length in 1...16 { prefixes.insert(String(number.prefix(length))) } }
            for prefix in prefixes.sorted() {
                let expected = Set(numbers.filter { $0.hasPrefix(prefix) })
                #expect(try await found(prefix, phone: false) == expected, "\(prefix)")
                #expect(try await found(prefix, phone: true) == expected, "\(prefix)")
            }
            // Numerals that are not ASCII digits ("万" is 10,000 to Unicode) are text, and no
            // length is too long: nothing found, nothing refused.
            for text in ["万", "½", "٣٣", "²", "9万", String(repeating: "9", count: 200), String(repeating: "1", count: 200)] {
                #expect(try await found(text, phone: true).isEmpty, "\(text)")
                #expect(try await found(text, phone: false).isEmpty, "\(text)")
            }
            // With separators, as printed on the card.
            let printed = CardNumber(numbers[0])?.formatted ?? ""
            #expect(try await found(printed, phone: false) == [numbers[0]])
            // A phone number, written with or without separators, finds its customer's card.
            let byPhone = try await found("+352621000003", phone: true)
            #expect(byPhone.count == 1)
            #expect(try await found("+352-621 00 00 03", phone: true) == byPhone)
            #expect(try await found("+352621000003", phone: false).isEmpty)
        }
    }
}
