import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// A customer's personal data: changing contact data, exporting everything held, and erasure
/// (docs/decisions/0019-customer-erasure.md). Every call names the merchant; another
/// merchant's customer is `not_found`.
struct CustomerDataService: Sendable {
    let database: any Database
    let writeGate: AsyncGate?
    let now: @Sendable () -> Date
    /// Runs with the ids of the customer's cards after a change to what their passes show
    /// (the holder's name and language, an erasure): the wallets update them.
    var afterCommit: @Sendable ([UUID]) -> Void = { _ in }

    /// Who changes the data: an address staff enter may later match at the counter, one the
    /// customer gives online is unverified (decision 0008).
    enum Editor: Sendable { case staff, customer }

    func update(_ customerID: UUID, merchantID: UUID, with changes: UpdateCustomerRequest.Changes, by editor: Editor) async throws
        -> CustomerModel
    {
        do {
            let customer = try await database.writeTransaction(gate: writeGate) { tx in
                let customer = try await CustomerService(database: tx, now: now).customer(customerID, merchantID: merchantID)
                guard customer.erasedAt == nil else {
                    throw APIError.conflict("customer_erased", "This customer's personal data was erased.")
                }
                if let name = changes.name { customer.name = name }
                switch changes.email {
                case .absent: break
                case .clear:
                    customer.email = nil
                    customer.emailFromStaff = false
                case .set(let email):
                    if email != customer.email { customer.emailFromStaff = editor == .staff }
                    customer.email = email
                }
                switch changes.phone {
                case .absent: break
                case .clear: customer.phone = nil
                case .set(let phone): customer.phone = phone
                }
                switch changes.birthday {
                case .absent: break
                case .clear: customer.birthday = nil
                case .set(let birthday): customer.birthday = birthday
                }
                if let locale = changes.locale { customer.locale = locale }
                if let consent = changes.marketingConsent, consent != customer.marketingConsent {
                    customer.marketingConsent = consent
                    if consent { customer.marketingConsentAt = now() }
                }
                try await customer.save(on: tx)
                return customer
            }
            await cardsChanged(of: customerID, merchantID: merchantID)
            return customer
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw APIError.alreadyExists(field: "email", message: "A customer with this e-mail address already exists.")
        }
    }

    /// Everything held about the customer: profile, cards (replaced ones too), each card's
    /// ledger rows and the devices holding its pass.
    func export(_ customerID: UUID, merchantID: UUID) async throws -> CustomerExportResponse {
        let customer = try await CustomerService(database: database, now: now).customer(customerID, merchantID: merchantID)
        let cards = try await CardModel.query(on: database).filter(\.$merchant.$id == merchantID).filter(\.$customer.$id == customerID)
            .sort(\.$createdAt).all()
        let programs = try await ProgramModel.query(on: database).filter(\.$merchant.$id == merchantID).all()
        var exported: [CustomerExportResponse.Card] = []
        for card in cards {
            let cardID = try card.requireID()
            guard let program = programs.first(where: { $0.id == card.$program.id }) else { continue }
            let rows = try await TransactionModel.query(on: database).filter(\.$card.$id == cardID).sort(\.$sequence).all()
            let devices = try await AppleDeviceRegistrationModel.query(on: database).filter(\.$card.$id == cardID).sort(\.$createdAt).all()
            exported.append(
                CustomerExportResponse.Card(
                    card: try CardResponse(card, program: program, customer: customer),
                    transactions: try rows.map(CustomerExportResponse.Transaction.init),
                    appleWalletDevices: devices.map { .init(deviceLibraryIdentifier: $0.deviceLibraryIdentifier, registeredAt: $0.createdAt) }))
        }
        return CustomerExportResponse(exportedAt: now(), customer: try CustomerResponse(customer), cards: exported)
    }

    /// Removes the customer's personal data and keeps what the ledger needs: the customer row
    /// stays (cards point to it) without name, contact data, birthday, consent or password; its
    /// sign-ins end; its cards are blocked, lose their private links and forget their devices.
    /// Ledger rows hold no customer data and are never touched, so every chain still verifies.
    /// Erasing twice changes nothing more.
    func erase(_ customerID: UUID, merchantID: UUID) async throws -> CustomerModel {
        let erased = try await database.writeTransaction(gate: writeGate) { tx in
            let customer = try await CustomerService(database: tx, now: now).customer(customerID, merchantID: merchantID)
            let erasedAt = LedgerEntry.wholeMilliseconds(self.now())
            let cards = try await CardModel.query(on: tx).filter(\.$merchant.$id == merchantID).filter(\.$customer.$id == customerID)
                .all()
            for cardID in try cards.map({ try $0.requireID() }) {
                // Locked like a counter operation, so a stamp in flight finishes first.
                guard let card = try await CardModel.lockForUpdate(.id(cardID), merchantID: merchantID, on: tx) else { continue }
                if card.blockedAt == nil {
                    card.blockedAt = erasedAt
                    card.blockedReason = CustomerModel.erasedReason
                }
                card.linkTokenHash = nil
                try await card.save(on: tx)
                try await AppleDeviceRegistrationModel.query(on: tx).filter(\.$card.$id == cardID).delete()
            }
            try await AccessTokenModel.query(on: tx).filter(\.$customer.$id == customerID).delete()
            customer.name = ""
            customer.email = nil
            customer.emailFromStaff = false
            customer.phone = nil
            customer.birthday = nil
            customer.marketingConsent = false
            customer.marketingConsentAt = nil
            customer.passwordHash = nil
            customer.erasedAt = customer.erasedAt ?? erasedAt
            try await customer.save(on: tx)
            return customer
        }
        // Google keeps the object as last sent: its name goes, and it turns inactive.
        await cardsChanged(of: customerID, merchantID: merchantID)
        return erased
    }

    /// After the commit, so it must not fail the request: a card it misses is still owed to
    /// the wallets, and the hourly job sends it.
    private func cardsChanged(of customerID: UUID, merchantID: UUID) async {
        let cards = try? await CardModel.query(on: database).filter(\.$merchant.$id == merchantID)
            .filter(\.$customer.$id == customerID).field(\.$id).all()
        afterCommit((cards ?? []).compactMap(\.id))
    }
}

extension CustomerModel {
    /// The block reason of the cards of an erased customer.
    static let erasedReason = "customer erased"
}

extension Request {
    var customerData: CustomerDataService {
        var service = CustomerDataService(database: db, writeGate: application.writeGate, now: application.clock)
        if let wallets = application.walletUpdates { service.afterCommit = { wallets.cardsChanged($0) } }
        return service
    }
}
