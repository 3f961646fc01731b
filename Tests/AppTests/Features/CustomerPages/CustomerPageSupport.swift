import Fluent
import Foundation
import LoyaltyCore
import QRCodes
import Testing
import Vapor
import VaporTesting

@testable import App

extension TestingHTTPResponse {
    /// The value of the hidden `name` field of the page's form.
    func hiddenField(_ name: String) -> String? {
        let text = self.text
        guard let range = text.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}

extension Application {
    /// The cards of `merchant`, oldest first.
    func cards(of merchant: MerchantModel) async throws -> [CardModel] {
        try await CardModel.query(on: db).filter(\.$merchant.$id == merchant.requireID()).sort(\.$createdAt).all()
    }

    /// Gives `card` a private link and answers it.
    func privateLink(for card: CardModel) async throws -> String {
        let token = TokenService.randomTokenValue()
        card.linkTokenHash = TokenService.hash(token)
        try await card.save(on: db)
        return token
    }
}

/// The `<svg>` the card page must show for `card`: the QR code of its `qr_code_data`.
func expectedQRCode(of card: CardModel, label: String = "QR code of your loyalty card") throws -> String {
    try QRCode(encoding: card.qrToken).svg(label: label)
}
