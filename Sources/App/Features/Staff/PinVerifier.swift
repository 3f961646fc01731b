import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// Who stands at the counter: the PIN they typed, and the audit details of the request.
struct OperatorContext: Sendable {
    var staffPin: String?
    /// The staff member the terminal names; failures then count against them.
    var staffPinID: UUID?
    var userID: UUID?
    var ipAddress: String?
    var userAgent: String?
}

extension OperatorContext {
    /// The signed-in staff member of `request` with the PIN fields a counter operation sent.
    init(request: Request, staffPin: String? = nil, staffPinID: UUID? = nil) {
        self.init(
            staffPin: staffPin, staffPinID: staffPinID, userID: request.staff.userID, ipAddress: request.clientAddress,
            userAgent: request.headers.first(name: .userAgent).map { String($0.prefix(500)) })
    }
}

/// Checks a staff PIN inside the operation's write transaction, counting failures in the
/// database so that parallel wrong guesses get no more tries than the limit.
///
/// A wrong PIN is not thrown: it is returned, so the transaction commits the counter before the
/// caller answers `invalid_pin` or `pin_locked`. How failures count
/// (docs/decisions/0013-pin-failure-counting.md):
///
/// - every wrong PIN typed at a terminal (store and signed-in account), named or not, counts in
///   that terminal's counter; no success resets it, only time (`lockout`) or a manager's unlock;
/// - a wrong PIN naming a staff member (`staff_pin_id`) also counts against them, and only
///   their own success resets that;
/// - a PIN that matches a colleague whose PIN is locked is answered exactly like a wrong PIN,
///   and counted like one, so a lock reveals nothing about the digits.
struct PinVerifier: Sendable {
    let hasher: PinHasher
    let maxAttempts: Int
    let lockout: TimeInterval

    enum Outcome: Sendable {
        /// The PIN identified this staff member, or none was needed (`nil`).
        case verified(StaffPinModel?)
        case refused(APIError)
    }

    func verify(
        _ operatorContext: OperatorContext,
        required: Bool,
        store: StoreContext,
        at now: Date,
        on tx: any Database
    ) async throws -> Outcome {
        guard let pin = operatorContext.staffPin else {
            if required || operatorContext.staffPinID != nil {
                throw APIError.validationFailed(["staff_pin": "is required by this program"])
            }
            return .verified(nil)
        }
        let terminal = Terminal(storeID: store.storeID, id: operatorContext.terminalID(store: store))
        let pinHash = hasher.hash(pin: pin, merchantID: store.merchantID)
        if let namedID = operatorContext.staffPinID {
            // A locked terminal refuses every PIN alike, right or wrong: no oracle.
            let terminalState = try await PinTerminalCounter.state(store: terminal.storeID, terminal: terminal.id, on: tx, lock: false)
            if let lockedUntil = terminalState.lockEnd(at: now) { return .refused(.pinLocked(until: lockedUntil)) }
            return try await verifyNamed(namedID, pinHash: pinHash, store: store, terminal: terminal, at: now, on: tx)
        }
        // The terminal's lock and the PIN's owner in one statement (the counter's usual path):
        // the owner is only looked at once the terminal is known to be open, so the answer is
        // the same as reading them one after the other.
        let (terminalState, owner) = try await terminalAndPinOwner(terminal, pinHash: pinHash, merchantID: store.merchantID, on: tx)
        if let lockedUntil = terminalState.lockEnd(at: now) { return .refused(.pinLocked(until: lockedUntil)) }
        return try await verifyAtTerminal(
            owner, store: store, terminal: terminal, userID: operatorContext.userID, at: now, on: tx)
    }

    private struct Terminal {
        let storeID: UUID
        let id: UUID
    }

    private func verifyNamed(
        _ id: UUID, pinHash: String, store: StoreContext, terminal: Terminal, at now: Date, on tx: any Database
    ) async throws -> Outcome {
        guard let staff = try await lockStaffPin(id, store: store, on: tx) else { throw APIError.notFound("The staff PIN") }
        // The named person's lock does not depend on the digits typed: it reveals nothing.
        if let lockedUntil = staff.lockout.lockEnd(at: now) { return .refused(.pinLocked(until: lockedUntil)) }
        if constantTimeEquals(staff.pinHash, pinHash) {
            if staff.failedAttempts > 0 {
                staff.lockout.recordSuccess()
                try await staff.save(on: tx)
            }
            return .verified(staff)
        }
        var lockout = staff.lockout
        let staffRemaining = lockout.recordFailure(at: now, maxAttempts: maxAttempts, lockout: self.lockout)
        staff.lockout = lockout
        try await staff.save(on: tx)
        let atTerminal = try await countFailure(at: terminal, staff: StaffMember(staffPinID: id, userID: nil), store: store, now: now, on: tx)
        return refusal(
            remaining: min(staffRemaining, atTerminal.remaining),
            lockedUntil: [lockout.lockedUntil, atTerminal.lockedUntil].compactMap { $0 }.max(), now: now)
    }

