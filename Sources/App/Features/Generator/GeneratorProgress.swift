import Foundation

/// The progress of `loyalty generate` on stderr: phase, done/total, rate and time left.
///
/// On a terminal one line is redrawn in place a few times a second; otherwise (CI logs, a
/// pipe) a plain line is written every `plainInterval` seconds and at the end of each phase,
/// so logs stay readable.
final class GeneratorProgress: @unchecked Sendable {
    private let isTerminal: Bool
    private let plainInterval: TimeInterval
    private let write: (String) -> Void
    private var phase = ""
    private var unit = ""
    private var total = 0
    private var done = 0
    private var started = Date()
    private var lastShown = Date.distantPast

    init(isTerminal: Bool = isatty(STDERR_FILENO) == 1, plainInterval: TimeInterval = 5, write: ((String) -> Void)? = nil) {
        self.isTerminal = isTerminal
        self.plainInterval = plainInterval
        self.write = write ?? { FileHandle.standardError.write(Data($0.utf8)) }
    }

    func start(phase: String, total: Int, unit: String = "") {
        self.phase = phase
        self.unit = unit.isEmpty ? "" : " \(unit)"
        self.total = total
        done = 0
        started = Date()
        lastShown = .distantPast
        show(force: true)
    }

    func advance(by count: Int) {
        done += count
        show(force: false)
    }

    func finish() {
        show(force: true)
        if isTerminal { write("\n") }
    }

    /// The line for the current state (also what the tests read).
    var line: String {
        let elapsed = Date().timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let percent = total > 0 ? Double(done) * 100 / Double(total) : 100
        let width = 24
        let filled = total > 0 ? min(width, done * width / total) : width
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        var text = "generate: \(phase) [\(bar)] \(done)/\(total)\(unit) \(String(format: "%.1f", percent))%"
        text += " \(Int(rate))/s elapsed \(Self.duration(elapsed))"
        if done < total, rate > 0 { text += " eta \(Self.duration(Double(total - done) / rate))" }
        return text
    }

    private func show(force: Bool) {
        let now = Date()
        let interval = isTerminal ? 0.2 : plainInterval
        guard force || now.timeIntervalSince(lastShown) >= interval else { return }
        lastShown = now
        write(isTerminal ? "\r\u{1B}[2K" + line : line + "\n")
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded())
        return total >= 3_600
            ? String(format: "%dh%02dm%02ds", total / 3_600, total / 60 % 60, total % 60)
            : String(format: "%dm%02ds", total / 60, total % 60)
    }
}
