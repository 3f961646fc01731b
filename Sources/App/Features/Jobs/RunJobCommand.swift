import Foundation
import Vapor

/// `loyalty run-job <name>`: runs a scheduled job now, outside its schedule.
struct RunJobCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "name", help: "The job, e.g. loyalty.sync_wallet_passes")
        var name: String
    }

    var help: String {
        "Runs a scheduled job now: " + ScheduledJob.all.map(\.name).joined(separator: ", ")
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let job = ScheduledJob.named(signature.name) else {
            throw ConfigError("No job named \(signature.name); the jobs are " + ScheduledJob.all.map(\.name).joined(separator: ", "))
        }
        let summary = try await job.run(context.application)
        if let pushes = context.application.walletPushes { await pushes.waitUntilIdle() }
        context.console.print("\(job.name): \(summary)")
    }
}
