import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// What an operation answered: freshly performed, or the stored first answer to a retry.
enum OperationResult<Value: Sendable>: Sendable {
    case performed(Value)
    case replayed(StoredResponse)
}

/// Runs one balance-changing operation on one card, the same way for every kind:
/// lock the card, replay an idempotent retry, check the card, program and staff PIN, read the
/// clock, apply the rule, write the ledger row and store the answer for retries, all in one
/// write transaction (docs/decisions/0001-write-transactions.md).
struct CardOperationRunner: Sendable {
    let database: any Database
    let writeGate: AsyncGate?
    let pins: PinVerifier
    let now: @Sendable () -> Date
    /// Test hook: a pause between locking the card and writing, to widen any race window.
    var pauseBeforeWrite: Duration = .zero
    /// Runs after an operation committed a change to the card (not for a replay or a refusal):
    /// the wallet pushes hang here.
    var afterCommit: @Sendable (UUID) -> Void = { _ in }

    private enum Outcome<Value: Sendable>: Sendable {
        /// With the card and the types of the ledger rows written, for after the commit.
        case performed(Value, cardID: UUID, rows: [TransactionType])
        case replayed(StoredResponse)
        /// A wrong PIN: its counter must commit, then the caller answers with the error.
        case refused(APIError)
    }

    /// Performs `operation` on the card `reference` names among the store's merchant's cards,
    /// answering its value or a stored replay. The card is found and locked by one statement,
    /// inside the transaction.
    ///
    /// `asksForPin: false` is for owners acting through their own account (manual
    /// adjustments), not at a shared terminal.
    func run<Value: Codable & Sendable>(
        card reference: CardReference,
        store: StoreContext,
        operatorContext: OperatorContext,
        idempotency: IdempotencyRequest?,
        successStatus: Int = 200,
        asksForPin: Bool = true,
        _ operation: @escaping @Sendable (CardOperation) async throws -> Value
    ) async throws -> OperationResult<Value> {
        // The program and the merchant's settings are configuration, read before the write lock
        // so the locked section runs only what must be serialized; the rules they parametrize
        // are still decided under the lock.
        let merchantProgram = try await ProgramModel.query(on: database).filter(\.$merchant.$id == store.merchantID).first()
        let settings = try await SettingsService.settings(of: store.merchantID, on: database)
        let asked = ContinuousClock.now
        do {
            let outcome = try await database.writeTransaction(gate: writeGate) { tx -> Outcome<Value> in
                guard let card = try await CardModel.lockForUpdate(reference, merchantID: store.merchantID, on: tx) else {
                    throw APIError.notFound("The card")
                }
                PlatformMetrics.cardLockWait(ContinuousClock.now - asked)
                if let idempotency, let stored = try await IdempotencyStore.replay(idempotency, store: store, on: tx) {
                    return .replayed(stored)
                }
                if let refusal = card.blockedRefusal { throw refusal }
                guard card.isActive else { throw APIError.conflict("card_inactive", "This card is deactivated.") }
                let program =
                    merchantProgram?.id == card.$program.id ? merchantProgram : try await ProgramModel.find(card.$program.id, on: tx)
                guard let program, program.isActive else {
                    throw APIError.conflict("program_inactive", "The loyalty program is not active.")
                }
                // Whole milliseconds: the ledger hashes them, and stored times (`last_stamp_at`) are
                // compared at the same precision whatever rounding each database applied.
                let now = LedgerEntry.wholeMilliseconds(self.now())
                var staffPin: StaffPinModel?
                if asksForPin, settings.staffPinPolicy != .disabled {
                    let required = settings.requiresPin(programRequiresPin: program.requireStaffPin)
                    switch try await pins.verify(operatorContext, required: required, store: store, at: now, on: tx) {
                    case .refused(let error): return .refused(error)
                    case .verified(let staff): staffPin = staff
                    }
                }
                if pauseBeforeWrite > .zero { try await Task.sleep(for: pauseBeforeWrite) }

                let op = try CardOperation(
                    tx: tx, card: card, program: program, settings: settings, store: store, staffPin: staffPin,
                    operatorContext: operatorContext, now: now)
                let value = try await operation(op)
                if let idempotency {
                    let body = String(decoding: try APIJSON.makeEncoder().encode(value), as: UTF8.self)
                    try await IdempotencyStore.save(
                        idempotency, response: StoredResponse(status: successStatus, body: body), store: store,
                        at: now, on: tx)
                }
                return .performed(value, cardID: op.cardID, rows: op.recordedTypes)
            }
            switch outcome {
            case .performed(let value, let cardID, let rows):
                for type in rows { PlatformMetrics.operationCommitted(type.rawValue) }
                afterCommit(cardID)
                return .performed(value)
            case .replayed(let stored):
                PlatformMetrics.operationReplayed()
                return .replayed(stored)
            case .refused(let error): throw error
            }
        } catch let refusal as APIError {
            // Every refusal passes here: thrown under the lock, or a wrong PIN after its commit.
            PlatformMetrics.operationRefused(refusal.code)
            throw refusal
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true && idempotency != nil {
            // Two first attempts with one key raced (on different cards, so the card lock did
            // not order them) and the other committed first: answer as its retry.
            guard let idempotency,
                let stored = try await IdempotencyStore.replay(idempotency, store: store, on: database)
            else { throw error }
            PlatformMetrics.operationReplayed()
            return .replayed(stored)
        }
    }
}
