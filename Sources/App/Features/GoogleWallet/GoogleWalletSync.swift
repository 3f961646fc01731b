import Crypto
import Fluent
import Foundation
import GoogleWallet
import LoyaltyCore
import NIOConcurrencyHelpers
import Vapor

/// Keeps Google's copy of every card (its LoyaltyObject) and program (its LoyaltyClass) equal
/// to the platform's, the way `WalletPushNotifier` does for Apple (decision 0025).
///
/// After a change commits, the changed cards gather for `batchWindow` and are synced in the
/// background. An update is owed while the object the card would give now differs from the
/// body Google last accepted; the hourly job syncs whatever is still owed.
final class GoogleWalletSync: Sendable {
    let issuer: GoogleWalletIssuer
    private let database: @Sendable () -> any Database
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let background = WalletBackgroundWork(window: GoogleWalletSync.batchWindow, wallet: "google")
    /// Class bodies Google accepted, by program: most syncs then need no class read.
    private let acceptedClasses = NIOLockedValueBox<[UUID: String]>([:])
    private let classGate = AsyncGate()

    /// How long changed cards gather before they are synced together.
    static let batchWindow: Duration = .milliseconds(100)
    /// Calls to Google at once.
    static let width = 8
    /// How long a claim on `count` cards holds: longer than their calls with every retry
    /// (10 s timeouts, 3 attempts, waits up to 5 s: under 45 s a call), `width` at a time. A
    /// claim that ran out could let another instance send the same card meanwhile.
    static func lease(for count: Int) -> TimeInterval {
        60 + TimeInterval((count + width - 1) / width) * 45
    }
    /// A card another instance is syncing is tried again this much later.
    static let busyRetry: Duration = .milliseconds(250)
    /// Google notifies a holder of at most this many updates per pass in 24 hours; more
    /// notices would be dropped, so updates beyond it go quietly.
    static let noticesPerDay = 3
    static let batchSize = 500

    init(issuer: GoogleWalletIssuer, database: @escaping @Sendable () -> any Database, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.issuer = issuer
        self.database = database
        self.logger = logger
        self.now = now
    }

    /// What one round of syncing did.
    struct Report: Sendable, Equatable, CustomStringConvertible {
        var sent = 0
        var failed = 0
        var upToDate = 0
        /// Being synced by another instance (or another round of this one).
        var busy = 0

        mutating func add(_ other: Report) {
            sent += other.sent
            failed += other.failed
            upToDate += other.upToDate
            busy += other.busy
        }

        var description: String {
            "\(sent) objects sent, \(failed) failed (retried next time), \(upToDate) up to date, \(busy) busy elsewhere"
        }
    }

    // MARK: - In the background, after a change

    /// These cards changed (a balance, a block, a new card): sync them, without waiting.
    func cardsChanged(_ cardIDs: [UUID]) {
        background.note(cardIDs) { await self.syncChanged($0) }
    }

    private func syncChanged(_ cards: [UUID]) async {
        await logged {
            var report = Report()
            var busy: [UUID] = []
            for batch in cards.chunked(by: Self.batchSize) {
                let (batchReport, batchBusy) = try await self.sync(cards: batch)
                report.add(batchReport)
                busy += batchBusy
            }
            if !busy.isEmpty {
                self.logger.debug("Google Wallet: \(busy.count) cards are being synced elsewhere; trying again shortly")
                self.retryLater(busy)
            }
            return report
        }
    }

    /// The merchant's program changed (name, colour, logo, rewards, target): its class and
    /// every object of it may look different.
    func programChanged(merchantID: UUID) {
        background.run { await self.logged { try await self.syncMerchant(merchantID) } }
    }

    /// Another instance holds these cards: once it is done, whatever it missed is still owed.
    private func retryLater(_ cards: [UUID]) {
        background.run {
            try? await Task.sleep(for: Self.busyRetry)
            self.cardsChanged(cards)
        }
    }

    /// Waits for the background syncs started so far (in tests, before a command exits).
    func waitUntilIdle() async {
        await background.waitUntilIdle()
    }

