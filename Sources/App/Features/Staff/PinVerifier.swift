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
/// caller answers `invalid_pin` or `pin_locked`. Failures count against the named staff member
/// (`staff_pin_id`), otherwise against the store's terminal.
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
        let pinHash = hasher.hash(pin: pin, merchantID: store.merchantID)
        if let namedID = operatorContext.staffPinID {
            return try await verifyNamed(namedID, pinHash: pinHash, store: store, at: now, on: tx)
        }
        return try await verifyAtTerminal(pinHash: pinHash, store: store, at: now, on: tx)
    }

    private func verifyNamed(_ id: UUID, pinHash: String, store: StoreContext, at now: Date, on tx: any Database) async throws -> Outcome {
        guard let staff = try await lockStaffPin(id, store: store, on: tx) else { throw APIError.notFound("The staff PIN") }
        if let lockedUntil = staff.lockout.lockEnd(at: now) { return .refused(.pinLocked(until: lockedUntil)) }
        if constantTimeEquals(staff.pinHash, pinHash) {
            if staff.failedAttempts > 0 {
                staff.lockout.recordSuccess()
                try await staff.save(on: tx)
            }
            return .verified(staff)
        }
        var lockout = staff.lockout
        let remaining = lockout.recordFailure(at: now, maxAttempts: maxAttempts, lockout: self.lockout)
        staff.lockout = lockout
        try await staff.save(on: tx)
        return .refused(remaining == 0 ? .pinLocked(until: lockout.lockedUntil ?? now) : .invalidPin(attemptsRemaining: remaining))
    }

    private func verifyAtTerminal(pinHash: String, store: StoreContext, at now: Date, on tx: any Database) async throws -> Outcome {
        var guardState = try await terminalLockout(store: store, on: tx, lock: false)
        if let lockedUntil = guardState.lockEnd(at: now) { return .refused(.pinLocked(until: lockedUntil)) }

        let staff = try await StaffPinModel.query(on: tx)
            .filter(\.$merchant.$id == store.merchantID)
            .filter(\.$pinHash == pinHash)
            .filter(\.$isActive == true)
            .first()
        if let staff, staff.$store.id == store.storeID {
            if let lockedUntil = staff.lockout.lockEnd(at: now) { return .refused(.pinLocked(until: lockedUntil)) }
            if guardState.failedAttempts > 0 { try await saveTerminalLockout(PinLockout(), store: store, on: tx) }
            return .verified(staff)
        }
        // Wrong: count it under the row lock, re-reading the state another request may have moved.
        guardState = try await terminalLockout(store: store, on: tx, lock: true)
        if let lockedUntil = guardState.lockEnd(at: now) { return .refused(.pinLocked(until: lockedUntil)) }
        let remaining = guardState.recordFailure(at: now, maxAttempts: maxAttempts, lockout: lockout)
        try await saveTerminalLockout(guardState, store: store, on: tx)
        return .refused(remaining == 0 ? .pinLocked(until: guardState.lockedUntil ?? now) : .invalidPin(attemptsRemaining: remaining))
    }

    private func lockStaffPin(_ id: UUID, store: StoreContext, on tx: any Database) async throws -> StaffPinModel? {
        try await tx.sql.select().column("*").from(StaffPinModel.schema)
            .where("id", .equal, id)
            .where("store_id", .equal, store.storeID)
            .where("is_active", .equal, true)
            .for(.update)
            .first(decodingFluent: StaffPinModel.self)
    }

    /// The terminal's counter; with `lock`, the row is created if needed and locked.
    private func terminalLockout(store: StoreContext, on tx: any Database, lock: Bool) async throws -> PinLockout {
        struct Row: Decodable {
            let failed_attempts: Int
            let locked_until: Date?
        }
        if lock {
            try await tx.sql.raw(
                """
                INSERT INTO store_pin_guards (store_id, failed_attempts) VALUES (\(bind: store.storeID), 0)
                ON CONFLICT (store_id) DO NOTHING
                """
            ).run()
        }
        let query = tx.sql.select().column("failed_attempts").column("locked_until").from("store_pin_guards")
            .where("store_id", .equal, store.storeID)
        let row = try await (lock ? query.for(.update) : query).first(decoding: Row.self)
        return PinLockout(failedAttempts: row?.failed_attempts ?? 0, lockedUntil: row?.locked_until.map(LedgerEntry.wholeMilliseconds))
    }

    private func saveTerminalLockout(_ state: PinLockout, store: StoreContext, on tx: any Database) async throws {
        try await tx.sql.update("store_pin_guards")
            .set("failed_attempts", to: state.failedAttempts)
            .set("locked_until", to: state.lockedUntil)
            .where("store_id", .equal, store.storeID)
            .run()
    }
}
