import ApplePasses
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Tells the devices holding a pass that it changed, so that Wallet fetches it again (Apple's
/// update flow: push, then the device lists changed serials and fetches each).
///
/// Pushes start in the background right after a change commits. Whatever fails or is missed
/// (APNs down, the process stopped) is still owed: a registration remembers the pass version
/// its last delivered push announced (`pushed_through`), and `catchUp` pushes every
/// registration whose pass is newer (the hourly `loyalty.sync_wallet_passes`).
final class WalletPushNotifier: Sendable {
    let transport: any ApplePushTransport
    private let issuer: AppleWalletIssuer
    private let database: @Sendable () -> any Database
    private let logger: Logger
    private let background = WalletBackgroundWork(window: WalletPushNotifier.batchWindow, wallet: "apple")
    /// Pushes sent at once; APNs multiplexes them over one HTTP/2 connection.
    static let width = 8
    /// How long changed cards gather before their devices are looked up together.
    static let batchWindow: Duration = .milliseconds(100)

    init(transport: any ApplePushTransport, issuer: AppleWalletIssuer, database: @escaping @Sendable () -> any Database, logger: Logger) {
        self.transport = transport
        self.issuer = issuer
        self.database = database
        self.logger = logger
    }

    /// What one round of pushes did.
    struct Report: Sendable, Equatable, CustomStringConvertible {
        var delivered = 0
        var failed = 0
        var devicesRemoved = 0
        var upToDate = 0

        mutating func add(_ other: Report) {
            delivered += other.delivered
            failed += other.failed
            devicesRemoved += other.devicesRemoved
            upToDate += other.upToDate
        }

        var description: String {
            "\(delivered) pushed, \(failed) failed (retried next time), \(devicesRemoved) devices gone, \(upToDate) up to date"
        }
    }

    // MARK: - In the background, after a change

    /// A balance or status of these cards changed: push their devices, without waiting. Called
    /// after every stamp, so it only notes the cards; one lookup per batch window finds their
    /// devices.
    func cardsChanged(_ cardIDs: [UUID]) {
        background.note(cardIDs) { await self.pushCards($0) }
    }

    private func pushCards(_ cards: [UUID]) async {
        await logged {
            var report = Report()
            for batch in cards.chunked(by: 500) {
                report.add(try await self.pushDue(self.registrations(cards: batch)))
            }
            return report
        }
    }

    /// The merchant's program (name, colours, rules) changed: every pass of it looks different.
    func programChanged(merchantID: UUID) {
        background.run {
            await self.logged {
                // In batches, so a merchant with many passes is never loaded at once.
                var report = Report()
                try await self.registrations(merchant: merchantID).forEachBatch(of: Self.batchSize) { batch in
                    report.add(try await self.pushDue(batch))
                }
                return report
            }
        }
    }

    /// Registrations per round of pushes: one lookup of their passes, one round of pushes.
    static let batchSize = 500

    /// Waits for the background pushes started so far: at shutdown, and in tests.
    func waitUntilIdle() async {
        await background.waitUntilIdle()
    }

    private func logged(_ work: () async throws -> Report) async {
        do {
            let report = try await work()
            if report.failed > 0 { logger.warning("Apple Wallet pushes: \(report)") }
        } catch {
            logger.warning("Apple Wallet pushes could not run: \(error)")
        }
    }

    // MARK: - Catching up

    /// Pushes every registration whose pass changed after its last delivered push.
    func catchUp(batchSize: Int = 500) async throws -> Report {
        var report = Report()
        try await AppleDeviceRegistrationModel.query(on: database()).with(\.$card).forEachBatch(of: batchSize) { batch in
            report.add(try await pushDue(batch))
        }
        PlatformMetrics.walletOwed("apple", updates: report.failed)
        return report
    }

    // MARK: - The work

    private func registrations(cards: [UUID]) async throws -> [AppleDeviceRegistrationModel] {
        try await AppleDeviceRegistrationModel.query(on: database())
            .join(CardModel.self, on: \AppleDeviceRegistrationModel.$card.$id == \CardModel.$id)
            .filter(\.$card.$id ~~ cards).filter(CardModel.self, \.$blockedAt == nil)
            .with(\.$card).all()
    }

    /// The merchant's registrations of cards that are not blocked, to be read in keyset batches.
    func registrations(merchant: UUID) -> QueryBuilder<AppleDeviceRegistrationModel> {
        AppleDeviceRegistrationModel.query(on: database())
            .join(CardModel.self, on: \AppleDeviceRegistrationModel.$card.$id == \CardModel.$id)
            .filter(CardModel.self, \.$merchant.$id == merchant).filter(CardModel.self, \.$blockedAt == nil)
            .with(\.$card)
    }

    /// Pushes, once per device, to the registrations whose pass is newer than their last push;
    /// every round of pushes, in the background or catching up, passes here and is counted.
    private func pushDue(_ registrations: [AppleDeviceRegistrationModel]) async throws -> Report {
        let report = try await pushDueUncounted(registrations)
        PlatformMetrics.walletUpdates(
            "apple", ["delivered": report.delivered, "failed": report.failed, "device_gone": report.devicesRemoved, "up_to_date": report.upToDate])
        return report
    }

    private func pushDueUncounted(_ registrations: [AppleDeviceRegistrationModel]) async throws -> Report {
        let passes = ApplePassService(database: database(), issuer: issuer)
        var due: [String: [(registration: AppleDeviceRegistrationModel, modified: Date)]] = [:]
        var report = Report()
        // A blocked card's pass is not served, so its devices are not told to fetch it.
        let served = registrations.filter { $0.card.blockedAt == nil }
        var cards: [UUID: CardModel] = [:]
        for registration in served { cards[registration.$card.id] = registration.card }
        // Three reads for the whole batch, not three per card.
        let modified = try await passes.passes(of: Array(cards.values)).mapValues(\.modified)
        for registration in served {
            guard let passModified = modified[registration.$card.id] else { continue }
            if let pushed = registration.pushedThrough,
                PassUpdateClock.milliseconds(passModified) <= PassUpdateClock.milliseconds(pushed)
            {
                report.upToDate += 1
            } else {
                due[registration.pushToken, default: []].append((registration, passModified))
            }
        }
        // One push per device: it then asks for all of its changed passes at once.
        let outcomes = await withTaskGroup(of: (String, ApplePushOutcome).self) { group in
            var outcomes: [(String, ApplePushOutcome)] = []
            var tokens = due.keys.makeIterator()
            for _ in 0..<Self.width {
                guard let token = tokens.next() else { break }
                group.addTask { (token, await self.transport.push(toDeviceToken: token)) }
            }
            while let outcome = await group.next() {
                outcomes.append(outcome)
                if let token = tokens.next() { group.addTask { (token, await self.transport.push(toDeviceToken: token)) } }
            }
            return outcomes
        }
        for (token, outcome) in outcomes {
            switch outcome {
            case .delivered:
                for (registration, passModified) in due[token]! {
                    try await AppleDeviceRegistrationModel.query(on: database()).filter(\.$id == registration.requireID())
                        .set(\.$pushedThrough, to: passModified).update()
                    report.delivered += 1
                }
            case .deviceGone(let reason):
                // The token is dead for every pass on that device.
                let removed = try await AppleDeviceRegistrationModel.query(on: database()).filter(\.$pushToken == token).count()
                try await AppleDeviceRegistrationModel.query(on: database()).filter(\.$pushToken == token).delete()
                logger.info("Apple Wallet device gone (\(reason)): \(removed) registrations removed")
                report.devicesRemoved += 1
            case .failed(let reason):
                logger.warning("Apple Wallet push failed, retried by the next catch-up: \(reason)")
                report.failed += due[token]!.count
            }
        }
        return report
    }
}

extension Application {
    private struct WalletPushNotifierKey: StorageKey { typealias Value = WalletPushNotifier }

    /// Pushes pass updates to devices; `nil` when Apple Wallet is off.
    var walletPushes: WalletPushNotifier? {
        get { storage[WalletPushNotifierKey.self] }
        set { storage[WalletPushNotifierKey.self] = newValue }
    }
}

/// Finishes the pushes in flight and closes the APNs connection when the app stops.
struct WalletPushLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        guard let notifier = application.walletPushes else { return }
        await notifier.waitUntilIdle()
        await notifier.transport.shutdown()
    }
}