    /// At shutdown: Google gets a few seconds to answer what is in flight, then it is cancelled
    /// and left owed (a call can take 45 s with its retries when Google hangs).
    static let shutdownWait: Duration = .seconds(5)

    func finishForShutdown() async {
        await background.finish(within: Self.shutdownWait)
    }

    private func logged(_ work: () async throws -> Report) async {
        do {
            let report = try await work()
            if report.failed > 0 { logger.warning("Google Wallet: \(report)") }
        } catch {
            logger.warning("Google Wallet sync could not run: \(error)")
        }
    }

    // MARK: - Catching up

    /// Syncs every card whose object Google lacks, failed, or shows an older state: the
    /// hourly `loyalty.sync_wallet_passes`. Cards Google already has cost no call.
    func catchUp() async throws -> Report {
        let report = try await syncCards(CardModel.query(on: database()))
        PlatformMetrics.walletOwed("google", updates: report.failed)
        return report
    }

    private func syncMerchant(_ merchantID: UUID) async throws -> Report {
        try await syncCards(CardModel.query(on: database()).filter(\.$merchant.$id == merchantID))
    }

    /// Syncs the cards `query` finds, one keyset batch of ids after another.
    private func syncCards(_ query: QueryBuilder<CardModel>) async throws -> Report {
        var report = Report()
        try await query.field(\.$id).forEachBatch(of: Self.batchSize) { batch in
            let cards = batch.compactMap(\.id)
            let owed = try await owedCards(cards, on: database())
            report.upToDate += cards.count - owed.count
            report.add(try await sync(cards: owed).report)
        }
        return report
    }

    /// The cards among `cardIDs` whose object Google lacks or holds in another state (their
    /// classes synced on the way), found without claiming anything: a catch-up over many cards
    /// Google already holds reads them and writes nothing.
    private func owedCards(_ cardIDs: [UUID], on db: any Database) async throws -> [UUID] {
        let rows = try await GoogleWalletObjectModel.query(on: db).filter(\.$card.$id ~~ cardIDs).all()
        let sent = Dictionary(rows.map { ($0.$card.id, $0.sentHash) }, uniquingKeysWith: { first, _ in first })
        let cards = try await CardModel.query(on: db).filter(\.$id ~~ cardIDs).all()
        let sources = try await WalletCardSources.load(cards, withRewards: true, on: db)
        var programs: Set<UUID> = []
        for source in sources.values where programs.insert(try source.program.requireID()).inserted {
            _ = await syncClass(Self.programFacts(source), on: db)
        }
        return try sources.compactMap { cardID, source in
            let current = try Self.hash(issuer.design.loyaltyObject(Self.cardFacts(source), program: Self.programFacts(source)))
            return sent[cardID] == current ? nil : cardID
        }
    }

    // MARK: - The work

    /// Syncs these cards' objects (and their classes first, when those changed). Answers the
    /// cards another instance holds right now.
    func sync(cards cardIDs: [UUID]) async throws -> (report: Report, busy: [UUID]) {
        let result = try await syncUncounted(cards: cardIDs)
        let report = result.report
        PlatformMetrics.walletUpdates("google", ["sent": report.sent, "failed": report.failed, "busy": report.busy])
        return result
    }

    private func syncUncounted(cards cardIDs: [UUID]) async throws -> (report: Report, busy: [UUID]) {
        guard !cardIDs.isEmpty else { return (Report(), []) }
        let db = database()
        try await createMissingRows(for: cardIDs, on: db)
        let owner = UUID().uuidString
        let claimedAt = now()
        // Claim first, read the cards after: what any instance committed before this claim is
        // in what this round sends, so a later round never undoes it.
        try await GoogleWalletObjectModel.query(on: db)
            .filter(\.$card.$id ~~ cardIDs)
            .group(.or) { $0.filter(\.$leaseUntil == nil).filter(\.$leaseUntil < claimedAt) }
            .set(\.$leaseOwner, to: owner).set(\.$leaseUntil, to: claimedAt.addingTimeInterval(Self.lease(for: cardIDs.count)))
            .update()
        let rows = try await GoogleWalletObjectModel.query(on: db).filter(\.$leaseOwner == owner).all()
        let claimed = Set(rows.map { $0.$card.id })
        var report = Report()
        let busy = cardIDs.filter { !claimed.contains($0) }
        report.busy = busy.count
        guard !rows.isEmpty else { return (report, busy) }
        // Rows sent are released with their result; the others (up to date, no card) in one
        // statement at the end, and after an error at once rather than when the lease ends.
        let releaseTheRest = GoogleWalletObjectModel.query(on: db).filter(\.$leaseOwner == owner)
            .set(\.$leaseOwner, to: nil).set(\.$leaseUntil, to: nil)
        do {
            report.add(try await sync(claimed: rows, owner: owner, on: db))
        } catch {
            try? await releaseTheRest.update()
            throw error
        }
        try await releaseTheRest.update()
        return (report, busy)
    }

