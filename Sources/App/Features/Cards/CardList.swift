import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit

/// A merchant's cards, a page at a time: all of them, those enrolled at one store, of one
/// status, or matching a search (the start of the card number, name or e-mail, and with
/// `matchingPhone`, the counter's search page, also the whole phone number). Read with
/// SQLKit: Fluent reflects over each model it decodes, 30 fields a card.
extension CardService {
    /// `program`: the merchant's program when the caller has read it already (a page shows
    /// balances with it); read here otherwise.
    func cards(
        merchantID: UUID, enrolledAt storeID: UUID? = nil, status: CardStatus? = nil, matching text: String?, matchingPhone: Bool = false,
        page: PageRequest, program known: ProgramModel? = nil
    ) async throws -> Page<CardResponse> {
        var program = known
        if program == nil { program = try await ProgramModel.query(on: database).filter(\.$merchant.$id == merchantID).first() }
        guard let program else { return Page(items: [], total: 0, page: page.page, perPage: page.perPage) }
        let text = text.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        let search = CardSearch(
            merchantID: merchantID, storeID: storeID, status: status, text: text, matchingPhone: matchingPhone, sqlite: database.isSQLite)

        var total = 0
        var capped = false
        var customers = CardSearch.CustomerMatch.inList
        if storeID == nil, status == nil, text == nil {
            // Unfiltered, the total is kept (`ListTotals`): a merchant's 100,000 cards are not
            // counted per request.
            total = try await ListTotals.cards(merchantID: merchantID, on: database)
        } else {
            if search.matchesCustomers {
                // A common name ("Léa": 16,723 customers at the benchmark's size) is found among
                // the newest cards at once, and listing its customers' cards to sort them read
                // them all; a rare one is the other way round. The name index says which.
                let probe = max(page.countLimit ?? 0, CardSearch.commonNameCards)
                let byName = try await search.cardsByName(customers: probe, on: database.sql).count(upTo: probe)
                if byName >= CardSearch.commonNameCards { customers = .testedPerCard }
                if let limit = page.countLimit, byName >= limit {
                    total = limit
                    capped = true
                }
            }
            if !capped {
                // Counted through the list of customers, however common: a count reads every
                // match, and testing each card would read every card of the merchant.
                (total, capped) = try await search.select(.inList, on: database.sql).total(for: page)
            }
        }
        // The page's ids first, in the (merchant, created_at, id) index's order, then those
        // rows with their customers: a deep page skips index entries, not joined rows.
        var idsOfPage = search.select(customers, on: database.sql).select
        idsOfPage.columns = [SQLColumn("id", table: CardModel.schema)]
        idsOfPage.orderBy = CardSearch.newestFirst
        idsOfPage.offset = page.offset
        idsOfPage.limit = page.perPage
        struct ID: Decodable { let id: UUID }
        let ids = try await database.sql.raw("\(idsOfPage)").all(decoding: ID.self).map(\.id)
        let rows =
            ids.isEmpty
            ? []
            : try await database.sql.select().columns(CardListRow.columns).from(CardModel.schema)
                .join(CustomerModel.schema, on: SQLColumn("id", table: CustomerModel.schema), .equal, SQLColumn("customer_id", table: CardModel.schema))
                .where(SQLColumn("id", table: CardModel.schema), .in, SQLBind.group(ids))
                .orderBy(SQLList(CardSearch.newestFirst))
                .all(decoding: CardListRow.self)
        let items = rows.map { CardResponse($0, program: program) }
        return Page(items: items, total: total, page: page.page, perPage: page.perPage, totalIsCapped: capped)
    }
}

/// The conditions of a card list as SQL over `loyalty_cards`.
struct CardSearch: Sendable {
    let merchantID: UUID
    let storeID: UUID?
    let status: CardStatus?
    let text: String?
    let matchingPhone: Bool
    let sqlite: Bool

    /// How many cards the name index must lead to before a search tests the newest cards one
    /// by one: then at least one card in a hundred matches (of 100,000), so a page of 25 is
    /// found within a few thousand cards.
    static let commonNameCards = 1_000

    static let newestFirst: [any SQLExpression] = [
        SQLOrderBy(expression: SQLColumn("created_at", table: CardModel.schema), direction: SQLDirection.descending),
        SQLOrderBy(expression: SQLColumn("id", table: CardModel.schema), direction: SQLDirection.descending),
    ]

    /// How a search by customer finds its cards.
    enum CustomerMatch {
        /// `customer_id IN (the matching customers)`: every match is read, then sorted.
        case inList
        /// `EXISTS (this card's customer matches)`: the cards are read newest first until the
        /// page is full.
        case testedPerCard
    }

    /// A text that is neither a card number nor a phone number: a customer's name or e-mail.
    var matchesCustomers: Bool {
        guard let text else { return false }
        return !Self.isNumber(text)
    }

