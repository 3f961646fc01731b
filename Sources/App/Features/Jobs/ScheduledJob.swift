import Fluent
import Foundation
import Vapor

/// What a job runs with: the app, whether to only list what it would do, and where to report
/// progress.
struct JobContext: Sendable {
    let application: Application
    /// `loyalty run-job --dry-run`: list what would change and write nothing. Only jobs with
    /// `supportsDryRun` are started this way.
    var dryRun = false
    /// A line of progress (after each batch): printed by `run-job`, logged by the scheduler.
    var progress: @Sendable (String) -> Void = { _ in }
}

/// Work that runs on a schedule, once per slot however many app instances run, and by hand
/// with `loyalty run-job <name>`.
struct ScheduledJob: Sendable {
    enum Schedule: Sendable, Equatable {
        /// Once per UTC hour.
        case hourly
        /// Once per UTC day, at or after this hour.
        case daily(atHour: Int)
    }

    let name: String
    let schedule: Schedule
    /// Whether the job honours `JobContext.dryRun`.
    var supportsDryRun = false
    /// Does the work and says what it did.
    let run: @Sendable (JobContext) async throws -> String

    init(name: String, schedule: Schedule, supportsDryRun: Bool = false, run: @escaping @Sendable (JobContext) async throws -> String) {
        self.name = name
        self.schedule = schedule
        self.supportsDryRun = supportsDryRun
        self.run = run
    }

    /// The slot `date` falls in (`2026-11-22T03`, `2026-11-22`), or `nil` before a daily
    /// job's hour.
    func slot(at date: Date) -> String? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour], from: date)
        let day = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        switch schedule {
        case .hourly: return day + String(format: "T%02d", parts.hour!)
        case .daily(let hour): return parts.hour! >= hour ? day : nil
        }
    }
}

extension ScheduledJob {
    /// Every job of the platform.
    static let all: [ScheduledJob] = [.syncWalletPasses, .compactRollups, .expirePoints, .purge]

    static func named(_ name: String) -> ScheduledJob? { all.first { $0.name == name } }

    /// `loyalty.sync_wallet_passes`: pushes every Apple Wallet device whose pass changed after
    /// its last delivered push, and sends every Google Wallet object Google lacks or holds in an
    /// older state (a call failed, the process stopped, a change had no real-time hook).
    static let syncWalletPasses = ScheduledJob(name: "loyalty.sync_wallet_passes", schedule: .hourly) { context in
        let app = context.application
        var done: [String] = []
        if let pushes = app.walletPushes { done.append("Apple Wallet: \(try await pushes.catchUp())") }
        if let google = app.googleWalletSync { done.append("Google Wallet: \(try await google.catchUp())") }
        return done.isEmpty ? "No wallet is configured: nothing to sync" : done.joined(separator: "; ")
    }

    /// `loyalty.compact_rollups`: sums the days that have closed everywhere per merchant and
    /// day (`MerchantDays`, decision 0037). 01:00 UTC; a report is the same before and after,
    /// only faster.
    static let compactRollups = ScheduledJob(name: "loyalty.compact_rollups", schedule: .daily(atHour: 1)) { context in
        let app = context.application
        guard let through = try await MerchantDays.compact(now: app.clock(), on: app.db, writeGate: app.writeGate) else {
            return "Merchant days: already summed through \(MerchantDays.lastClosedDay(now: app.clock()))"
        }
        return "Merchant days: summed through \(through)"
    }

    /// `loyalty.expire_points`: takes the points off cards inactive past their program's
    /// `points_expiration_days` (docs/decisions/0020-points-expiry.md). 02:00 UTC: night in
    /// Europe, where the stores are; the rule itself counts 24-hour periods, not local days.
    static let expirePoints = ScheduledJob(name: "loyalty.expire_points", schedule: .daily(atHour: 2), supportsDryRun: true) {
        context in
        let report = try await context.application.pointsExpiry.expireAll(dryRun: context.dryRun, progress: context.progress)
        return report.description
    }

    /// `loyalty.purge`: deletes rows nobody needs any more, in bounded batches
    /// (docs/decisions/0022-purges-and-data-files.md).
    static let purge = ScheduledJob(name: "loyalty.purge", schedule: .daily(atHour: 3)) { context in
        let app = context.application
        let service = PurgeService(database: app.db, retention: app.config.retention, now: app.clock)
        return try await service.purgeAll(progress: context.progress).description
    }
}
