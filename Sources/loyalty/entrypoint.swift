import App
import Foundation
import Logging
import Vapor

@main
enum Entrypoint {
    static func main() async throws {
        CrashReports.preferQuickReports()
        var env = try Environment.detect()
        try LogSetup.bootstrap(from: &env)

        let app = try await Application.make(env)
        do {
            try await configure(app)
            try await migrateIfServing(app)
            startScheduledJobsIfServing(app)
            try await app.execute()
        } catch {
            // A command's or the configuration's refusal is a message for the operator, not a crash
            // with a stack trace.
            app.logger.report(error: error)
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            try? await app.asyncShutdown()
            exit(1)
        }
        try await app.asyncShutdown()
    }
}