    /// The matching cards (no columns, no order: the caller's).
    func select(_ customers: CustomerMatch, on sql: any SQLDatabase) -> SQLSelectBuilder {
        let query = sql.select().from(CardModel.schema)
        let phone = text.flatMap { matchingPhone && $0.contains(where: \.isNumber) ? Self.phoneMatches($0) : nil }
        guard let text else { return cardConditions(on: query) }
        if Self.isNumber(text) {
            let number = Self.numberStarts(Self.digits(text))
            guard let phone else { return cardConditions(on: query).where(number) }
            // The ids of either kind of match: read by their own indexes, one arm after the
            // other. Both arms are the merchant's, so the outer query has no merchant term: with
            // one, SQLite read all the merchant's cards and tested each (170 ms).
            let either =
                SQLQueryString("loyalty_cards.id IN (SELECT id FROM loyalty_cards WHERE merchant_id = \(bind: merchantID) AND ") + number
                + SQLQueryString(
                    " UNION SELECT id FROM loyalty_cards WHERE merchant_id = \(bind: merchantID) AND customer_id IN (SELECT id FROM customers WHERE merchant_id = \(bind: merchantID) AND "
                ) + phone + SQLQueryString("))")
            return cardConditions(on: query, merchant: false).where(either)
        }
        let customerQuery = cardConditions(on: query)
        // A phone number has digits: text without any cannot match one.
        switch customers {
        case .inList:
            let ids = PrefixMatch.customerIDs(text, merchantID: merchantID, orPhone: phone, sqlite: sqlite)
            return customerQuery.where(SQLQueryString("loyalty_cards.customer_id IN (") + ids + SQLQueryString(")"))
        case .testedPerCard:
            var matches = PrefixMatch.name(text, table: CustomerModel.schema, sqlite: sqlite) + SQLQueryString(" OR ")
                + PrefixMatch.email(text, table: CustomerModel.schema, sqlite: sqlite)
            if let phone { matches = matches + SQLQueryString(" OR ") + phone }
            return customerQuery.where(
                SQLQueryString("EXISTS (SELECT 1 FROM customers WHERE customers.id = loyalty_cards.customer_id AND (") + matches
                    + SQLQueryString("))"))
        }
    }

    /// The cards of the first `customers` customers whose name matches, in the name index's
    /// order: a probe of how common the name is (e-mail and phone matches are not in it). The
    /// customers are limited first so that PostgreSQL probes their cards one by one and stops,
    /// where a join of all the matches hashed every one of them (8,420 for "Léa": 15 → 9 ms).
    func cardsByName(customers: Int, on sql: any SQLDatabase) -> SQLSelectBuilder {
        let named =
            SQLQueryString("(SELECT id FROM customers WHERE merchant_id = \(bind: merchantID) AND ")
            + PrefixMatch.name(text ?? "", table: CustomerModel.schema, sqlite: sqlite) + SQLQueryString(" ORDER BY ")
            + PrefixMatch.nameOrder(table: CustomerModel.schema, sqlite: sqlite) + SQLQueryString(" LIMIT \(literal: customers)) named")
        let query = sql.select().from(named).join(CardModel.schema, on: Self.card("customer_id"), .equal, SQLColumn("id", table: "named"))
        return cardConditions(on: query)
    }

    /// The store and status terms, and the merchant's unless the caller's terms imply it.
    private func cardConditions(on query: SQLSelectBuilder, merchant: Bool = true) -> SQLSelectBuilder {
        if merchant { query.where(Self.card("merchant_id"), .equal, SQLBind(merchantID)) }
        if let storeID { query.where(Self.card("enrolled_store_id"), .equal, SQLBind(storeID)) }
        // The same reading as `CardStatus(blockedAt:replacedByCardID:)`.
        switch status {
        case .active?: query.where(Self.card("blocked_at"), .is, SQLLiteral.null)
        case .blocked?: query.where(Self.card("blocked_at"), .isNot, SQLLiteral.null).where(Self.card("replaced_by_card_id"), .is, SQLLiteral.null)
        case .replaced?: query.where(Self.card("replaced_by_card_id"), .isNot, SQLLiteral.null)
        case nil: break
        }
        return query
    }

    private static let phoneSeparators = [" ", "-", ".", "/", "(", ")"]

    /// The customer's phone equals `text` once both lose their separators (`+352 621 12 34 56`,
    /// `+352621123456` and `+352-621-12-34-56` are one number), over the 018 index's expression.
    static func phoneMatches(_ text: String) -> SQLQueryString {
        let digits = text.filter { !phoneSeparators.contains(String($0)) }
        return SQLQueryString("\(unsafeRaw: phoneDigits(of: "customers.phone")) = \(bind: digits)")
    }

    /// `column` without phone separators: `replace` exists on both engines, and both use an
    /// index on this expression when a query writes it the same way.
    static func phoneDigits(of column: String) -> String {
        phoneSeparators.reduce(column) { "replace(\($0), '\($1)', '')" }
    }

    /// The card number starts with `digits`: the range from them to the next such start
    /// ("8281" up to "8282", "8299" up to "83"), which the 018 index serves where a `LIKE`
    /// read every card of the merchant. Card numbers are digits only, so
    /// any collation orders them digit by digit.
    /// `digits` are ASCII digits (`isNumber`); the next start is computed on their bytes.
    static func numberStarts(_ digits: String) -> SQLQueryString {
        var next = Array(digits.utf8)
        while next.last == UInt8(ascii: "9") { next.removeLast() }
        let lower = SQLQueryString("loyalty_cards.card_number >= \(bind: digits)")
        guard let last = next.popLast() else { return lower }
        next.append(last + 1)
        return lower + SQLQueryString(" AND loyalty_cards.card_number < \(bind: String(decoding: next, as: UTF8.self))")
    }

    private static func card(_ column: String) -> SQLColumn { SQLColumn(column, table: CardModel.schema) }

    private static func digits(_ text: String) -> String { text.filter { $0 != " " && $0 != "-" } }

    /// ASCII digits, spaces and dashes only: a card number's start (or a phone number). Not
    /// `Character.isNumber`, which also takes "万" (10,000) and "½": no card number has them.
    private static func isNumber(_ text: String) -> Bool {
        let digits = digits(text)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
