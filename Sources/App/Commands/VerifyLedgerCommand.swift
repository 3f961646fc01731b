import Fluent
import Foundation
import Vapor

/// `loyalty verify-ledger`: exits non-zero when any card's ledger is broken.
struct VerifyLedgerCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Checks every card's hash chain and that its balances equal the sum of its ledger rows." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let report = try await LedgerVerification(database: context.application.db).verifyAll()
        for (cardID, problems) in report.problems.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            for problem in problems { context.console.error("card \(cardID): \(problem)") }
        }
        context.console.print("Checked \(report.cardsChecked) cards and \(report.rowsChecked) ledger rows: \(report.problems.count) broken.")
        if !report.problems.isEmpty {
            throw ConfigError("the ledger of \(report.problems.count) cards does not verify")
        }
    }
}
