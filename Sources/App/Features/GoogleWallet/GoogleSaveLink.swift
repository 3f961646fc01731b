import Fluent
import Foundation
import GoogleWallet
import Vapor

/// The "Add to Google Wallet" link of a card: `https://pay.google.com/gp/v/save/<JWT>`, signed
/// with the service account's key and naming the card's object, which the platform inserts
/// through the REST API when the card is created (the short "skinny" form).
enum GoogleSaveLink {
    /// Browsers cut longer links (WALLET.md §4.5).
    static let maximumLength = 1_800

    /// `nil` when the platform has no Google Wallet.
    static func url(for card: CardModel, on application: Application, database: any Database) async throws -> String? {
        guard let issuer = application.googleWallet else { return nil }
        let configuredClassID = try await ProgramModel.query(on: database).filter(\.$id == card.$program.id)
            .field(\.$id).field(\.$googleClassID).first()?.googleClassID
        let reference = GoogleJWTs.ObjectReference(
            id: issuer.design.objectID(cardID: try card.requireID()),
            classId: issuer.design.classID(programID: card.$program.id, configured: configuredClassID))
        return try await issuer.client.jwts.saveLink(objects: [reference], origins: issuer.origins, at: application.clock())
    }
}
