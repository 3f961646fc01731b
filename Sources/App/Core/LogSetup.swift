import Fluent
import Foundation
import Logging
import Vapor

/// Chooses the log format before the app exists: Vapor's console lines for people, or one JSON
/// object per line (`LOYALTY_LOG_FORMAT=json`) for a log collector.
public enum LogSetup {
    public static func bootstrap(from environment: inout Environment) throws {
        let format = ProcessInfo.processInfo.environment["LOYALTY_LOG_FORMAT"] ?? "text"
        guard format == "json" else {
            try LoggingSystem.bootstrap(from: &environment)
            return
        }
        try LoggingSystem.bootstrap(from: &environment) { level in
            { label in JSONLogHandler(label: label, logLevel: level) }
        }
    }
}

/// Writes each record as one JSON line on standard error, metadata (request id, status, ...)
/// as fields.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String, logLevel: Logger.Level) {
        self.label = label
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [
            "time": Date().formatted(.iso8601),
            "level": event.level.rawValue,
            "logger": label,
            "message": event.message.description,
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            fields[key] = value.description
        }
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        FileHandle.standardError.write(line)
    }
}
