import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// The `loyalty.expire_points` job: one `points_expired` row per card inactive past its
/// program's `points_expiration_days` (docs/decisions/0020-points-expiry.md).
///
/// Candidates are read in keyset batches, per program with a window. Each
/// expiry is a card operation of its own through `CardOperationRunner`, which locks the card
/// and decides again from what the lock reads: a card used since the batch was read keeps its
/// points, and a second run (after a crash, or two at once) finds a zero balance and writes
/// nothing. The runner's after-commit hook pushes the wallet pass, as for a stamp.
struct PointsExpiryService: Sendable {
    let database: any Database
    let runner: CardOperationRunner
    let now: @Sendable () -> Date
    var batchSize = 500

    /// A card the job found due, with what it holds at the time of the batch.
    struct Candidate: Sendable, Equatable {
        let cardID: UUID
        let cardNumber: String
        let points: Int
    }

    /// What a run did, or (dry run) would do.
    struct Report: Sendable, Equatable, CustomStringConvertible {
        var dryRun = false
        /// Cards found inactive past their window with points, when their batch was read.
        var cardsChecked = 0
        var cardsExpired = 0
        var pointsExpired = 0
        /// Dry run only: what would expire.
        var wouldExpire: [Candidate] = []

        var description: String {
            dryRun
                ? "dry run: \(cardsChecked) cards checked, \(cardsExpired) would expire, \(pointsExpired) points; nothing written"
                : "\(cardsChecked) cards checked, \(cardsExpired) expired, \(pointsExpired) points"
        }
    }

    /// Expires every due card, or only lists them (`dryRun`); `progress` hears after each batch.
    func expireAll(dryRun: Bool = false, progress: @Sendable (String) -> Void = { _ in }) async throws -> Report {
        var report = Report(dryRun: dryRun)
        let startedAt = now()
        let programs = try await ProgramModel.query(on: database)
            .filter(\.$pointsExpirationDays != nil).filter(\.$isActive == true).sort(\.$id).all()
        for program in programs {
            guard let days = program.pointsExpirationDays else { continue }
            let cutoff = PointsExpiry.cutoff(at: startedAt, afterDays: days)
            // Keyset on (last activity, id), the order of the index on (merchant, last activity);
            // an expiry leaves the activity time alone, so the order holds during the run. The
            // boundary is the stored row's own value, read by the database: a time read back into
            // Swift is rounded (SQLite's driver rounds to microseconds) and would not compare equal.
            var after: UUID?
            while true {
                let query = database.sql.select().column("*").from(CardModel.schema)
                    .where("merchant_id", .equal, program.$merchant.id)
                    .where("last_activity_at", .lessThanOrEqual, cutoff)
                    .where("program_id", .equal, try program.requireID())
                    .where("is_active", .equal, true)
                    .where("points_balance", .greaterThan, 0)
                    .orderBy("last_activity_at").orderBy("id").limit(batchSize)
                if let after {
                    query.where(
                        SQLQueryString(
                            "(last_activity_at, id) > (SELECT last_activity_at, id FROM \(ident: CardModel.schema) WHERE id = \(bind: after))"))
                }
                let cards = try await query.all(decodingFluent: CardModel.self)
                for card in cards {
                    report.cardsChecked += 1
                    let candidate = Candidate(cardID: try card.requireID(), cardNumber: card.printedNumber, points: card.pointsBalance)
                    if dryRun {
                        let due = PointsExpiry.pointsDue(
                            balance: card.pointsBalance, lastActivity: card.lastActivityAt, afterDays: days, at: startedAt)
                        guard due > 0 else { continue }
                        report.wouldExpire.append(candidate)
                        report.cardsExpired += 1
                        report.pointsExpired += due
                        progress("would expire \(due) points of card \(candidate.cardNumber)")
                    } else if let expired = try await expire(card) {
                        report.cardsExpired += 1
                        report.pointsExpired += expired
                    }
                }
                if !cards.isEmpty { progress(report.description) }
                guard cards.count == batchSize, let last = cards.last else { break }
                after = try last.requireID()
            }
        }
        return report
    }

    private struct NothingToExpire: Error {}

    /// Expires one card's points under its lock; the points taken, or `nil` when the locked
    /// card turned out not to be due (used meanwhile, already expired, deactivated).
    private func expire(_ card: CardModel) async throws -> Int? {
        let cardID = try card.requireID()
        guard let store = try await store(for: card) else { return nil }
        do {
            let result = try await runner.run(
                card: .id(cardID), store: store, operatorContext: OperatorContext(), idempotency: nil, asksForPin: false
            ) { op in
                var balance = op.card.balance
                let days = op.program.pointsExpirationDays
                let expired = PointsExpiry.expire(&balance, lastActivity: op.card.lastActivityAt, afterDays: days, at: op.now)
                // Thrown, not returned: the transaction then writes nothing and no push follows.
                guard expired > 0, let days else { throw NothingToExpire() }
                op.card.balance = balance
                try await op.record(
                    .init(
                        type: .pointsExpired, pointsDelta: -expired, notes: "No activity for \(days) days",
                        stats: DailyStatsDelta(pointsExpired: expired)))
                return expired
            }
            guard case .performed(let expired) = result else { return nil }
            return expired
        } catch is NothingToExpire {
            return nil
        } catch is APIError {
            // The card or its program was deactivated after the batch was read: left alone.
            return nil
        }
    }

    /// The store the expiry is booked in (its statistics, its local day): where the card was
    /// last used, else where it was enrolled, else the merchant's first store.
    private func store(for card: CardModel) async throws -> StoreContext? {
        let lastStoreID = try await TransactionModel.query(on: database)
            .filter(\.$card.$id == card.requireID()).filter(\.$storeID != nil)
            .sort(\.$sequence, .descending).first()?.storeID
        if let id = lastStoreID ?? card.$enrolledStore.id, let store = try await StoreModel.find(id, on: database),
            store.$merchant.id == card.$merchant.id
        {
            return try StoreContext(store)
        }
        // The merchant's first store, as online enrollments count it; none: nothing to book on.
        do {
            return try await StorefrontLoyaltyController.homeStore(of: card.$merchant.id, on: database)
        } catch is APIError {
            return nil
        }
    }
}

extension Application {
    /// The expiry job's service, writing through the same runner as the counter (and pushing
    /// the wallet passes after each commit).
    var pointsExpiry: PointsExpiryService {
        let antiFraud = config.antiFraud
        var runner = CardOperationRunner(
            database: db, writeGate: writeGate,
            pins: PinVerifier(
                hasher: pinHasher, maxAttempts: antiFraud.pinMaxFailedAttempts, lockout: TimeInterval(antiFraud.pinLockoutMinutes * 60)),
            now: clock)
        runner.pauseBeforeWrite = raceWindow
        if let wallets = walletUpdates { runner.afterCommit = { wallets.cardsChanged([$0]) } }
        return PointsExpiryService(database: db, runner: runner, now: clock)
    }
}
