import Crypto
import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// Cards: enrollment, lookup and listing. Balances change only through `CardOperationRunner`.
struct CardService: Sendable {
    let database: any Database
    let writeGate: AsyncGate?
    let programs: ProgramService
    let now: @Sendable () -> Date
    /// Runs with the new card's id once its enrollment committed (Google Wallet creates its object).
    var afterEnroll: @Sendable (UUID) -> Void = { _ in }

    /// Enrolls a customer of the merchant in its program, creating the customer if described
    /// inline. At the counter (`byStaff`), an inline e-mail that staff entered before enrolls
    /// that customer; an address given online is unverified and never decides whose card it is:
    /// the new customer is then recorded without it (decision 0008).
    ///
    /// `linkTokenHash` gives the card a private link (enrollment without an account).
    ///
    /// `idempotency` makes a repeated request (a counter form sent twice) answer the card the
    /// first one made instead of a second card; the key is read and stored in the enrollment's
    /// own transaction, as the balance operations do (decision 0007).
    func enroll(
        _ target: EnrollRequest.Target, store: StoreContext, byStaff: Bool = false, linkTokenHash: String? = nil,
        idempotency: IdempotencyRequest? = nil
    ) async throws -> (CardModel, CardResponse) {
        let program = try await programs.activeProgram(merchantID: store.merchantID)
        for attempt in 1...5 {
            do {
                let enrolled = try await database.writeTransaction(gate: writeGate) { tx in
                    if let idempotency, let stored = try await IdempotencyStore.replay(idempotency, store: store, on: tx) {
                        guard let id = UUID(uuidString: stored.body),
                            let card = try await CardModel.query(on: tx).filter(\.$id == id).filter(\.$merchant.$id == store.merchantID).first()
                        else { throw APIError.notFound("The card") }
                        return (card, try CardResponse(card, program: program, customer: try await CustomerModel.find(card.$customer.id, on: tx)))
                    }
                    let customer = try await customer(for: target, merchantID: store.merchantID, byStaff: byStaff, on: tx)
                    if let card = try await CardModel.query(on: tx)
                        .filter(\.$merchant.$id == store.merchantID)
                        .filter(\.$customer.$id == customer.requireID())
                        .filter(\.$replacedByCardID == nil)
                        .first()
                    {
                        throw APIError.conflict(
                            "already_enrolled", "This customer already has a card.", details: ["card_id": .string(try card.requireID().uuidString)])
                    }
                    var generator = SystemRandomNumberGenerator()
                    let card = CardModel(
                        merchantID: store.merchantID, customerID: try customer.requireID(), programID: try program.requireID(),
                        storeID: store.storeID, cardNumber: .random(using: &generator), qrToken: Self.newQRToken())
                    card.linkTokenHash = linkTokenHash
                    try await card.createCounted(on: tx)
                    try await DailyStats.add(
                        DailyStatsDelta(cardsEnrolled: 1), merchantID: store.merchantID, storeID: store.storeID,
                        day: store.businessDay(at: now()), cardID: try card.requireID(),
                        on: tx)
                    if let idempotency {
                        try await IdempotencyStore.save(
                            idempotency, response: StoredResponse(status: 201, body: try card.requireID().uuidString), store: store, at: now(), on: tx)
                    }
                    return (card, try CardResponse(card, program: program, customer: customer))
                }
                afterEnroll(try enrolled.0.requireID())
                return enrolled
            } catch let error as any DatabaseError where error.isConstraintFailure && attempt < 5 {
                // A card number or QR token collided (about 1 in 10¹⁴), or a parallel enrollment
                // of the same customer won: the next attempt finds out which.
                continue
            }
        }
        throw APIError.conflict("enrollment_failed", "The card could not be created; try again.")
    }

    private func customer(
        for target: EnrollRequest.Target, merchantID: UUID, byStaff: Bool, on tx: any Database
    ) async throws -> CustomerModel {
        let customers = CustomerService(database: tx, now: now)
        switch target {
        case .existing(let id):
            return try await customers.customer(id, merchantID: merchantID)
        case .new(let profile):
            if let email = profile.email, let known = try await customers.customer(email: email, merchantID: merchantID) {
                if byStaff, known.emailFromStaff { return known }
                return try await customers.createCustomer(profile.withoutEmail, merchantID: merchantID)
            }
            return try await customers.createCustomer(profile, merchantID: merchantID, emailFromStaff: byStaff)
        }
    }

    /// The card a reference names, within the merchant, or `not_found`.
    func card(_ reference: CardReference, merchantID: UUID) async throws -> CardModel {
        let query = CardModel.query(on: database).filter(\.$merchant.$id == merchantID)
        switch reference {
        case .id(let id): query.filter(\.$id == id)
        case .number(let number): query.filter(\.$cardNumber == number.digits)
        case .qrCode(let token): query.filter(\.$qrToken == token)
        }
        guard let card = try await query.first() else { throw APIError.notFound("The card") }
        return card
    }

