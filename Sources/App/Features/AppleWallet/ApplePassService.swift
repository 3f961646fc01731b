import ApplePasses
import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Builds a card's Apple Wallet pass from the database, and says when it last changed.
struct ApplePassService {
    let database: any Database
    let issuer: AppleWalletIssuer

    /// A card's pass as of now: what it shows and when any of that last changed.
    struct Pass: Sendable {
        let cardID: UUID
        let merchantID: UUID
        let facts: LoyaltyPassDesign.Facts
        /// The newest change to the card, its program, its merchant or its holder: everything the
        /// pass shows. Each of those rows stamps `updated_at` on every save.
        let modified: Date
        /// A blocked or replaced card's pass is neither downloaded nor updated (decision 0018).
        let isServed: Bool
    }

    var design: LoyaltyPassDesign {
        LoyaltyPassDesign(
            passTypeIdentifier: issuer.signer.passTypeIdentifier, teamIdentifier: issuer.signer.teamIdentifier,
            webServiceURL: issuer.webServiceURL)
    }

    /// The pass whose authentication token is `token` (the download credential), or `nil`.
    func pass(downloadToken token: String) async throws -> Pass? {
        guard (16...64).contains(token.utf8.count),
            let card = try await CardModel.query(on: database).filter(\.$appleAuthToken == token).first()
        else { return nil }
        return try await pass(of: card)
    }

    func pass(of card: CardModel) async throws -> Pass {
        guard let pass = try await passes(of: [card])[try card.requireID()] else { throw APIError.notFound("The card") }
        return pass
    }

    /// The passes of `cards`, by card id, in three reads whatever their number (their programs,
    /// merchants and holders), so a device's listing or a batch of pushes costs the same for one
    /// pass or a hundred.
    func passes(of cards: [CardModel]) async throws -> [UUID: Pass] {
        try await WalletCardSources.load(cards, on: database).mapValues {
            try Self.pass(of: $0.card, program: $0.program, merchant: $0.merchant, customer: $0.customer)
        }
    }

    private static func pass(of card: CardModel, program: ProgramModel, merchant: MerchantModel, customer: CustomerModel) throws -> Pass {
        let facts = LoyaltyPassDesign.Facts(
            identity: ApplePassIdentity(serialNumber: card.appleSerialNumber, authenticationToken: card.appleAuthToken),
            merchantName: merchant.name, cardName: program.cardName, cardColor: program.cardColor,
            loyaltyType: program.loyaltyType, stampsTarget: program.stampsTarget,
            stampsRewardDescription: program.stampsRewardDescription, stampCount: card.stampCount,
            pointsBalance: card.pointsBalance, memberName: customer.name.isEmpty ? nil : customer.name,
            printedCardNumber: card.printedNumber, qrToken: card.qrToken, isActive: card.isActive)
        let stamps = [card.updatedAt, program.updatedAt, merchant.updatedAt, customer.updatedAt].compactMap { $0 }
        return Pass(
            cardID: try card.requireID(), merchantID: card.$merchant.id, facts: facts,
            modified: stamps.max() ?? Date(timeIntervalSince1970: 0), isServed: card.blockedAt == nil)
    }

    /// The signed `.pkpass`. The archive is a function of what the pass shows, so one signed
    /// for the same facts is reused (`SignedPassCache`): an anonymous download costs a lookup,
    /// not an RSA signature, until the card changes.
    func package(_ pass: Pass, signedAt now: Date) throws -> Data {
        let key = SignedPassCache.Key(cardID: pass.cardID, facts: pass.facts)
        if let cached = issuer.signedPasses.archive(for: key) { return cached }
        let archive = try PassPackage(pass: design.pass(pass.facts), images: PassImages.standard, strings: LoyaltyPassDesign.strings)
            .archive(signedBy: issuer.signer, at: now)
        issuer.signedPasses.store(archive, for: key)
        return archive
    }

    /// A `.pkpass` response with the `Last-Modified` the web service compares against.
    func response(_ pass: Pass, now: Date) throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "vnd.apple.pkpass")
        headers.replaceOrAdd(name: .lastModified, value: HTTPDate.format(issuer.updateClock.lastModified(of: pass.modified, now: now)))
        // The pass carries the card's QR code and Wallet token: no shared cache may keep it.
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"loyalty-card.pkpass\"")
        return Response(status: .ok, headers: headers, body: .init(data: try package(pass, signedAt: now)))
    }
}

extension Request {
    /// Builds passes; 503 `apple_wallet_unavailable` when the platform has no Apple Wallet.
    func applePasses() throws -> ApplePassService {
        ApplePassService(database: db, issuer: try requireAppleWallet())
    }
}
