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
    }

    var design: LoyaltyPassDesign {
        LoyaltyPassDesign(
            passTypeIdentifier: issuer.signer.passTypeIdentifier, teamIdentifier: issuer.signer.teamIdentifier,
            webServiceURL: issuer.webServiceURL)
    }

    /// The pass with this serial number, or `nil`.
    func pass(serialNumber: String) async throws -> Pass? {
        guard let card = try await CardModel.query(on: database).filter(\.$appleSerialNumber == serialNumber).first() else {
            return nil
        }
        return try await pass(of: card)
    }

    func pass(of card: CardModel) async throws -> Pass {
        async let program = ProgramModel.find(card.$program.id, on: database)
        async let merchant = MerchantModel.find(card.$merchant.id, on: database)
        async let customer = CustomerModel.find(card.$customer.id, on: database)
        guard let program = try await program, let merchant = try await merchant, let customer = try await customer else {
            throw APIError.notFound("The card")
        }
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
            modified: stamps.max() ?? Date(timeIntervalSince1970: 0))
    }

    /// The signed `.pkpass`.
    func package(_ pass: Pass, signedAt now: Date) throws -> Data {
        try PassPackage(pass: design.pass(pass.facts), images: PassImages.standard, strings: LoyaltyPassDesign.strings)
            .archive(signedBy: issuer.signer, at: now)
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
