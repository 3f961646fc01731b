import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// What the terminal's template shows. Numbers, times and sentences arrive already written
/// in the page's language.
struct TerminalPage: Encodable, Sendable {
    enum CodingKeys: String, CodingKey {
        case storeName, error, done, card, hasCard, idempotencyKey, voidKey, amount, recent, clearAfterSeconds
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(storeName, forKey: .storeName)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encodeIfPresent(done, forKey: .done)
        try container.encodeIfPresent(card, forKey: .card)
        try container.encode(hasCard, forKey: .hasCard)
        try container.encode(idempotencyKey, forKey: .idempotencyKey)
        try container.encode(voidKey, forKey: .voidKey)
        try container.encode(amount, forKey: .amount)
        try container.encode(recent, forKey: .recent)
        try container.encode(clearAfterSeconds, forKey: .clearAfterSeconds)
    }

    var storeName = ""
    /// A refusal (`role="alert"`).
    var error: String?
    /// The one line saying what the last operation did, to read aloud.
    var done: String?
    var card: TerminalCardView?
    var hasCard: Bool { card != nil }
    /// One per page render: one intended operation (WEB.md).
    var idempotencyKey = ""
    /// The void form's own key: a void is another intended operation.
    var voidKey = ""
    /// What was typed before a refusal, kept so the cashier need not type it again.
    var amount = ""
    var recent: [TerminalRecentOperation] = []
    /// After a success the page clears itself for the next customer (terminal.js).
    var clearAfterSeconds = 12
}

/// The card on the terminal: holder, balances, progress and what it may do now.
struct TerminalCardView: Encodable, Sendable {
    /// The card number's digits: what the operation form sends back as `card`.
    let reference: String
    let number: String
    let holder: String
    /// A blocked or deactivated card shows why and offers no operation.
    let usable: Bool
    let offersStamps: Bool
    let offersPoints: Bool
    let stamps: Int
    let stampsTarget: Int
    /// Stamps towards the next reward (`stamps` modulo the target) for `<progress>`.
    let stampsProgress: Int
    let stampsLine: String
    let points: Int
    let pointsLine: String
    /// Eligibility before anyone taps: "next stamp possible at 14:05", "5 of 5 stamps today".
    let stampNote: String
    let stampPossible: Bool
    let stampRedeemable: Bool
    let stampRewardNote: String
    let rewardsNote: String
    let rewards: [TerminalRewardView]
}

struct TerminalRewardView: Encodable, Sendable {
    let id: String
    let name: String
    let cost: String
    let affordable: Bool
}

/// One of this terminal's last operations, with its void button.
struct TerminalRecentOperation: Encodable, Sendable {
    let id: String
    let time: String
    let card: String
    let what: String
    let voided: Bool
}

/// Builds the terminal page for one request: the card, the line after a success, the
/// refusal, and this terminal's last operations.
struct TerminalPageBuilder {
    let req: Request
    var page = TerminalPage()

    init(req: Request) {
        self.req = req
    }

    /// Where the terminal shows `card`, with the line for `done`.
    static func path(card: CardModel, done: UUID) -> String {
        "/store/terminal?card=\(card.cardNumber)&done=\(done.uuidString)"
    }

    private var words: TerminalWording { TerminalWording(req: req) }

    /// The merchant's card the `card` field names; never another tenant's.
    func find(_ text: String) async throws -> CardModel {
        let reference = try TerminalCardField.reference(text)
        do {
            return try await req.cards.card(reference, merchantID: req.store.merchantID)
        } catch let error as APIError where error.code == "not_found" {
            throw TerminalInputError(key: "terminal.card.unknown", status: .notFound)
        }
    }

    /// Shows `card` with its eligibility, decided by the operations' own rules at this moment
    /// in the store's time zone.
    mutating func show(_ card: CardModel) async throws {
        guard let program = try await ProgramModel.find(card.$program.id, on: req.db) else { throw APIError.notFound("The loyalty program") }
        let customer = try await CustomerModel.find(card.$customer.id, on: req.db)
        let rewards = try await RewardModel.query(on: req.db)
            .filter(\.$program.$id == program.requireID())
            .filter(\.$isActive == true)
            .sort(\.$pointsCost).sort(\.$name)
            .all()
        let rules = program.rules
        let balance = card.balance
        let eligibility = CounterEligibility.evaluate(
            balance, rules: rules, rewards: rewards.map(\.terms), at: req.application.clock(), timeZone: req.store.timeZone)
        let affordable = Set(eligibility.affordableRewards)
        let refusal =
            card.blockedRefusal ?? (card.isActive ? nil : APIError.conflict("card_inactive", "This card is deactivated."))
            ?? (program.isActive ? nil : APIError.conflict("program_inactive", "The loyalty program is not active."))
        if let refusal, page.error == nil { page.error = req.words(for: refusal, timeZone: req.store.timeZone) }
        let target = max(1, rules.stampsTarget)
        page.card = TerminalCardView(
            reference: card.cardNumber, number: card.printedNumber, holder: customer?.name ?? "—",
            usable: refusal == nil,
            offersStamps: rules.loyaltyType.collectsStamps, offersPoints: rules.loyaltyType.collectsPoints,
            stamps: balance.stampCount, stampsTarget: target,
            stampsProgress: balance.stampCount >= target && balance.stampCount % target == 0 ? target : balance.stampCount % target,
            stampsLine: words.stampsLine(target: target),
            points: balance.pointsBalance, pointsLine: words.t("terminal.card.points_unit"),
            stampNote: words.stampNote(eligibility.stamp),
            stampPossible: { if case .possible = eligibility.stamp { true } else { false } }(),
            stampRedeemable: eligibility.stampRewardsAvailable > 0,
            stampRewardNote: words.stampRewardNote(eligibility, reward: rules.stampsRewardDescription),
            rewardsNote: words.rewardsNote(eligibility.affordableRewards.map { rewards[$0].name }),
            rewards: rewards.enumerated().map { index, reward in
                TerminalRewardView(
                    id: reward.id?.uuidString ?? "", name: reward.name, cost: words.points(reward.pointsCost),
                    affordable: affordable.contains(index))
            })
    }

