import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/merchant/cards`: the owner's cards across stores (search, state, enrolling store), and a
/// card's detail with its history and the block / unblock / reissue forms. The same services
/// as the API's `/merchants/loyalty/cards` and `CardLifecycleController`; a card of another
/// merchant is "not found".
struct MerchantCardsPages: RouteCollection {
    static let perPage = 25
    static let historyPerPage = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.get("cards", use: list)
        routes.get("cards", ":card_id", use: detail)
        routes.post("cards", ":card_id", "block", use: block)
        routes.post("cards", ":card_id", "unblock", use: unblock)
        routes.post("cards", ":card_id", "reissue", use: reissue)
    }

    struct ListPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let url: String
            let number: String
            let holder: String
            let email: String
            let balance: String
            let store: String
            let status: String
            let isActive: Bool
        }

        var query = ""
        var statuses: [PeopleOption] = []
        var stores: [PeopleOption] = []
        var rows: [Row] = []
        var summary = ""
        var previousURL = ""
        var nextURL = ""
        var error: String?
    }

    @Sendable
    func list(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        var page = ListPage()
        let raw = req.query[String.self, at: "q"] ?? ""
        let statusText = req.query[String.self, at: "status"] ?? ""
        let storeText = req.query[String.self, at: "store_id"] ?? ""
        page.query = String(raw.prefix(200))
        page.statuses = [CardStatus.active, .blocked, .replaced].map {
            PeopleOption(value: $0.rawValue, label: StoreCardsPages.statusText($0, req: req), selected: $0.rawValue == statusText)
        }
        page.stores = scope.storeOptions(selected: UUID(uuidString: storeText))
        do {
            let text = try FieldErrors.queryText(raw, "q")
            let status = try CardSearchQuery(q: nil, status: statusText).checkedStatus()
            let storeID = try scope.store(storeText)
            let number = req.pageNumber
            let program = try await ProgramModel.query(on: req.db).filter(\.$merchant.$id == scope.merchantID).first()
            let found = try await req.cards.cards(
                merchantID: scope.merchantID, enrolledAt: storeID, status: status, matching: text, matchingPhone: true,
                page: PageRequest(page: number, perPage: Self.perPage, countCap: MerchantPeoplePages.countCap), program: program)
            page.rows = found.items.map { card in
                ListPage.Row(
                    url: "/merchant/cards/\(card.id.uuidString)", number: card.cardNumber, holder: card.customerName ?? "",
                    email: card.customerEmail ?? "", balance: StoreCardsPages.balance(of: card, program: program, format: scope.format, req: req),
                    store: scope.storeName(card.enrolledStoreId), status: StoreCardsPages.statusText(card.status, req: req),
                    isActive: card.status == .active)
            }
            page.summary = req.peopleCount(found, key: "people.cards_found", cappedKey: "people.cards_found_more", format: scope.format)
            let base = "/merchant/cards?" + peopleQuery([("q", text ?? ""), ("status", statusText), ("store_id", storeText)])
            if number > 1 { page.previousURL = base + "&page=" + String(number - 1) }
            if found.hasNextPage { page.nextURL = base + "&page=" + String(number + 1) }
            return try await req.renderBackOffice("backoffice/people/cards", title: "people.cards_title", page)
        } catch let error as APIError {
            page.error = req.peopleWords(
                for: error, fieldKeys: ["q": "people.search_too_long", "status": "people.filter_invalid", "store_id": "people.filter_invalid"],
                timeZone: scope.format.timeZone)
            let status: HTTPStatus = error.status == .notFound ? .notFound : .unprocessableEntity
            return try await req.renderBackOffice("backoffice/people/cards", title: "people.cards_title", page, status: status)
        }
    }

    struct DetailPage: Encodable, Sendable {
        let id: String
        let number: String
        let holder: String
        let email: String
        let phone: String
        let program: String
        let store: String
        let status: String
        let isActive: Bool
        let isBlocked: Bool
        let isReplaced: Bool
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
        let history: [StoreCardsPages.DetailPage.Entry]
        let historySummary: String
        let previousURL: String
        let nextURL: String
        var done = ""
        var error: String?
        var reason = ""
    }

    static let doneKeys = ["blocked": "people.card_blocked", "unblocked": "people.card_unblocked", "reissued": "people.card_reissued"]

    @Sendable
    func detail(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        var page = try await Self.page(req, scope: scope, cardID: try req.parameters.uuid("card_id"))
        if let done = req.query[String.self, at: "done"], let key = Self.doneKeys[done] { page.done = req.t(key) }
        return try await req.renderBackOffice("backoffice/people/card", title: "people.card_title", page, script: "people.js")
    }

    static func page(_ req: Request, scope: OwnerScope, cardID: UUID) async throws -> DetailPage {
        let card = try await req.cards.card(.id(cardID), merchantID: scope.merchantID)
        let response = try await req.cards.response(for: card)
        let customer = try await CustomerModel.find(card.$customer.id, on: req.db)
        guard let program = try await ProgramModel.find(card.$program.id, on: req.db) else { throw APIError.notFound("The loyalty program") }
        let number = req.pageNumber
        let history = try await req.transactions.history(
            of: card, merchantID: scope.merchantID, page: PageRequest(page: number, perPage: Self.historyPerPage))
        let format = scope.format
        let entries = try await StoreCardsPages.entries(history.items, merchantID: scope.merchantID, format: format, req: req)
        let base = "/merchant/cards/\(cardID.uuidString)?page="
        return DetailPage(
            id: cardID.uuidString, number: response.cardNumber, holder: response.customerName ?? req.t("store.holder_unknown"),
            email: customer?.email ?? "", phone: customer?.phone ?? "", program: program.cardName ?? "",
            store: scope.storeName(card.$enrolledStore.id),
            status: StoreCardsPages.statusText(response.status, req: req), isActive: response.status == .active,
            isBlocked: response.status == .blocked, isReplaced: response.status == .replaced,
            blockedReason: response.status == .blocked ? (response.blockedReason ?? "") : "",
            replacedByURL: response.replacedByCardId.map { "/merchant/cards/\($0.uuidString)" } ?? "",
            replacesURL: response.replacesCardId.map { "/merchant/cards/\($0.uuidString)" } ?? "",
            collectsStamps: program.loyaltyType.collectsStamps, collectsPoints: program.loyaltyType.collectsPoints,
            stamps: format.number(response.stampCount), stampsTarget: format.number(response.stampsTarget),
            rewardsAvailable: format.number(response.rewardsAvailable), points: format.number(response.pointsBalance),
            enrolledOn: response.createdAt.map(format.date) ?? "", lastActivity: response.lastActivityAt.map(format.dateTime) ?? "",
            history: entries, historySummary: req.t("store.history_count", format.number(history.total)),
            previousURL: number > 1 ? base + String(number - 1) : "",
            nextURL: number * Self.historyPerPage < history.total ? base + String(number + 1) : "")
    }

    struct ReasonForm: Content {
        var reason: String?
    }

    @Sendable
    func block(req: Request) async throws -> Response {
        let form = try req.content.decode(ReasonForm.self)
        return try await change(req, done: "blocked", reason: form.reason) { scope, id in
            let reason = try BlockCardRequest(reason: form.reason).validated()
            return try await req.cardLifecycle.block(id, merchantID: scope.merchantID, reason: reason).requireID()
        }
    }

    @Sendable
    func unblock(req: Request) async throws -> Response {
        try await change(req, done: "unblocked", reason: nil) { scope, id in
            try await req.cardLifecycle.unblock(id, merchantID: scope.merchantID).requireID()
        }
    }

    /// A reissue from the back office is recorded without a store (the owner acts across
    /// stores, as the API's owner route does); the page then shows the new card.
    @Sendable
    func reissue(req: Request) async throws -> Response {
        let form = try req.content.decode(ReasonForm.self)
        return try await change(req, done: "reissued", reason: form.reason) { scope, id in
            let reason = try ReissueCardRequest(reason: form.reason).validated()
            let made = try await req.cardLifecycle.reissue(
                id, merchantID: scope.merchantID, storeID: nil, reason: reason, by: OperatorContext(request: req))
            return try made.card.requireID()
        }
    }

    /// Runs a change of the card; a card of another merchant is "not found" (the error page),
    /// a refused change shows the card again with the reason and changes nothing.
    private func change(
        _ req: Request, done: String, reason: String?, _ body: (OwnerScope, UUID) async throws -> UUID
    ) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        let id = try req.parameters.uuid("card_id")
        do {
            let shown = try await body(scope, id)
            return req.redirect(to: "/merchant/cards/\(shown.uuidString)?done=" + done, redirectType: .normal)
        } catch let error as APIError where error.status != .notFound {
            var page = try await Self.page(req, scope: scope, cardID: id)
            page.error = req.peopleWords(for: error, fieldKeys: ["reason": "people.reason_rules"], timeZone: scope.format.timeZone)
            page.reason = String((reason ?? "").prefix(200))
            return try await req.renderBackOffice("backoffice/people/card", title: "people.card_title", page, status: error.status, script: "people.js")
        }
    }
}
