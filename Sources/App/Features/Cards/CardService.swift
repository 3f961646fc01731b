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

    /// 24 random bytes, base64url: what a QR code on the card or in a wallet carries.
    static func newQRToken() -> String {
        let bytes = SymmetricKey(size: SymmetricKeySize(bitCount: 192)).withUnsafeBytes { Data($0) }
        return bytes.base64URLEncoded  // 24 bytes: never padded
    }
}
