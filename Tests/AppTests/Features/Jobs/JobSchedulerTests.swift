import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor

@testable import App

@Suite struct JobSchedulerTests {
    /// 2026-11-22 03:40:00 UTC.
    static let morning = Date(timeIntervalSince1970: 1_795_318_800)

    static func counting(_ name: String, _ schedule: ScheduledJob.Schedule, runs: NIOLockedValueBox<Int>, fails: Bool = false) -> ScheduledJob {
        ScheduledJob(name: name, schedule: schedule) { _ in
            runs.withLockedValue { $0 += 1 }
            if fails { throw TestSetupError("the job broke") }
            return "did it"
        }
    }

    @Test func slotsAreUTCHoursAndDaysFromTheirHour() {
        let runs = NIOLockedValueBox(0)
        #expect(Self.counting("h", .hourly, runs: runs).slot(at: Self.morning) == "2026-11-22T03")
        #expect(Self.counting("d", .daily(atHour: 2), runs: runs).slot(at: Self.morning) == "2026-11-22")
        #expect(Self.counting("d", .daily(atHour: 4), runs: runs).slot(at: Self.morning) == nil)
    }

    @Test func eachSlotRunsOnceAndTheNextSlotRunsAgain() async throws {
        try await withTestApp { app, _ in
            let runs = NIOLockedValueBox(0)
            let scheduler = JobScheduler(jobs: [Self.counting("test.hourly", .hourly, runs: runs)])
            #expect(await scheduler.tick(app, at: Self.morning) == ["test.hourly": .ran("did it")])
            #expect(await scheduler.tick(app, at: Self.morning.addingTimeInterval(600)) == ["test.hourly": .slotTaken])
            #expect(await scheduler.tick(app, at: Self.morning.addingTimeInterval(3_600)) == ["test.hourly": .ran("did it")])
            #expect(runs.withLockedValue { $0 } == 2)
            let recorded = try await JobRunModel.query(on: app.db).sort(\.$slot).all()
            #expect(recorded.map(\.slot) == ["2026-11-22T03", "2026-11-22T04"])
            #expect(recorded.allSatisfy { $0.succeeded && $0.outcome == "did it" && $0.finishedAt != nil })
        }
    }

    @Test func ofManyInstancesTickingAtOnceOneRunsTheSlot() async throws {
        try await withTestApp { app, _ in
            let runs = NIOLockedValueBox(0)
            // Eight schedulers on one database stand for eight app instances.
            let instances = (0..<8).map { _ in JobScheduler(jobs: [Self.counting("test.hourly", .hourly, runs: runs)]) }
            let results = await withTaskGroup(of: JobScheduler.TickResult?.self) { group in
                for instance in instances { group.addTask { await instance.tick(app, at: Self.morning)["test.hourly"] } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 == .ran("did it") }.count == 1)
            #expect(results.filter { $0 == .slotTaken }.count == 7)
            #expect(runs.withLockedValue { $0 } == 1)
        }
    }

    @Test func aFailedRunIsRecordedWithItsReason() async throws {
        try await withTestApp { app, _ in
            let runs = NIOLockedValueBox(0)
            let scheduler = JobScheduler(jobs: [Self.counting("test.broken", .hourly, runs: runs, fails: true)])
            guard case .failed(let reason)? = await scheduler.tick(app, at: Self.morning)["test.broken"] else {
                Issue.record("the run did not fail")
                return
            }
            #expect(reason.contains("the job broke"))
            let run = try #require(try await JobRunModel.query(on: app.db).first())
            #expect(!run.succeeded)
            #expect(run.outcome?.contains("the job broke") == true)
        }
    }

    @Test func aDailyJobWaitsForItsHour() async throws {
        try await withTestApp { app, _ in
            let runs = NIOLockedValueBox(0)
            let scheduler = JobScheduler(jobs: [Self.counting("test.daily", .daily(atHour: 4), runs: runs)])
            #expect(await scheduler.tick(app, at: Self.morning) == ["test.daily": .notDue])
            #expect(await scheduler.tick(app, at: Self.morning.addingTimeInterval(1_800)) == ["test.daily": .ran("did it")])
        }
    }
}
