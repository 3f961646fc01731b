import Fluent
import Foundation
import LoyaltyCore
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct PointsExpiryJobTests {
    static let day: TimeInterval = 86_400

    /// The next 02:30 UTC at or after `date`, when the daily expiry job is due.
    static func twoAM(onOrAfter date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.startOfDay(for: date).addingTimeInterval(2.5 * 3_600)
        return start >= date ? start : start.addingTimeInterval(86_400)
    }

    /// A hybrid counter whose points expire after 30 days without activity.
    static func counter(_ app: Application, days: Int? = 30) async throws -> Counter {
        try await Counter.make(
            in: app,
            rules: ProgramRules(
                loyaltyType: .hybrid, stampsTarget: 10, stampsRewardDescription: "Free coffee", pointsPerEuro: 10, cooldownMinutes: 15,
                maxDailyStamps: 5, requireStaffPin: true, pointsExpirationDays: days))
    }

    static func earn(_ app: Application, _ counter: Counter, cents: Int, card: UUID? = nil) async throws {
        let response = try await app.counterRequest(
            counter, .POST, "/points/earn",
            json: [
                "card_id": .string((card ?? counter.cardID).uuidString), "staff_pin": .string(Counter.pinCode),
                "purchase_amount_cents": .int(cents),
            ])
        #expect(response.status == .ok, "\(response.body.string)")
    }

    static func expiryRows(_ app: Application) async throws -> [TransactionModel] {
        try await TransactionModel.query(on: app.db).filter(\.$type == .pointsExpired).all()
    }

    @Test func aCardInactivePastTheWindowLosesItsPointsOnceAndKeepsItsStamps() async throws {
        try await withTestApp { app, clock in
            let counter = try await Self.counter(app)
            #expect(try await app.stamp(counter).status == .ok)
            try await Self.earn(app, counter, cents: 1_250)
            let before = try await app.reloadCard(counter)
            clock.advance(by: 30 * Self.day + 60)

            let report = try await app.pointsExpiry.expireAll()
            #expect(report == .init(cardsChecked: 1, cardsExpired: 1, pointsExpired: 125))
            let card = try await app.reloadCard(counter)
            #expect(card.pointsBalance == 0)
            #expect(card.stampCount == 1)
            #expect(card.totalPointsEarned == 125 && card.totalPointsRedeemed == 0)
            // Expiring is not activity: the card still looks idle since its last purchase.
            #expect(card.lastActivityAt == before.lastActivityAt)

            let row = try #require(try await app.ledgerRows(of: counter).last)
            #expect(row.type == .pointsExpired)
            #expect((row.pointsDelta, row.stampsDelta, row.pointsBalanceAfter, row.stampsBalanceAfter) == (-125, 0, 0, 1))
            #expect(row.storeID == counter.store.id)
            #expect(row.notes == "No activity for 30 days")
            // Booked on the store's local day (Europe/Luxembourg) at the run.
            #expect(row.businessDay == CalendarDate(clock.now, in: TimeZone(identifier: "Europe/Luxembourg")!)?.description)

            // A second run (the next day, or a retry after a crash) finds nothing.
            clock.advance(by: Self.day)
            #expect(try await app.pointsExpiry.expireAll() == .init())
            #expect(try await Self.expiryRows(app).count == 1)
            let verification = try await LedgerVerification(database: app.db).verifyAll()
            #expect(verification.problems.isEmpty, "\(verification.problems)")
        }
    }

    @Test func recentActivityKeepsThePoints() async throws {
        try await withTestApp { app, clock in
            let counter = try await Self.counter(app)
            try await Self.earn(app, counter, cents: 1_000)
            clock.advance(by: 20 * Self.day)
            // A stamp is activity too: it restarts the window for the points.
            #expect(try await app.stamp(counter).status == .ok)
            clock.advance(by: 20 * Self.day)
            #expect(try await app.pointsExpiry.expireAll() == .init())
            #expect(try await app.reloadCard(counter).pointsBalance == 100)
            clock.advance(by: 10 * Self.day + 60)
            #expect(try await app.pointsExpiry.expireAll().pointsExpired == 100)
        }
    }

    @Test func withoutAWindowOrWithoutPointsNothingExpires() async throws {
        try await withTestApp { app, clock in
            let never = try await Self.counter(app, days: nil)
            try await Self.earn(app, never, cents: 1_000)
            let stampsOnly = try await Self.counter(app)
            #expect(try await app.stamp(stampsOnly).status == .ok)
            clock.advance(by: 400 * Self.day)
            #expect(try await app.pointsExpiry.expireAll() == .init())
            #expect(try await app.reloadCard(never).pointsBalance == 100)
            #expect(try await app.reloadCard(stampsOnly).stampCount == 1)
            #expect(try await Self.expiryRows(app).isEmpty)
        }
    }

    @Test func theDryRunListsWhatWouldExpireAndWritesNothing() async throws {
        try await withTestApp { app, clock in
            let counter = try await Self.counter(app)
            try await Self.earn(app, counter, cents: 990)
            clock.advance(by: 31 * Self.day)
            let lines = NIOLockedValueBox<[String]>([])
            let report = try await app.pointsExpiry.expireAll(dryRun: true) { line in lines.withLockedValue { $0.append(line) } }
            #expect(report.dryRun && report.cardsExpired == 1 && report.pointsExpired == 99)
            #expect(report.wouldExpire == [.init(cardID: counter.cardID, cardNumber: counter.card.printedNumber, points: 99)])
            #expect(lines.withLockedValue { $0 }.contains { $0.contains(counter.card.printedNumber) && $0.contains("99 points") })
            #expect(try await app.reloadCard(counter).pointsBalance == 99)
            #expect(try await app.ledgerRows(of: counter).count == 1)
            let stats = try await app.counterRequest(counter, .GET, "/stats")
            #expect(try stats.json["last_30_days"]?["points_expired"]?.int == 0)
        }
    }

    @Test func statisticsCountExpiredPointsAndTheHistoryShowsTheRow() async throws {
        try await withTestApp { app, clock in
            let counter = try await Self.counter(app)
            try await Self.earn(app, counter, cents: 4_200)
            clock.advance(by: 30 * Self.day + 60)
            _ = try await app.pointsExpiry.expireAll()
            let stats = try await app.counterRequest(counter, .GET, "/stats")
            #expect(try stats.json["today"]?["points_expired"]?.int == 420)
            #expect(try stats.json["last_30_days"]?["points_given"]?.int == 0)  // the purchase was 30 days ago
            let history = try await app.send(
                .GET, "/api/v1/merchants/loyalty/transactions?card_id=\(counter.cardID.uuidString)", token: counter.ownerToken)
            let types = try #require(try history.json["items"]?.array).compactMap { $0["type"]?.string }
            #expect(types.contains("points_expired"), "\(history.body.string)")
        }
    }

    /// Runs at once (two schedulers, or `run-job` by hand during the scheduled run) expire a
    /// card once: each decides under the card's lock.
    @Test func concurrentRunsExpireEachCardOnce() async throws {
        try await withTestApp { app, clock in
            let counter = try await Self.counter(app)
            var cards = [counter.cardID]
            for _ in 0..<3 {
                let card = try await app.makeCard(for: try await app.makeCustomer(of: counter.merchant), program: counter.program, store: counter.store)
                cards.append(try card.requireID())
            }
            for card in cards { try await Self.earn(app, counter, cents: 500, card: card) }
            clock.advance(by: 31 * Self.day)
            app.raceWindow = .milliseconds(20)
            let reports = try await withThrowingTaskGroup(of: PointsExpiryService.Report.self) { group in
                for _ in 0..<4 { group.addTask { try await app.pointsExpiry.expireAll() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(reports.map(\.cardsExpired).reduce(0, +) == 4)
            #expect(reports.map(\.pointsExpired).reduce(0, +) == 200)
            let rows = try await Self.expiryRows(app)
            #expect(rows.count == 4)
            #expect(Set(rows.map(\.$card.id)) == Set(cards))
            let verification = try await LedgerVerification(database: app.db).verifyAll()
            #expect(verification.problems.isEmpty, "\(verification.problems)")
        }
    }

    @Test func twoSchedulersAtTwoInTheMorningRunTheJobOnce() async throws {
        try await withTestApp { app, clock in
            let counter = try await Self.counter(app)
            try await Self.earn(app, counter, cents: 500)
            clock.advance(by: 31 * Self.day)
            let runAt = Self.twoAM(onOrAfter: clock.now)
            let instances = (0..<2).map { _ in JobScheduler(jobs: [.expirePoints]) }
            let results = await withTaskGroup(of: JobScheduler.TickResult?.self) { group in
                for instance in instances { group.addTask { await instance.tick(app, at: runAt)["loyalty.expire_points"] } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 == .ran("1 cards checked, 1 expired, 50 points") }.count == 1, "\(results)")
            #expect(results.filter { $0 == .slotTaken }.count == 1)
            #expect(try await Self.expiryRows(app).count == 1)
        }
    }

    /// Batches are keyset pages: cards that share a last-activity instant are all reached.
    @Test func smallBatchesReachEveryCard() async throws {
        try await withTestApp { app, clock in
            let counter = try await Self.counter(app)
            var cards = [counter.cardID]
            for _ in 0..<4 {
                let card = try await app.makeCard(for: try await app.makeCustomer(of: counter.merchant), program: counter.program, store: counter.store)
                cards.append(try card.requireID())
            }
            // The test clock stands still: all five earn at the same instant.
            for card in cards { try await Self.earn(app, counter, cents: 100, card: card) }
            clock.advance(by: 31 * Self.day)
            var service = app.pointsExpiry
            service.batchSize = 2
            let dry = try await service.expireAll(dryRun: true)
            #expect(dry.wouldExpire.count == 5 && Set(dry.wouldExpire.map(\.cardID)) == Set(cards))
            let lines = NIOLockedValueBox<[String]>([])
            let report = try await service.expireAll { line in lines.withLockedValue { $0.append(line) } }
            #expect(report == .init(cardsChecked: 5, cardsExpired: 5, pointsExpired: 50))
            #expect(lines.withLockedValue { $0 } == [
                "2 cards checked, 2 expired, 20 points", "4 cards checked, 4 expired, 40 points", "5 cards checked, 5 expired, 50 points",
            ])
        }
    }

    /// The batch is only a list of candidates: under the card's lock the rule is applied again
    /// with the clock read there. A card that is not due then (here: the batch was read "31
    /// days later" than the lock's clock, as if the customer came back in between) keeps its
    /// points, gets no row and no wallet push. The wallet pushes hang on the runner's
    /// after-commit hook, which an expiry fires.
    @Test func theLockedCardDecidesAndOnlyAnExpiryPushesTheWallet() async throws {
        try await withTestApp { app, clock in
            let counter = try await Self.counter(app)
            try await Self.earn(app, counter, cents: 500)
            let pushed = NIOLockedValueBox<[UUID]>([])
            var runner = app.pointsExpiry.runner
            runner.afterCommit = { card in pushed.withLockedValue { $0.append(card) } }

            let early = PointsExpiryService(database: app.db, runner: runner, now: { clock.now.addingTimeInterval(31 * Self.day) })
            #expect(try await early.expireAll() == .init(cardsChecked: 1, cardsExpired: 0, pointsExpired: 0))
            #expect(try await Self.expiryRows(app).isEmpty)
            #expect(pushed.withLockedValue { $0 }.isEmpty)

            clock.advance(by: 31 * Self.day)
            let service = PointsExpiryService(database: app.db, runner: runner, now: app.clock)
            #expect(try await service.expireAll().cardsExpired == 1)
            _ = try await service.expireAll()
            #expect(pushed.withLockedValue { $0 } == [counter.cardID])
        }
    }
}

/// The expiry reaches Apple Wallet like any balance change: the job's runner pushes after commit.
@Suite struct PointsExpiryWalletTests {
    @Test func anExpiryPushesTheCardsDevices() async throws {
        try await withAppleWalletApp { app in
            let pushes = await app.recordPushes()
            let counter = try await PointsExpiryJobTests.counter(app)
            try await app.registerPass(of: counter.card, device: "phone", pushToken: "aa01")
            try await PointsExpiryJobTests.earn(app, counter, cents: 500)
            await app.walletPushes!.waitUntilIdle()
            #expect(await pushes.pushed == ["aa01"])

            // Wallet apps run on the real clock; the job's clock jumps past the window.
            try await Task.sleep(for: .milliseconds(1_100))  // a pass version is a whole second
            app.clock = { Date().addingTimeInterval(31 * PointsExpiryJobTests.day) }
            #expect(try await app.pointsExpiry.expireAll().pointsExpired == 50)
            await app.walletPushes!.waitUntilIdle()
            #expect(await pushes.pushed == ["aa01", "aa01"])
        }
    }
}