    /// Syncs the objects of the rows this round claimed.
    private func sync(claimed rows: [GoogleWalletObjectModel], owner: String, on db: any Database) async throws -> Report {
        var report = Report()
        let cards = try await CardModel.query(on: db).filter(\.$id ~~ rows.map { $0.$card.id }).all()
        let sources = try await WalletCardSources.load(cards, withRewards: true, on: db)
        var classReady: [UUID: Result<String, GoogleWalletError>] = [:]
        for source in sources.values where classReady[try source.program.requireID()] == nil {
            classReady[try source.program.requireID()] = await syncClass(Self.programFacts(source), on: db)
        }

        var jobs: [ObjectJob] = []
        for row in rows {
            guard let source = sources[row.$card.id], let programID = source.program.id else { continue }
            let program = Self.programFacts(source)
            let card = Self.cardFacts(source)
            let base = issuer.design.loyaltyObject(card, program: program)
            let hash = try Self.hash(base)
            if hash == row.sentHash {
                report.upToDate += 1
                continue
            }
            if case .failure(let error) = classReady[programID] {
                try await recordFailure(row, owner: owner, error: "the class could not be synced first: \(error)", on: db)
                report.failed += 1
                continue
            }
            jobs.append(ObjectJob(row: row, object: base, hash: hash, card: card, program: program))
        }
        let outcomes = await send(jobs)
        for (job, outcome) in zip(jobs, outcomes) {
            switch outcome {
            case .success(let noticeSent):
                try await recordSuccess(job, noticeSent: noticeSent, owner: owner, on: db)
                report.sent += 1
            case .failure(let error):
                try await recordFailure(job.row, owner: owner, error: error.description, on: db)
                report.failed += 1
            }
        }
        return report
    }

    /// One object to send: the row claimed, the object as it should be, its hash.
    private struct ObjectJob: Sendable {
        let row: GoogleWalletObjectModel
        let object: LoyaltyObject
        let hash: String
        let card: GooglePassDesign.CardFacts
        let program: GooglePassDesign.ProgramFacts
    }

    /// Sends the objects, `width` at a time; answers, per job, whether a notice went with it.
    private func send(_ jobs: [ObjectJob]) async -> [Result<Bool, GoogleWalletError>] {
        await withTaskGroup(of: (Int, Result<Bool, GoogleWalletError>).self) { group in
            var results = [Result<Bool, GoogleWalletError>](repeating: .success(false), count: jobs.count)
            var next = 0
            func start() {
                guard next < jobs.count else { return }
                let index = next
                next += 1
                group.addTask { (index, await self.send(jobs[index])) }
            }
            for _ in 0..<Self.width { start() }
            while let (index, result) = await group.next() {
                results[index] = result
                start()
            }
            return results
        }
    }

    private func send(_ job: ObjectJob) async -> Result<Bool, GoogleWalletError> {
        var object = job.object
        let at = now()
        let rewardsReady = issuer.design.rewardsReady(job.card, program: job.program)
        let notice = job.row.sentHash != nil && rewardsReady > job.row.rewardsReady && noticesLeft(job.row, at: at) > 0
        if notice {
            object.messages = [issuer.design.rewardMessage(job.card, program: job.program, at: at)]
            object.notifyPreference = "NOTIFY_ON_UPDATE"
        }
        do {
            let body = try JSONEncoder.googleWallet.encode(object)
            if job.row.sentHash == nil {
                try await issuer.client.insertOrPatch(.loyaltyObject, id: object.id, body: body)
            } else {
                try await issuer.client.patchOrInsert(.loyaltyObject, id: object.id, body: body)
            }
            return .success(notice)
        } catch let error as GoogleWalletError {
            return .failure(error)
        } catch {
            return .failure(GoogleWalletError(kind: .network, call: "encode", message: "\(error)"))
        }
    }

