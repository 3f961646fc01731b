import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/card/{link_token}`: the card behind its private link.
@Suite struct CardPageTests {
    @Test func showsTheCodeBalancesRewardsAndHistory() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            #expect(try await app.stamp(counter).status == .ok)
            let card = try await app.reloadCard(counter)
            let token = try await app.privateLink(for: card)
            var client = PageClient(app)
            let page = try await client.get("/card/\(token)")
            #expect(page.status == .ok)
            #expect(page.htmlLang == "en")
            #expect(page.text.contains(try expectedQRCode(of: card)))
            #expect(page.text.contains(card.printedNumber))
            #expect(page.text.contains("data-balance=\"stamps\">1<"))
            #expect(page.text.contains("data-balance=\"points\">0<"))
            #expect(page.text.contains("1 of 3 stamps"))
            #expect(page.text.contains("2 more to go: Free coffee"))
            #expect(page.text.contains("Croissant"))
            #expect(page.text.contains("150 more points"))
            #expect(page.text.contains("Stamp · \(counter.store.name)"))
            #expect(page.text.contains("+1 stamp"))
            #expect(page.text.contains("/customer/register?store=\(counter.store.code)"))
            // Apple Wallet is not configured here: no button.
            #expect(!page.text.contains("Add to Apple Wallet"))
            // Nothing from another site, and the link goes nowhere but this page's own links.
            #expect(!page.text.contains("src=\"http"))
            #expect(!page.text.contains("href=\"http"))
            #expect(page.headers.first(name: "Referrer-Policy") == "no-referrer")
            #expect(page.headers.first(name: .cacheControl) == "no-store")
        }
    }

    @Test func aRewardWithinReachSaysSo() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let card = try await app.reloadCard(counter)
            card.stampCount = 4
            card.pointsBalance = 200
            try await card.save(on: app.db)
            let token = try await app.privateLink(for: card)
            var client = PageClient(app)
            let page = try await client.get("/card/\(token)?lang=fr")
            #expect(page.htmlLang == "fr")
            #expect(page.text.contains("Votre récompense vous attend : Free coffee."))
            #expect(page.text.contains("1 tampons sur 3"))
            #expect(page.text.contains("À votre portée"))
        }
    }

    @Test func unknownRevokedAndBlockedLinksLookTheSame() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let card = try await app.reloadCard(counter)
            let revoked = try await app.privateLink(for: card)
            card.linkTokenHash = nil
            try await card.save(on: app.db)
            let blockedToken = try await app.privateLink(for: card)
            card.blockedAt = Date()
            try await card.save(on: app.db)

            var client = PageClient(app)
            let unknownToken = TokenService.randomTokenValue()
            let unknown = try await client.get("/card/\(unknownToken)")
            let gone = try await client.get("/card/\(revoked)")
            let blocked = try await client.get("/card/\(blockedToken)")
            let long = try await client.get("/card/" + String(repeating: "x", count: 500))
            for response in [unknown, gone, blocked, long] {
                #expect(response.status == .notFound)
                #expect(response.alertText == "This page or card does not exist.")
            }
            // Word for word the same page, but for the address in the language links.
            #expect(
                unknown.text.replacingOccurrences(of: unknownToken, with: "T") == gone.text.replacingOccurrences(of: revoked, with: "T"))
            #expect(
                unknown.text.replacingOccurrences(of: unknownToken, with: "T")
                    == blocked.text.replacingOccurrences(of: blockedToken, with: "T"))
        }
    }

    @Test func offersAppleWalletWhenItIsConfigured() async throws {
        try await withAppleWalletApp { app in
            let counter = try await Counter.make(in: app)
            let card = try await app.reloadCard(counter)
            let token = try await app.privateLink(for: card)
            var client = PageClient(app)
            let page = try await client.get("/card/\(token)")
            #expect(page.text.contains("Add to Apple Wallet"))
            let url = try #require(ApplePassDownloadController.url(for: card, on: app))
            #expect(page.text.contains("href=\"\(url)\""))
            let german = try await client.get("/card/\(token)?lang=de")
            #expect(german.text.contains("Zu Apple Wallet hinzufügen"))
        }
    }
}
