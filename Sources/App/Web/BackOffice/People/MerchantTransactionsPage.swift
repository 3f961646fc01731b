import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import Vapor

/// `/merchant/transactions`: the merchant's ledger across stores, filtered by store, staff
/// member (a PIN or a signed-in account), type, days and card number; and
/// `/merchant/transactions.csv`, the same rows streamed through `ExportService` with the same
/// filter (the owner's browser has a session cookie, not an API token).
struct MerchantTransactionsPage: RouteCollection {
    static let perPage = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.get("transactions", use: list)
        routes.get("transactions.csv", use: export)
    }

    /// The form's fields as typed, to show them again and rebuild links.
    struct Fields: Sendable {
        var storeID = ""
        var staff = ""
        var type = ""
        var from = ""
        var to = ""
        var card = ""

        init(_ req: Request) {
            let text = { (name: String) in String((req.query[String.self, at: name] ?? "").prefix(200)) }
            storeID = text("store_id")
            staff = text("staff")
            type = text("type")
            from = text("from")
            to = text("to")
            card = text("card")
        }

        var query: String {
            peopleQuery([("store_id", storeID), ("staff", staff), ("type", type), ("from", from), ("to", to), ("card", card)])
        }
    }

    /// The page's filter as the ledger queries take it. Days are the merchant's days: `from`
    /// at its first instant, `to` inclusive (up to the next day's first instant). A card
    /// number no card has gives `nil`: no row can match.
    static func filter(_ fields: Fields, scope: OwnerScope, req: Request) async throws -> TransactionFilter? {
        var filter = TransactionFilter()
        var errors = FieldErrors()
        filter.storeID = try scope.store(fields.storeID)
        if !fields.type.isEmpty {
            filter.type = TransactionType(rawValue: fields.type)
            if filter.type == nil { errors.record("type", "must be a transaction type") }
        }
        if !fields.staff.isEmpty {
            let parts = fields.staff.split(separator: ":", maxSplits: 1).map(String.init)
            let id = parts.count == 2 ? UUID(uuidString: parts[1]) : nil
            switch (parts.first, id) {
            case ("pin", let id?): filter.staffPinID = id
            case ("user", let id?): filter.userID = id
            default: errors.record("staff", "must be a staff PIN or account")
            }
        }
        filter.from = day(fields.from, in: scope.format.timeZone, field: "from", errors: &errors)
        filter.to = day(fields.to, in: scope.format.timeZone, field: "to", errors: &errors).map { $0.addingTimeInterval(86_400) }
        if let from = filter.from, let to = filter.to, from >= to { errors.record("to", "must not be before from") }
        try errors.throwIfAny()
        if !fields.card.isEmpty {
            guard let number = CardNumber(fields.card) else { throw APIError.validationFailed(["card": "must be a card number"]) }
            guard let card = try? await req.cards.card(.number(number), merchantID: scope.merchantID) else { return nil }
            filter.cardID = try card.requireID()
        }
        return filter
    }

    /// `2026-11-30` (a date field's value) at the start of that day in `timeZone`.
    static func day(_ text: String, in timeZone: TimeZone, field: String, errors: inout FieldErrors) -> Date? {
        guard !text.isEmpty else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, text.count == 10, (2000...2100).contains(parts[0]),
            let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
            calendar.dateComponents([.month, .day], from: date) == DateComponents(month: parts[1], day: parts[2])
        else {
            errors.record(field, "must be a date such as 2026-11-30")
            return nil
        }
        return date
    }

    struct ListPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let time: String
            let type: String
            let cardNumber: String
            let cardURL: String
            let stamps: String
            let points: String
            let amount: String
            let store: String
            let staff: String
            let voided: Bool
        }

        var stores: [PeopleOption] = []
        var staff: [PeopleOption] = []
        var types: [PeopleOption] = []
        var from = ""
        var to = ""
        var card = ""
        var rows: [Row] = []
        var summary = ""
        var exportURL = ""
        var previousURL = ""
        var nextURL = ""
        var error: String?
        /// The names of every store, PIN and account of the merchant, read for the form and
        /// reused for the rows.
        var names = LedgerNames()

        enum CodingKeys: String, CodingKey {
            case stores, staff, types, from, to, card, rows, summary, exportURL, previousURL, nextURL, error
        }
    }

    @Sendable
    func list(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        let fields = Fields(req)
        var page = try await Self.form(fields, scope: scope, req: req)
        do {
            let number = req.pageNumber
            let filter = try await Self.filter(fields, scope: scope, req: req)
            var found = Page<TransactionResponse>(items: [], total: 0, page: number, perPage: Self.perPage)
            if let filter {
                found = try await req.transactions.transactions(
                    merchantID: scope.merchantID, filter: filter,
                    page: PageRequest(page: number, perPage: Self.perPage, countCap: MerchantPeoplePages.countCap))
            }
            let entries = try await StoreCardsPages.entries(
                found.items, merchantID: scope.merchantID, format: scope.format, names: page.names, req: req)
            let numbers = try await Self.printedNumbers(of: Set(found.items.map(\.cardId)), on: req.db)
            page.rows = zip(found.items, entries).map { row, entry in
                ListPage.Row(
                    time: entry.time, type: entry.type, cardNumber: numbers[row.cardId] ?? "", cardURL: "/merchant/cards/\(row.cardId.uuidString)",
                    stamps: entry.stamps, points: entry.points, amount: entry.amount, store: entry.store, staff: entry.staff, voided: entry.voided)
            }
            page.summary = req.peopleCount(found, key: "people.transactions_found", cappedKey: "people.transactions_found_more", format: scope.format)
            page.exportURL = "/merchant/transactions.csv?" + fields.query
            let base = "/merchant/transactions?" + fields.query + (fields.query.isEmpty ? "" : "&") + "page="
            if number > 1 { page.previousURL = base + String(number - 1) }
            if found.hasNextPage { page.nextURL = base + String(number + 1) }
            return try await req.renderBackOffice("backoffice/people/transactions", title: "people.transactions_title", page)
        } catch let error as APIError {
            page.error = Self.words(for: error, scope: scope, req: req)
            return try await req.renderBackOffice(
                "backoffice/people/transactions", title: "people.transactions_title", page, status: error.status == .notFound ? .notFound : .unprocessableEntity)
        }
    }

    /// The printed numbers of the page's cards: two columns read with SQLKit, not 50 whole
    /// card models (Fluent's reflection per model was 15 % of this page's time in a profile).
    /// By id alone: the ids come from the merchant's own rows (decision 0033).
    static func printedNumbers(of cardIDs: Set<UUID>, on database: any Database) async throws -> [UUID: String] {
        guard !cardIDs.isEmpty else { return [:] }
        struct Row: Decodable {
            let id: UUID
            let card_number: String
        }
        let rows = try await database.sql.select().columns("id", "card_number").from(CardModel.schema)
            .where("id", .in, Array(cardIDs))
            .all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id, CardNumber($0.card_number)?.formatted ?? $0.card_number) })
    }

    /// The CSV of the same filter; a refused filter is the list page with the reason (a
    /// browser shows it, where a half-written file would not).
    @Sendable
    func export(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        let fields = Fields(req)
        do {
            let filter = try await Self.filter(fields, scope: scope, req: req)
            // No card of that number: the header alone, as the list shows no row.
            var none = TransactionFilter()
            none.cardID = UUID()
            return req.exports.transactionsCSV(merchantID: scope.merchantID, filter: filter ?? none, for: req)
        } catch let error as APIError {
            var page = try await Self.form(fields, scope: scope, req: req)
            page.error = Self.words(for: error, scope: scope, req: req)
            return try await req.renderBackOffice(
                "backoffice/people/transactions", title: "people.transactions_title", page, status: error.status == .notFound ? .notFound : .unprocessableEntity)
        }
    }

    static func words(for error: APIError, scope: OwnerScope, req: Request) -> String {
        req.peopleWords(
            for: error,
            fieldKeys: [
                "from": "people.date_invalid", "to": "people.date_invalid", "type": "people.filter_invalid", "staff": "people.filter_invalid",
                "store_id": "people.filter_invalid", "card": "people.card_number_invalid",
            ], timeZone: scope.format.timeZone)
    }

    /// The filter form with the typed values and the merchant's stores, PINs and accounts (read
    /// with SQLKit: a merchant has a hundred PINs, and Fluent reflects over each model it decodes).
    static func form(_ fields: Fields, scope: OwnerScope, req: Request) async throws -> ListPage {
        struct Pin: Decodable {
            let id: UUID
            let name: String
            let store_id: UUID
        }
        var page = ListPage()
        page.stores = scope.storeOptions(selected: UUID(uuidString: fields.storeID))
        let pins = try await req.db.sql.select().columns("id", "name", "store_id").from(StaffPinModel.schema)
            .where("merchant_id", .equal, scope.merchantID).orderBy("name").orderBy("id").all(decoding: Pin.self)
        let users = try await req.db.sql.select().columns("id", "name", "email").from(UserModel.schema)
            .where("merchant_id", .equal, scope.merchantID).orderBy("name").orderBy("email").all(decoding: LedgerNames.Account.self)
        page.staff =
            pins.map { pin in
                let value = "pin:" + pin.id.uuidString
                let store = scope.storeName(pin.store_id)
                return PeopleOption(value: value, label: req.t("people.staff_pin_option", pin.name, store), selected: value == fields.staff)
            }
            + users.map { user in
                let value = "user:" + user.id.uuidString
                return PeopleOption(value: value, label: req.t("people.staff_account_option", user.shownName), selected: value == fields.staff)
            }
        page.names.stores = Dictionary(uniqueKeysWithValues: scope.stores.compactMap { store in store.id.map { ($0, store.name) } })
        page.names.pins = Dictionary(uniqueKeysWithValues: pins.map { ($0.id, $0.name) })
        page.names.users = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0.shownName) })
        page.types = TransactionType.allCases.map {
            PeopleOption(value: $0.rawValue, label: req.t(StoreCardsPages.typeKey($0)), selected: $0.rawValue == fields.type)
        }
        page.from = fields.from
        page.to = fields.to
        page.card = fields.card
        return page
    }
}
