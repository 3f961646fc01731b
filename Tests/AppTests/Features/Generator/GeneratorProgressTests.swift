import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import App

@Suite struct GeneratorProgressTests {
    @Test func plainLinesOutsideATerminal() {
        let lines = NIOLockedValueBox<[String]>([])
        let progress = GeneratorProgress(isTerminal: false, plainInterval: 3_600, write: { text in lines.withLockedValue { $0.append(text) } })
        progress.start(phase: "cards and ledger rows", total: 200, unit: "rows")
        progress.advance(by: 50)  // within the interval: no line
        progress.advance(by: 50)
        progress.finish()
        let written = lines.withLockedValue { $0 }
        #expect(written.count == 2)
        #expect(written.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
        #expect(written[0].hasPrefix("generate: cards and ledger rows [------------------------] 0/200 rows 0.0%"))
        #expect(written[1].contains("[############------------] 100/200 rows 50.0%"))
        #expect(written[1].contains("/s elapsed 0m00s"))
    }

    @Test func oneRedrawnLineOnATerminal() {
        let lines = NIOLockedValueBox<[String]>([])
        let progress = GeneratorProgress(isTerminal: true, write: { text in lines.withLockedValue { $0.append(text) } })
        progress.start(phase: "merchants", total: 2)
        progress.finish()
        let written = lines.withLockedValue { $0 }
        #expect(written.first?.hasPrefix("\r\u{1B}[2K generate: merchants".replacingOccurrences(of: " generate", with: "generate")) == true)
        #expect(written.last == "\n")
    }

    @Test func durationsReadAsMinutesOrHours() {
        #expect(GeneratorProgress.duration(75) == "1m15s")
        #expect(GeneratorProgress.duration(3_725) == "1h02m05s")
    }
}
