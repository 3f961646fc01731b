import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/store/cards`: find a card by name, e-mail, phone or number, and a card's detail with its
/// history, for the counter. The same services as the API's `/store/loyalty/cards`; a card of
/// another merchant is "not found", as there.
struct StoreCardsPages: RouteCollection {
    static let perPage = 20
    static let historyPerPage = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.get("cards", use: search)
        routes.get("cards", ":card_id", use: detail)
    }

    struct SearchPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let url: String
            let number: String
            let holder: String
            let email: String
            let balance: String
            let status: String
            let isActive: Bool
        }

        var query = ""
        var rows: [Row] = []
        /// "12 cards" or empty before a search.
        var summary = ""
        var searched = false
        var previousURL = ""
        var nextURL = ""
        var error: String?
    }

    @Sendable
    func search(req: Request) async throws -> Response {
        var page = SearchPage()
        let raw = req.query[String.self, at: "q"] ?? ""
        page.query = String(raw.prefix(200))
        let pageNumber = max(1, min(req.query[Int.self, at: "page"] ?? 1, PageRequest.maximumPage))
        let text: String?
        do {
            text = try FieldErrors.queryText(raw, "q")
        } catch let error as APIError {
            page.error = req.words(for: error, timeZone: req.store.timeZone)
            return try await req.renderPage("store/cards", title: "store.cards_title", page, status: error.status, stylesheet: "store.css", script: "store.js")
        }
        guard let text else { return try await req.renderPage("store/cards", title: "store.cards_title", page, stylesheet: "store.css", script: "store.js") }
        page.searched = true
        let program = try await ProgramModel.query(on: req.db).filter(\.$merchant.$id == req.store.merchantID).first()
        let found = try await req.cards.cards(
            merchantID: req.store.merchantID, matching: text, matchingPhone: true, page: PageRequest(page: pageNumber, perPage: Self.perPage),
            program: program)
        let format = req.storeFormat
        page.rows = found.items.map { card in
            SearchPage.Row(
                url: "/store/cards/\(card.id.uuidString)", number: card.cardNumber, holder: card.customerName ?? "",
                email: card.customerEmail ?? "", balance: Self.balance(of: card, program: program, format: format, req: req),
                status: Self.statusText(card.status, req: req), isActive: card.status == .active)
        }
        page.summary = req.t("store.cards_found", format.number(found.total))
        let base = "/store/cards?q=" + text.urlQueryEncoded + "&page="
        if pageNumber > 1 { page.previousURL = base + String(pageNumber - 1) }
        if pageNumber * Self.perPage < found.total { page.nextURL = base + String(pageNumber + 1) }
        return try await req.renderPage("store/cards", title: "store.cards_title", page, stylesheet: "store.css", script: "store.js")
    }

    struct DetailPage: Encodable, Sendable {
        struct Entry: Encodable, Sendable {
            let type: String
            let stamps: String
            let points: String
            let amount: String
            let store: String
            let staff: String
            let time: String
            let voided: Bool
            let isVoid: Bool
        }

        let id: String
        let number: String
        let holder: String
        let email: String
        let phone: String
        let status: String
        let isActive: Bool
        let blockedReason: String
        let replacedByURL: String
        let replacesURL: String
        let collectsStamps: Bool
        let collectsPoints: Bool
        let stamps: String
        let stampsTarget: String
        let rewardsAvailable: String
        let points: String
        let enrolledOn: String
        let lastActivity: String
        let terminalURL: String
        let history: [Entry]
        let historySummary: String
        let previousURL: String
        let nextURL: String
    }

    @Sendable
    func detail(req: Request) async throws -> Response {
        let id = try req.parameters.uuid("card_id")
        let merchantID = req.store.merchantID
        let card = try await req.cards.card(.id(id), merchantID: merchantID)
        let response = try await req.cards.response(for: card)
        let customer = try await CustomerModel.find(card.$customer.id, on: req.db)
        guard let program = try await ProgramModel.find(card.$program.id, on: req.db) else { throw APIError.notFound("The loyalty program") }
        let pageNumber = max(1, min(req.query[Int.self, at: "page"] ?? 1, PageRequest.maximumPage))
        let history = try await req.transactions.history(
            of: card, merchantID: merchantID, page: PageRequest(page: pageNumber, perPage: Self.historyPerPage))
        let format = req.storeFormat
        let entries = try await Self.entries(history.items, merchantID: merchantID, format: format, req: req)
        let base = "/store/cards/\(id.uuidString)?page="
        let page = DetailPage(
            id: id.uuidString, number: response.cardNumber, holder: response.customerName ?? req.t("store.holder_unknown"),
            email: customer?.email ?? "", phone: customer?.phone ?? "",
            status: Self.statusText(response.status, req: req), isActive: response.status == .active,
            blockedReason: response.status == .blocked ? (response.blockedReason ?? "") : "",
            replacedByURL: response.replacedByCardId.map { "/store/cards/\($0.uuidString)" } ?? "",
            replacesURL: response.replacesCardId.map { "/store/cards/\($0.uuidString)" } ?? "",
            collectsStamps: program.loyaltyType.collectsStamps, collectsPoints: program.loyaltyType.collectsPoints,
            stamps: format.number(response.stampCount), stampsTarget: format.number(response.stampsTarget),
            rewardsAvailable: format.number(response.rewardsAvailable), points: format.number(response.pointsBalance),
            enrolledOn: response.createdAt.map(format.date) ?? "", lastActivity: response.lastActivityAt.map(format.dateTime) ?? "",
            terminalURL: "/store/terminal?card=" + card.cardNumber,
            history: entries,
            historySummary: req.t("store.history_count", format.number(history.total)),
            previousURL: pageNumber > 1 ? base + String(pageNumber - 1) : "",
            nextURL: pageNumber * Self.historyPerPage < history.total ? base + String(pageNumber + 1) : "")
        return try await req.renderPage("store/card", title: "store.card_title", page, stylesheet: "store.css", script: "store.js")
    }

    /// Ledger rows in words: who (the PIN's or account's name), where (the store's name), when
    /// (in the acting store's time zone), and whether a later row voided it. `known`: names the
    /// caller has already read (a list page's filter form); the others are read here.
    static func entries(
        _ rows: [TransactionResponse], merchantID: UUID, format: StorePageFormat, names known: LedgerNames? = nil, req: Request
    ) async throws -> [DetailPage.Entry] {
        let voided = try await LedgerNames.voided(rows.map(\.id), on: req.db)
        let names = try await LedgerNames.of(rows, merchantID: merchantID, known: known ?? LedgerNames(), on: req.db)
        return rows.map { row in
            DetailPage.Entry(
                type: req.t(Self.typeKey(row.type)),
                stamps: row.stampsDelta == 0 ? "" : format.delta(row.stampsDelta),
                points: row.pointsDelta == 0 ? "" : format.delta(row.pointsDelta),
                amount: row.purchaseAmountCents.map(format.euros) ?? "",
                store: row.storeId.flatMap { names.stores[$0] } ?? "",
                staff: row.staffPinId.flatMap { names.pins[$0] } ?? row.userId.flatMap { names.users[$0] } ?? "",
                time: format.dateTime(row.createdAt),
                voided: voided.contains(row.id),
                isVoid: row.voidsTransactionId != nil)
        }
    }

    /// The catalog key of a ledger row's type (spelled out: the catalog test finds keys by
    /// their literal text).
    static func typeKey(_ type: TransactionType) -> String {
        switch type {
        case .stampEarned: "store.tx_stamp_earned"
        case .stampRedeemed: "store.tx_stamp_redeemed"
        case .stampVoided: "store.tx_stamp_voided"
        case .pointsEarned: "store.tx_points_earned"
        case .pointsRedeemed: "store.tx_points_redeemed"
        case .pointsVoided: "store.tx_points_voided"
        case .pointsAdjusted: "store.tx_points_adjusted"
        case .pointsExpired: "store.tx_points_expired"
        case .cardTransferredOut: "store.tx_card_transferred_out"
        case .cardTransferredIn: "store.tx_card_transferred_in"
        }
    }

    static func statusText(_ status: CardStatus, req: Request) -> String {
        switch status {
        case .active: req.t("store.status_active")
        case .blocked: req.t("store.status_blocked")
        case .replaced: req.t("store.status_replaced")
        }
    }

    /// "3 of 10 stamps", "120 points", or both for a hybrid program.
    static func balance(of card: CardResponse, program: ProgramModel?, format: StorePageFormat, req: Request) -> String {
        let type = program?.loyaltyType ?? .stamps
        var parts: [String] = []
        if type.collectsStamps { parts.append(req.t("store.stamps_of", format.number(card.stampCount), format.number(card.stampsTarget))) }
        if type.collectsPoints { parts.append(req.t("store.points_count", format.number(card.pointsBalance))) }
        return parts.joined(separator: " · ")
    }
}
