import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `GET /api/v1/loyalty/passes/apple/{authentication token}.pkpass`: the "Add to Apple Wallet"
/// download.
///
/// No sign-in: the pass's authentication token (128 random bits) reaches only the card's holder
/// (their storefront card, their private card link, the enrollment answer), like the private
/// link. Not the serial: the device listing answers serials to whoever names a device
/// identifier, and a serial must not open the pass (decision 0010, revised).
struct ApplePassDownloadController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("passes", "apple", ":pass_file", use: download)
    }

    @Sendable
    func download(req: Request) async throws -> Response {
        let service = try req.applePasses()
        guard let file = req.parameters.get("pass_file"), file.hasSuffix(".pkpass"), FieldRules.storableText(file, maxLength: 255) == nil,
            let pass = try await service.pass(downloadToken: String(file.dropLast(".pkpass".count)))
        else { throw APIError.notFound("The pass") }
        guard pass.isServed else { throw CardModel.goneForHolder }
        return try service.response(pass, now: req.application.clock())
    }

    /// Where a card's pass downloads: absolute under `LOYALTY_PUBLIC_BASE_URL` when set,
    /// `nil` when the platform has no Apple Wallet.
    static func url(for card: CardModel, on application: Application) -> String? {
        guard application.appleWallet != nil else { return nil }
        return (application.config.publicBaseURL ?? "") + "/api/v1/loyalty/passes/apple/\(card.appleAuthToken).pkpass"
    }
}
