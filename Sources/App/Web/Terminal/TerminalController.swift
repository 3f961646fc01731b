import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/store/terminal`: the counter's page (WEB.md's fixed points). The card from a scanner, a
/// typed number or the camera; its balances and what it may do now; the four operations and
/// voids through the same services, idempotency and PIN checks as the API's store endpoints.
struct TerminalController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let terminal = routes.grouped("terminal")
        terminal.get(use: show)
        terminal.post(use: perform)
        terminal.post("void", use: void)
    }

    /// The terminal, with the card of `?card=` and the line for `?done=<transaction id>`.
    @Sendable
    func show(req: Request) async throws -> Response {
        var builder = TerminalPageBuilder(req: req)
        let cardText = req.query[String.self, at: "card"] ?? ""
        var status = HTTPStatus.ok
        if !cardText.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                let card = try await builder.find(cardText)
                try await builder.show(card)
                if let done = req.query[String.self, at: "done"].flatMap(UUID.init(uuidString:)) {
                    try await builder.announce(done, on: card)
                }
            } catch {
                status = try builder.refuse(error)
            }
        }
        return try await builder.render(status: status)
    }

    /// Performs one operation, then `303` to the card with the line saying what happened.
    @Sendable
    func perform(req: Request) async throws -> Response {
        let form = try req.content.decode(TerminalForm.self)
        var builder = TerminalPageBuilder(req: req)
        var card: CardModel?
        do {
            let found = try await builder.find(form.card ?? "")
            card = found
            let transactionID = try await operate(form, on: found, req: req)
            return req.redirect(to: TerminalPageBuilder.path(card: found, done: transactionID), redirectType: .normal)
        } catch {
            let status = try builder.refuse(error)
            builder.page.amount = String((form.amount ?? "").prefix(32))
            if let card { try await builder.show(card) }
            return try await builder.render(status: status)
        }
    }

    /// Voids one of the last operations (PIN required as for operations), then `303` to its
    /// card, which shows the balance back.
    @Sendable
    func void(req: Request) async throws -> Response {
        let form = try req.content.decode(TerminalForm.self)
        var builder = TerminalPageBuilder(req: req)
        // The card the page showed, to show again with a refusal; never another tenant's.
        let shown = try? await builder.find(form.card ?? "")
        do {
            guard let transactionID = form.transactionId.flatMap(UUID.init(uuidString:)) else {
                throw TerminalInputError(key: "terminal.void.pick")
            }
            guard let original = try await TransactionModel.query(on: req.db)
                .filter(\.$id == transactionID)
                .filter(\.$merchant.$id == req.store.merchantID)
                .first()
            else { throw APIError.notFound("The transaction") }
            let family: TransactionType
            switch original.type {
            case .stampEarned, .stampRedeemed: family = .stampVoided
            case .pointsEarned, .pointsRedeemed, .pointsAdjusted: family = .pointsVoided
            case .stampVoided, .pointsVoided, .pointsExpired, .cardTransferredOut, .cardTransferredIn:
                throw TerminalInputError(key: "terminal.void.not_voidable")
            }
            let input = VoidRequest(transactionId: transactionID, reason: Self.voidReason, staffPin: form.staffPin)
            let (checkedID, reason) = try input.validated()
            let result = try await req.voids.void(
                checkedID, family: family, reason: reason, store: req.store,
                actor: VoidPermission.Actor(role: req.staff.role, storeID: req.store.storeID), by: input.operatorContext(for: req),
                idempotency: try req.terminalIdempotency(form.idempotencyKey, operation: family.rawValue, content: input))
            let voidID = try result.transactionID(\VoidResponse.transactionId)
            guard let card = try await CardModel.find(original.$card.id, on: req.db) else { throw APIError.notFound("The card") }
            return req.redirect(to: TerminalPageBuilder.path(card: card, done: voidID), redirectType: .normal)
        } catch {
            let status = try builder.refuse(error)
            if let shown { try await builder.show(shown) }
            return try await builder.render(status: status)
        }
    }

    /// The ledger's note on a void made at the terminal (the API asks its caller for one).
    static let voidReason = "Voided at the store terminal"

    /// Runs `form`'s operation on `card` as the API's endpoint for it does; the ledger row's id.
    private func operate(_ form: TerminalForm, on card: CardModel, req: Request) async throws -> UUID {
        guard let operation = form.operation.flatMap(TerminalOperation.init(rawValue:)) else {
            throw TerminalInputError(key: "terminal.operation.unknown")
        }
        let cardID = try card.requireID()
        switch operation {
        case .stamp:
            let input = StampRequest(cardId: cardID, staffPin: form.staffPin)
            let result = try await req.stamps.addStamp(
                card: .id(cardID), notes: nil, store: req.store, by: input.operatorContext(for: req),
                idempotency: try req.terminalIdempotency(form.idempotencyKey, operation: "stamp", content: input))
            return try result.transactionID(\StampResponse.transactionId)
        case .stampRedeem:
            let input = StampRequest(cardId: cardID, staffPin: form.staffPin)
            let result = try await req.stamps.redeemStamps(
                card: .id(cardID), notes: nil, store: req.store, by: input.operatorContext(for: req),
                idempotency: try req.terminalIdempotency(form.idempotencyKey, operation: "stamp.redeem", content: input))
            return try result.transactionID(\StampRedeemResponse.transactionId)
        case .pointsEarn:
            let cents: Int
            do throws(EuroAmountError) {
                cents = try EuroAmount.cents(from: form.amount ?? "")
            } catch { throw TerminalInputError(key: error.catalogKey) }
            let input = EarnPointsRequest(cardId: cardID, staffPin: form.staffPin, purchaseAmountCents: cents)
            let checked = try input.validated()
            let result = try await req.points.earn(
                card: .id(cardID), purchaseCents: checked.cents, orderReference: nil, notes: nil, store: req.store,
                by: input.operatorContext(for: req),
                idempotency: try req.terminalIdempotency(form.idempotencyKey, operation: "points.earn", content: input))
            return try result.transactionID(\PointsEarnResponse.transactionId)
        case .pointsRedeem:
            // The reward comes with the form, or in the button's `formaction` (one button per reward).
            let named = form.reward ?? req.query[String.self, at: "reward"]
            guard let rewardID = named.flatMap(UUID.init(uuidString:)) else { throw TerminalInputError(key: "terminal.reward.pick") }
            let input = RedeemPointsRequest(cardId: cardID, staffPin: form.staffPin, rewardId: rewardID)
            let result = try await req.points.redeem(
                card: .id(cardID), rewardID: rewardID, notes: nil, store: req.store, by: input.operatorContext(for: req),
                idempotency: try req.terminalIdempotency(form.idempotencyKey, operation: "points.redeem", content: input))
            return try result.transactionID(\PointsRedeemResponse.transactionId)
        }
    }
}

extension OperationResult where Value: Codable {
    /// The ledger row the operation wrote, from its answer or from the stored first answer
    /// that a retry (same `idempotency_key`) replays.
    func transactionID(_ field: KeyPath<Value, UUID>) throws -> UUID {
        switch self {
        case .performed(let value): return value[keyPath: field]
        case .replayed(let stored):
            return try APIJSON.makeDecoder().decode(Value.self, from: Data(stored.body.utf8))[keyPath: field]
        }
    }
}