    /// `staff`: the active PIN of the merchant with these digits, whatever its store.
    private func verifyAtTerminal(
        _ staff: StaffPinModel?, store: StoreContext, terminal: Terminal, userID: UUID?, at now: Date, on tx: any Database
    ) async throws -> Outcome {
        // A locked colleague's PIN is no PIN at all until the lock ends: answered and counted as wrong.
        if let staff, staff.$store.id == store.storeID, staff.lockout.lockEnd(at: now) == nil {
            if staff.failedAttempts > 0 {
                staff.lockout.recordSuccess()
                try await staff.save(on: tx)
            }
            return .verified(staff)
        }
        let atTerminal = try await countFailure(
            at: terminal, staff: StaffMember(staffPinID: nil, userID: userID), store: store, now: now, on: tx)
        return refusal(remaining: atTerminal.remaining, lockedUntil: atTerminal.lockedUntil, now: now)
    }

    /// Counts one wrong PIN at the terminal under the row's lock, re-reading the state another
    /// request may have moved. Returns the attempts left and the lock's end once there is one.
    ///
    /// The failure also counts in the staff member's analytics day (`staff`: the named PIN,
    /// else the signed-in account), for the fraud signals.
    private func countFailure(
        at terminal: Terminal, staff: StaffMember?, store: StoreContext, now: Date, on tx: any Database
    ) async throws -> (remaining: Int, lockedUntil: Date?) {
        var state = try await PinTerminalCounter.state(store: terminal.storeID, terminal: terminal.id, on: tx, lock: true)
        if let lockedUntil = state.lockEnd(at: now) { return (0, lockedUntil) }
        if let staff {
            try await AnalyticsRollups.addStaff(
                StaffDayDelta(pinFailures: 1), staff: staff, merchantID: store.merchantID, storeID: store.storeID,
                day: store.businessDay(at: now), on: tx)
        }
        let remaining = state.recordFailure(at: now, maxAttempts: maxAttempts, lockout: lockout, forgetAfter: lockout)
        try await PinTerminalCounter.save(state, store: terminal.storeID, terminal: terminal.id, on: tx)
        return (remaining, state.lockEnd(at: now))
    }

    /// `invalid_pin` with the attempts left, or `pin_locked` once none are.
    private func refusal(remaining: Int, lockedUntil: Date?, now: Date) -> Outcome {
        .refused(remaining == 0 ? .pinLocked(until: lockedUntil ?? now) : .invalidPin(attemptsRemaining: remaining))
    }

    /// A PIN tied to a staff account works only while that account does: the cashier who
    /// leaves is deactivated once, and their PIN stops with their sign-in.
    private static let accountIsActive =
        "(\(StaffPinModel.schema).user_id IS NULL OR \(StaffPinModel.schema).user_id IN (SELECT id FROM \(UserModel.schema) WHERE is_active))"

    /// The terminal's failure state and the merchant's active PIN with `pinHash` (if any), read
    /// together: one statement instead of two inside the write lock.
    private func terminalAndPinOwner(
        _ terminal: Terminal, pinHash: String, merchantID: UUID, on tx: any Database
    ) async throws -> (PinLockout, StaffPinModel?) {
        let pins = StaffPinModel.schema
        let row = try await tx.sql.raw(
            """
            SELECT t.failed_attempts AS terminal_failed_attempts, t.first_failed_at AS terminal_first_failed_at,
                t.locked_until AS terminal_locked_until, \(unsafeRaw: pins).*
            FROM (SELECT 1 AS probe) AS probe
            LEFT JOIN \(ident: PinTerminalCounter.schema) AS t ON t.store_id = \(bind: terminal.storeID) AND t.terminal_id = \(bind: terminal.id)
            LEFT JOIN \(ident: pins) ON \(unsafeRaw: pins).merchant_id = \(bind: merchantID) AND \(unsafeRaw: pins).pin_hash = \(bind: pinHash)
                AND \(unsafeRaw: pins).is_active = \(bind: true) AND \(unsafeRaw: Self.accountIsActive)
            LIMIT 1
            """
        ).first()
        guard let row else { return (PinLockout(), nil) }
        let lockout = try PinTerminalCounter.lockout(
            failedAttempts: row.decode(column: "terminal_failed_attempts", as: Int?.self),
            firstFailedAt: row.decode(column: "terminal_first_failed_at", as: Date?.self),
            lockedUntil: row.decode(column: "terminal_locked_until", as: Date?.self))
        let owner = try row.decodeNil(column: "id") ? nil : row.decode(fluentModel: StaffPinModel.self)
        return (lockout, owner)
    }

    private func lockStaffPin(_ id: UUID, store: StoreContext, on tx: any Database) async throws -> StaffPinModel? {
        try await tx.sql.select().column("*").from(StaffPinModel.schema)
            .where("id", .equal, id)
            .where("store_id", .equal, store.storeID)
            .where("is_active", .equal, true)
            .where(SQLRaw(Self.accountIsActive))
            .for(.update)
            .first(decodingFluent: StaffPinModel.self)
    }
}

extension OperatorContext {
    /// The terminal whose counter a wrong PIN moves: the signed-in account, or the store itself
    /// for a request without one.
    func terminalID(store: StoreContext) -> UUID {
        userID ?? store.storeID
    }
}