    func response(for card: CardModel) async throws -> CardResponse {
        let program = try await ProgramModel.find(card.$program.id, on: database)
        let customer = try await CustomerModel.find(card.$customer.id, on: database)
        guard let program else { throw APIError.notFound("The loyalty program") }
        return try CardResponse(card, program: program, customer: customer)
    }

    /// A merchant's cards, optionally those enrolled at one store or matching a search: the
    /// start of the card number, name or e-mail, and with `matchingPhone` (the counter's
    /// search page) also the whole phone number, separators aside.
    func cards(
        merchantID: UUID, enrolledAt storeID: UUID? = nil, status: CardStatus? = nil, matching text: String?, matchingPhone: Bool = false,
        page: PageRequest
    ) async throws -> Page<CardResponse> {
        let program = try await ProgramModel.query(on: database).filter(\.$merchant.$id == merchantID).first()
        guard let program else { return Page(items: [], total: 0, page: page.page, perPage: page.perPage) }
        let text = text.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        let filtered = { self.matching(merchantID: merchantID, enrolledAt: storeID, status: status, text: text, matchingPhone: matchingPhone) }
        // Unfiltered, the total is kept (`ListTotals`): a merchant's 100,000 cards are not
        // counted per request.
        let total: Int
        if storeID == nil, status == nil, text == nil {
            total = try await ListTotals.cards(merchantID: merchantID, on: database)
        } else {
            total = try await filtered().count()
        }
        // The page's ids first, in the (merchant, created_at, id) index's order, then those
        // rows with their customers: a deep page skips index entries, not joined rows.
        let ids = try await filtered().sort(\.$createdAt, .descending).sort(\.$id, .descending)
            .offset((page.page - 1) * page.perPage).limit(page.perPage).all(\.$id)
        let cards = ids.isEmpty ? [] : try await CardModel.query(on: database)
            .join(CustomerModel.self, on: \CardModel.$customer.$id == \CustomerModel.$id)
            .filter(\.$id ~~ ids).sort(\.$createdAt, .descending).sort(\.$id, .descending).all()
        let items = try cards.map { card in try CardResponse(card, program: program, customer: try card.joined(CustomerModel.self)) }
        return Page(items: items, total: total, page: page.page, perPage: page.perPage)
    }

    /// The merchant's cards that pass the filters; a text that is not a card number is looked
    /// for in the customers' names, e-mails and phones, through the ids of those that match.
    private func matching(merchantID: UUID, enrolledAt storeID: UUID?, status: CardStatus?, text: String?, matchingPhone: Bool)
        -> QueryBuilder<CardModel>
    {
        let query = CardModel.query(on: database).filter(\.$merchant.$id == merchantID)
        if let storeID { query.filter(\.$enrolledStore.$id == storeID) }
        // The same reading as `CardModel.status`: a replaced card is also blocked.
        switch status {
        case .active?: query.filter(\.$blockedAt == nil)
        case .blocked?: query.filter(\.$blockedAt != nil).filter(\.$replacedByCardID == nil)
        case .replaced?: query.filter(\.$replacedByCardID != nil)
        case nil: break
        }
        guard let text else { return query }
        let digits = text.filter { $0 != " " && $0 != "-" }
        if !digits.isEmpty, digits.allSatisfy(\.isNumber) {
            let number = SQLQueryString("loyalty_cards.card_number LIKE \(bind: CustomerService.likePattern(prefix: digits)) ESCAPE '!'")
            if matchingPhone {
                query.join(CustomerModel.self, on: \CardModel.$customer.$id == \CustomerModel.$id)
                query.group(.or) { any in
                    any.filter(.sql(number))
                    any.filter(.sql(Self.phoneMatches(text)))
                }
            } else {
                query.filter(.sql(number))
            }
        } else {
            // A phone number has digits: text without any cannot match one, and its term is a
            // scan of the merchant's customers.
            let phone = matchingPhone && text.contains(where: \.isNumber) ? Self.phoneMatches(text) : nil
            let customers = PrefixMatch.customerIDs(text, merchantID: merchantID, orPhone: phone, sqlite: database.isSQLite)
            query.filter(.sql(SQLQueryString("loyalty_cards.customer_id IN (") + customers + SQLQueryString(")")))
        }
        return query
    }

    /// The customer's phone equals `text` once both lose their separators (`+352 621 12 34 56`,
    /// `+352621123456` and `+352-621-12-34-56` are one number); `replace` exists on both engines.
    static func phoneMatches(_ text: String) -> SQLQueryString {
        let separators = [" ", "-", ".", "/", "(", ")"]
        let digits = text.filter { !separators.contains(String($0)) }
        var column = "customers.phone"
        for separator in separators { column = "replace(\(column), '\(separator)', '')" }
        return SQLQueryString("\(unsafeRaw: column) = \(bind: digits)")
    }

    /// 24 random bytes, base64url: what a QR code on the card or in a wallet carries.
    static func newQRToken() -> String {
        let bytes = SymmetricKey(size: SymmetricKeySize(bitCount: 192)).withUnsafeBytes { Data($0) }
        return bytes.base64URLEncoded  // 24 bytes: never padded
    }
}
