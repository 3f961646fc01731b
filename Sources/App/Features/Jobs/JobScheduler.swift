import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Runs the scheduled jobs of a serving app. Every instance ticks; in each slot, the instance
/// whose `loyalty_job_runs` insert succeeds runs the job, the others see the unique key taken
/// and skip it. A run that dies mid-way is not retried in its slot: both jobs catch up on
/// everything owed, so the next slot finishes the work.
final class JobScheduler: Sendable {
    let jobs: [ScheduledJob]
    /// How often the clock is checked; a slot starts at most this late.
    let interval: Duration
    private let loop = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(jobs: [ScheduledJob] = ScheduledJob.all, interval: Duration = .seconds(30)) {
        self.jobs = jobs
        self.interval = interval
    }

    /// The outcome of one job at one tick.
    enum TickResult: Equatable, Sendable {
        case ran(String)
        case failed(String)
        /// Another run (here or on another instance) holds the slot.
        case slotTaken
        /// Not the job's time (a daily job before its hour).
        case notDue
    }

    /// Claims each due job's slot and runs the jobs whose claim succeeded.
    func tick(_ app: Application, at now: Date) async -> [String: TickResult] {
        var results: [String: TickResult] = [:]
        for job in jobs {
            results[job.name] = await tick(job, app, at: now)
        }
        return results
    }

    private func tick(_ job: ScheduledJob, _ app: Application, at now: Date) async -> TickResult {
        guard let slot = job.slot(at: now) else { return .notDue }
        let run = JobRunModel(job: job.name, slot: slot, startedAt: now)
        do {
            try await run.create(on: app.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .slotTaken
        } catch {
            app.logger.error("Job \(job.name): could not claim slot \(slot): \(error)")
            return .failed(String(describing: error))
        }
        let result: TickResult
        let started = ContinuousClock.now
        do {
            let progress: @Sendable (String) -> Void = { [logger = app.logger] in logger.info("Job \(job.name) (\(slot)): \($0)") }
            let summary = try await job.run(JobContext(application: app, progress: progress))
            run.outcome = summary
            run.succeeded = true
            result = .ran(summary)
            app.logger.info("Job \(job.name) (\(slot)): \(summary)")
        } catch {
            run.outcome = String(describing: error)
            result = .failed(String(describing: error))
            app.logger.error("Job \(job.name) (\(slot)) failed: \(error)")
        }
        run.finishedAt = app.clock()
        PlatformMetrics.jobRun(job.name, succeeded: run.succeeded, duration: ContinuousClock.now - started)
        try? await run.update(on: app.db)
        return result
    }

    /// Ticks until the app shuts down.
    func start(_ app: Application) {
        loop.withLockedValue { loop in
            guard loop == nil else { return }
            loop = Task { [interval] in
                while !Task.isCancelled {
                    _ = await self.tick(app, at: app.clock())
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }

    func stop() async {
        let task = loop.withLockedValue { loop in
            defer { loop = nil }
            return loop
        }
        task?.cancel()
        await task?.value
    }
}

extension Application {
    private struct JobSchedulerKey: StorageKey { typealias Value = JobScheduler }

    var jobScheduler: JobScheduler {
        get {
            if let scheduler = storage[JobSchedulerKey.self] { return scheduler }
            let scheduler = JobScheduler()
            storage[JobSchedulerKey.self] = scheduler
            return scheduler
        }
        set { storage[JobSchedulerKey.self] = newValue }
    }
}

/// Stops the scheduler's loop when the app stops (before the pushes it may have started finish).
struct JobSchedulerLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.jobScheduler.stop()
    }
}

/// Starts the scheduled jobs when the command is `serve` (or none), after migrations.
public func startScheduledJobsIfServing(_ app: Application) {
    guard app.isServing, app.config.scheduledJobs else { return }
    app.jobScheduler.start(app)
}
