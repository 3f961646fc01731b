import Foundation
import Vapor

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
    /// Does the work and says what it did.
    let run: @Sendable (Application) async throws -> String

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
    static let all: [ScheduledJob] = [.syncWalletPasses]

    static func named(_ name: String) -> ScheduledJob? { all.first { $0.name == name } }

    /// `loyalty.sync_wallet_passes`: pushes every Apple Wallet device whose pass changed after
    /// its last delivered push (APNs was down, the process stopped, a change pushed nothing).
    static let syncWalletPasses = ScheduledJob(name: "loyalty.sync_wallet_passes", schedule: .hourly) { app in
        guard let pushes = app.walletPushes else { return "Apple Wallet is off: nothing to sync" }
        return try await pushes.catchUp().description
    }
}
