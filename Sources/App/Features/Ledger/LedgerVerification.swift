import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Walks every card's ledger and checks its hash chain and balances (`loyalty verify-ledger`).
struct LedgerVerification: Sendable {
    let database: any Database

    struct Report: Sendable {
        var cardsChecked = 0
        var rowsChecked = 0
        /// Card id → what is wrong with it.
        var problems: [UUID: [String]] = [:]
    }

    /// Checks cards in pages of `batchSize`, each card's rows in order, so memory stays bounded
    /// by the longest single card history.
    func verifyAll(batchSize: Int = 500) async throws -> Report {
        var report = Report()
        try await CardModel.query(on: database).forEachBatch(of: batchSize) { cards in
            for card in cards {
                let cardID = try card.requireID()
                let rows = try await TransactionModel.query(on: database).filter(\.$card.$id == cardID).sort(\.$sequence).all()
                let stored = try rows.map {
                    LedgerVerifier.StoredEntry(entry: try $0.entry, previousHash: $0.previousHash, entryHash: $0.entryHash)
                }
                var problems = LedgerVerifier.problems(
                    entries: stored, stampCount: card.stampCount, pointsBalance: card.pointsBalance, hash: LedgerHashing.sha256Hex)
                if rows.count != card.entryCount { problems.append("card counts \(card.entryCount) rows, ledger has \(rows.count)") }
                if let last = rows.last, last.entryHash != card.lastEntryHash { problems.append("card's last hash is not the last row's") }
                if !problems.isEmpty { report.problems[cardID] = problems }
                report.cardsChecked += 1
                report.rowsChecked += rows.count
            }
        }
        return report
    }
}