    /// The line for the operation `transactionID` just made on `card` (ignored when it is not
    /// that card's, so a forged `done` shows nothing).
    mutating func announce(_ transactionID: UUID, on card: CardModel) async throws {
        guard let row = try await TransactionModel.query(on: req.db)
            .filter(\.$id == transactionID)
            .filter(\.$merchant.$id == req.store.merchantID)
            .filter(\.$card.$id == card.requireID())
            .first(),
            let program = try await ProgramModel.find(card.$program.id, on: req.db)
        else { return }
        var rewardName: String?
        if let rewardID = row.rewardID { rewardName = try await RewardModel.find(rewardID, on: req.db)?.name }
        page.done = words.done(row, rules: program.rules, rewardName: rewardName)
    }

    /// Puts `error` on the page in words; its HTTP status. Errors that are not refusals go on
    /// to the error pages.
    mutating func refuse(_ error: any Error) throws -> HTTPStatus {
        switch error {
        case let input as TerminalInputError:
            page.error = req.t(input.key)
            return input.status
        case let refusal as APIError:
            page.error = words.refusal(refusal)
            return refusal.status
        default:
            throw error
        }
    }

    /// The page, with this terminal's last operations and a fresh idempotency key.
    mutating func render(status: HTTPStatus) async throws -> Response {
        page.storeName = try await StoreModel.find(req.store.storeID, on: req.db)?.name ?? req.store.code
        page.idempotencyKey = TokenService.randomTokenValue()
        page.voidKey = TokenService.randomTokenValue()
        page.recent = try await recentOperations()
        return try await req.renderPage(
            "terminal/terminal", title: "terminal.title", page, status: status, isTerminal: true, stylesheet: "terminal.css",
            script: "terminal.js")
    }

    /// The operations of this terminal (this store, this signed-in account) today, newest
    /// first, each voidable unless it already was.
    private func recentOperations() async throws -> [TerminalRecentOperation] {
        let today = req.store.businessDay(at: req.application.clock())
        let rows = try await TransactionModel.query(on: req.db)
            .filter(\.$merchant.$id == req.store.merchantID)
            .filter(\.$storeID == req.store.storeID)
            .filter(\.$userID == req.staff.userID)
            .filter(\.$businessDay == today.description)
            .filter(\.$type ~~ [.stampEarned, .stampRedeemed, .pointsEarned, .pointsRedeemed])
            .sort(\.$createdAt, .descending).sort(\.$sequence, .descending)
            .limit(10)
            .all()
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.requireID() }
        let voided = Set(
            try await TransactionModel.query(on: req.db)
                .filter(\.$merchant.$id == req.store.merchantID)
                .filter(\.$voidsTransactionID ~~ ids)
                .all()
                .compactMap(\.voidsTransactionID))
        let cards = try await CardModel.query(on: req.db)
            .filter(\.$merchant.$id == req.store.merchantID)
            .filter(\.$id ~~ Set(rows.map { $0.$card.id }))
            .all()
        let numbers = Dictionary(uniqueKeysWithValues: cards.compactMap { card in card.id.map { ($0, card.cardNumber) } })
        let rewardIDs = Set(rows.compactMap(\.rewardID))
        let rewards = rewardIDs.isEmpty ? [:] : Dictionary(
            uniqueKeysWithValues: try await RewardModel.query(on: req.db).filter(\.$id ~~ rewardIDs).all().compactMap { reward in
                reward.id.map { ($0, reward.name) }
            })
        return try rows.map { row in
            let number = numbers[row.$card.id] ?? ""
            return TerminalRecentOperation(
                id: try row.requireID().uuidString,
                time: RefusalWording.clockTime(row.createdAt, timeZone: req.store.timeZone),
                card: "•••• " + number.suffix(4), what: words.recent(row, rewardName: row.rewardID.flatMap { rewards[$0] }),
                voided: voided.contains(try row.requireID()))
        }
    }
}
