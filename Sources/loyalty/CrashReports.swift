import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How a crash is reported (docs/decisions/0021-graceful-shutdown.md).
///
/// Swift's backtracer symbolicates before the process dies, and until then the dead server keeps
/// its sockets: its listening port, and database sessions that may hold card locks. Measured
/// on the debug binary under load: 31 s with full symbolication, 13.7 s with `fast`, 0.27 s
/// with `off`. With `off` the report still has the fatal error's message and source line, every
/// frame's address and each image's build id, which `addr2line -f -C -e loyalty` turns into
/// names later, away from production.
enum CrashReports {
    static let variable = "SWIFT_BACKTRACE"
    static let quickSettings = "enable=yes,interactive=no,symbolicate=off"

    /// The runtime reads `SWIFT_BACKTRACE` before `main`, so setting it takes one re-execution of
    /// this binary with the same arguments and process id. An operator's own setting wins.
    static func preferQuickReports() {
        guard ProcessInfo.processInfo.environment[variable] == nil else { return }
        setenv(variable, quickSettings, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returns only when it failed: carry on with the runtime's defaults.
    }
}
