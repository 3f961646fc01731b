import Fluent
import Foundation

/// A card's LoyaltyObject at Google, as this platform last delivered it.
///
/// The object is owed an update while the body the card would give now differs from
/// `sentHash`. One instance at a time sends for a card: it claims the row (`leaseOwner`,
/// `leaseUntil`), reads the card after claiming, sends, and records the accepted body; so two
/// instances never send the same version, and never send an older state after a newer one.
final class GoogleWalletObjectModel: Model, @unchecked Sendable {
    static let schema = "loyalty_google_objects"

    @ID(key: .id) var id: UUID?
    @Parent(key: "card_id") var card: CardModel
    @Field(key: "object_id") var objectID: String
    /// The class the object was last sent with; `nil` before the first success.
    @OptionalField(key: "class_id") var classID: String?
    /// SHA-256 (hex) of the body Google last accepted, without the notice and notification
    /// flag; `nil` until Google has the object.
    @OptionalField(key: "sent_hash") var sentHash: String?
    /// That body, for the admin's debug view.
    @OptionalField(key: "sent_body") var sentBody: String?
    @OptionalField(key: "synced_at") var syncedAt: Date?
    @OptionalField(key: "attempted_at") var attemptedAt: Date?
    /// Failed attempts since the last success.
    @Field(key: "failures") var failures: Int
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "lease_owner") var leaseOwner: String?
    @OptionalField(key: "lease_until") var leaseUntil: Date?
    /// Rewards ready in the last accepted body: a higher count now is a reward just earned.
    @Field(key: "rewards_ready") var rewardsReady: Int
    /// Google notifies a holder of a few updates per pass a day: notices sent in the window.
    @Field(key: "notices_sent") var noticesSent: Int
    @OptionalField(key: "notice_window_start") var noticeWindowStart: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(cardID: UUID, objectID: String) {
        self.$card.id = cardID
        self.objectID = objectID
        failures = 0
        rewardsReady = 0
        noticesSent = 0
    }
}

/// A program's LoyaltyClass at Google, as last delivered.
final class GoogleWalletClassModel: Model, @unchecked Sendable {
    static let schema = "loyalty_google_classes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: ProgramModel
    @Field(key: "class_id") var classID: String
    @OptionalField(key: "sent_hash") var sentHash: String?
    @OptionalField(key: "sent_body") var sentBody: String?
    @OptionalField(key: "synced_at") var syncedAt: Date?
    @OptionalField(key: "attempted_at") var attemptedAt: Date?
    @Field(key: "failures") var failures: Int
    @OptionalField(key: "last_error") var lastError: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(programID: UUID, classID: String) {
        self.$program.id = programID
        self.classID = classID
        failures = 0
    }
}
