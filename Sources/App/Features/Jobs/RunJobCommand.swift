import Foundation
import Vapor

/// `loyalty run-job <name> [--dry-run]`: runs a scheduled job now, outside its schedule,
/// printing its progress.
struct RunJobCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "name", help: "The job, e.g. loyalty.sync_wallet_passes")
        var name: String

        @Flag(name: "dry-run", help: "List what the job would change and change nothing (loyalty.expire_points)")
        var dryRun: Bool
    }

    var help: String {
        "Runs a scheduled job now: " + ScheduledJob.all.map(\.name).joined(separator: ", ")
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let job = ScheduledJob.named(signature.name) else {
            throw ConfigError("No job named \(signature.name); the jobs are " + ScheduledJob.all.map(\.name).joined(separator: ", "))
        }
        if signature.dryRun, !job.supportsDryRun {
            let jobs = ScheduledJob.all.filter(\.supportsDryRun).map(\.name).joined(separator: ", ")
            throw ConfigError("\(job.name) has no dry run; jobs with one: \(jobs)")
        }
        let console = context.console
        let summary = try await job.run(
            JobContext(application: context.application, dryRun: signature.dryRun, progress: { console.print("\(job.name): \($0)") }))
        await context.application.walletUpdates?.waitUntilIdle()
        context.console.print("\(job.name): \(summary)")
    }
}