    /// Notices left in the holder's current 24-hour window.
    private func noticesLeft(_ row: GoogleWalletObjectModel, at date: Date) -> Int {
        guard let start = row.noticeWindowStart, date.timeIntervalSince(start) < 86_400 else { return Self.noticesPerDay }
        return max(0, Self.noticesPerDay - row.noticesSent)
    }

    /// Creates the class, or updates it when what it shows changed; remembers what Google took.
    private func syncClass(_ program: GooglePassDesign.ProgramFacts, on db: any Database) async -> Result<String, GoogleWalletError> {
        let classID = issuer.design.classID(program)
        guard let loyaltyClass = issuer.design.loyaltyClass(program) else {
            return .failure(
                GoogleWalletError(
                    kind: .answered(status: 400), call: "POST loyaltyClass",
                    message: "the program has no logo_url and LOYALTY_PUBLIC_BASE_URL is not https: Google needs a public https logo"))
        }
        do {
            let body = try JSONEncoder.googleWallet.encode(loyaltyClass)
            let hash = SHA256.hash(data: body).hexEncoded
            if acceptedClasses.withLockedValue({ $0[program.programID] }) == hash { return .success(classID) }
            // One class call at a time in this instance: a program change and an enrollment
            // arriving together would otherwise both insert the class.
            try await classGate.withLock {
                try await self.sendClass(programID: program.programID, classID: classID, body: body, hash: hash, on: db)
            }
            return .success(classID)
        } catch let error as GoogleWalletError {
            return .failure(error)
        } catch {
            return .failure(GoogleWalletError(kind: .network, call: "class", message: "\(error)"))
        }
    }

    private func sendClass(programID: UUID, classID: String, body: Data, hash: String, on db: any Database) async throws {
        if acceptedClasses.withLockedValue({ $0[programID] }) == hash { return }
        let row =
            try await GoogleWalletClassModel.query(on: db).filter(\.$program.$id == programID).first()
            ?? GoogleWalletClassModel(programID: programID, classID: classID)
        if row.sentHash == hash && row.classID == classID {
            acceptedClasses.withLockedValue { $0[programID] = hash }
            return
        }
        row.attemptedAt = now()
        do throws(GoogleWalletError) {
            if row.syncedAt == nil || row.classID != classID {
                try await issuer.client.insertOrPatch(.loyaltyClass, id: classID, body: body)
            } else {
                try await issuer.client.patchOrInsert(.loyaltyClass, id: classID, body: body)
            }
        } catch {
            row.failures += 1
            row.lastError = error.description
            try await saveIgnoringRace(row, on: db)
            throw error
        }
        row.classID = classID
        row.sentHash = hash
        row.sentBody = String(decoding: body, as: UTF8.self)
        row.syncedAt = now()
        row.failures = 0
        row.lastError = nil
        try await saveIgnoringRace(row, on: db)
        acceptedClasses.withLockedValue { $0[programID] = hash }
    }

