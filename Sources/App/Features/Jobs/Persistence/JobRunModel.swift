import Fluent
import Foundation
import Vapor

/// One run of a scheduled job in one slot (an hour, a day). The unique (job, slot) pair is
/// the lock: of several app instances, the one whose insert succeeds runs the job.
final class JobRunModel: Model, @unchecked Sendable {
    static let schema = "loyalty_job_runs"

    @ID(key: .id) var id: UUID?
    @Field(key: "job") var job: String
    @Field(key: "slot") var slot: String
    @Field(key: "started_at") var startedAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?
    /// What the run did, or why it failed.
    @OptionalField(key: "outcome") var outcome: String?
    @Field(key: "succeeded") var succeeded: Bool

    init() {}

    init(job: String, slot: String, startedAt: Date) {
        self.job = job
        self.slot = slot
        self.startedAt = startedAt
        self.succeeded = false
    }
}

enum JobMigrations {
    struct CreateJobRuns: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(JobRunModel.schema)
                .id()
                .field("job", .string, .required)
                .field("slot", .string, .required)
                .field("started_at", .datetime, .required)
                .field("finished_at", .datetime)
                .field("outcome", .string)
                .field("succeeded", .bool, .required)
                .unique(on: "job", "slot")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(JobRunModel.schema).delete()
        }
    }
}
