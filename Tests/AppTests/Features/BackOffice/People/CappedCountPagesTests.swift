import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// The owner's filtered card and transaction lists say "more than 1,000" past their cap
/// (decision 0038), still link to the next page, and count exactly where the page reaches
/// beyond the cap; unfiltered lists keep their exact kept totals. On generated data: 1,100
/// cards and 2,500 ledger rows of one merchant.
@Suite struct CappedCountPagesTests {
    @Test func filteredListsStopCountingAtTheCapAndStillPage() async throws {
        try await withTestApp { app, _ in
            let summary = try await DataGeneratorTests.generate(app, merchants: 1, cards: 1_100, rows: 2_500)
            let email = try #require(summary.ownerEmails.first)
            let ownerUser = try #require(try await UserModel.query(on: app.db).filter(\.$email == email).first())
            var owner = try await PageClient.signedIn(app, as: ownerUser)
            let merchantID = try #require(ownerUser.$merchant.id)
            let active = try await CardModel.query(on: app.db).filter(\.$merchant.$id == merchantID).filter(\.$blockedAt == nil).count()
            #expect(active > 1_000)

            // Unfiltered: the kept total, exact.
            let all = try await owner.get("/merchant/cards?lang=en")
            #expect(all.status == .ok)
            #expect(all.text.contains("Cards: 1,100"))
            // Filtered by status: more than the cap, and a next page.
            let first = try await owner.get("/merchant/cards?lang=en&status=active")
            #expect(first.text.contains("Cards: more than 1,000"))
            #expect(first.text.contains("status=active&amp;page=2") || first.text.contains("status=active&page=2"))
            // The last page reaches past the cap: the exact count, and no next page.
            let lastPage = (active + MerchantCardsPages.perPage - 1) / MerchantCardsPages.perPage
            let last = try await owner.get("/merchant/cards?lang=en&status=active&page=\(lastPage)")
            #expect(last.text.contains("Cards: " + active.formatted(.number.locale(Locale(identifier: "en_GB")))))
            #expect(!last.text.contains("page=\(lastPage + 1)"))

            // The ledger: every row of the generated year, filtered by days.
            let rows = try await owner.get("/merchant/transactions?lang=de&from=2025-11-30&to=2026-11-30")
            #expect(rows.status == .ok)
            #expect(rows.text.contains("Buchungen: mehr als 1.000"))
            #expect(rows.text.contains("page=2"))
            let unfiltered = try await owner.get("/merchant/transactions?lang=de")
            #expect(unfiltered.text.contains("Buchungen: 2.500"))
        }
    }
}