    /// Two instances may create a program's class row at once: the loser's row is a duplicate
    /// of what the winner recorded, so its save failing is fine.
    private func saveIgnoringRace(_ row: GoogleWalletClassModel, on db: any Database) async throws {
        do {
            try await row.save(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return
        }
    }

    // MARK: - Rows

    /// Each card gets its row before its first claim. A parallel creator wins harmlessly.
    private func createMissingRows(for cardIDs: [UUID], on db: any Database) async throws {
        let existing = Set(try await GoogleWalletObjectModel.query(on: db).filter(\.$card.$id ~~ cardIDs).all(\.$card.$id))
        for cardID in cardIDs where !existing.contains(cardID) {
            do {
                try await GoogleWalletObjectModel(cardID: cardID, objectID: issuer.design.objectID(cardID: cardID)).create(on: db)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                continue  // created meanwhile, or the card was deleted
            }
        }
    }

    private func recordSuccess(_ job: ObjectJob, noticeSent: Bool, owner: String, on db: any Database) async throws {
        let at = now()
        let query = GoogleWalletObjectModel.query(on: db).filter(\.$id == (try job.row.requireID())).filter(\.$leaseOwner == owner)
            .set(\.$classID, to: job.object.classId).set(\.$sentHash, to: job.hash)
            .set(\.$sentBody, to: String(decoding: try JSONEncoder.googleWallet.encode(job.object), as: UTF8.self))
            .set(\.$syncedAt, to: at).set(\.$attemptedAt, to: at).set(\.$failures, to: 0).set(\.$lastError, to: nil)
            .set(\.$rewardsReady, to: issuer.design.rewardsReady(job.card, program: job.program))
            .set(\.$leaseOwner, to: nil).set(\.$leaseUntil, to: nil)
        if noticeSent {
            let windowOpen = job.row.noticeWindowStart.map { at.timeIntervalSince($0) < 86_400 } ?? false
            query.set(\.$noticesSent, to: windowOpen ? job.row.noticesSent + 1 : 1)
            if !windowOpen { query.set(\.$noticeWindowStart, to: at) }
        }
        try await query.update()
    }

    private func recordFailure(_ row: GoogleWalletObjectModel, owner: String, error: String, on db: any Database) async throws {
        try await GoogleWalletObjectModel.query(on: db).filter(\.$id == row.requireID()).filter(\.$leaseOwner == owner)
            .set(\.$failures, to: row.failures + 1).set(\.$lastError, to: String(error.prefix(1_000)))
            .set(\.$attemptedAt, to: now()).set(\.$leaseOwner, to: nil).set(\.$leaseUntil, to: nil)
            .update()
    }

    // MARK: - From rows to facts

    static func programFacts(_ source: WalletCardSource) -> GooglePassDesign.ProgramFacts {
        let program = source.program
        return GooglePassDesign.ProgramFacts(
            programID: program.id ?? UUID(), merchantName: source.merchant.name, cardName: program.cardName, cardColor: program.cardColor,
            logoURL: program.logoURL, configuredClassID: program.googleClassID, loyaltyType: program.loyaltyType,
            stampsTarget: program.stampsTarget, stampsRewardDescription: program.stampsRewardDescription,
            rewards: source.rewards.map { .init(name: $0.name, pointsCost: $0.pointsCost) })
    }

    static func cardFacts(_ source: WalletCardSource) -> GooglePassDesign.CardFacts {
        let card = source.card
        let customer = source.customer
        let name = customer.erasedAt == nil ? customer.name.trimmingCharacters(in: .whitespaces) : ""
        return GooglePassDesign.CardFacts(
            cardID: card.id ?? UUID(), printedNumber: card.printedNumber, qrToken: card.qrToken, holderName: name.isEmpty ? nil : name,
            language: customer.locale, stampCount: card.stampCount, pointsBalance: card.pointsBalance, isBlocked: card.blockedAt != nil)
    }

    /// The version of an object: the hash of its body without the notice, which belongs to
    /// one update and not to the card's state.
    static func hash(_ object: LoyaltyObject) throws -> String {
        var plain = object
        plain.messages = nil
        plain.notifyPreference = nil
        return SHA256.hash(data: try JSONEncoder.googleWallet.encode(plain)).hexEncoded
    }
}

extension Application {
    private struct GoogleWalletSyncKey: StorageKey { typealias Value = GoogleWalletSync }

    /// Keeps Google's objects up to date; `nil` when Google Wallet is off.
    var googleWalletSync: GoogleWalletSync? {
        get { storage[GoogleWalletSyncKey.self] }
        set { storage[GoogleWalletSyncKey.self] = newValue }
    }
}

/// Finishes the syncs in flight and closes the connections to Google when the app stops.
struct GoogleWalletLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        guard let sync = application.googleWalletSync else { return }
        await sync.finishForShutdown()
        await sync.issuer.client.shutdown()
    }
}
