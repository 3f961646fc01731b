import Crypto
import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// A pass's fixed identity: its serial number and the token Wallet sends back with it.
struct ApplePassIdentity: Sendable, Hashable {
    let serialNumber: String
    let authenticationToken: String

    /// 128 random bits each, as 32 lowercase hex digits: unguessable, URL-safe, and longer than
    /// the 16 characters Apple requires of a token.
    static func random() -> ApplePassIdentity {
        ApplePassIdentity(serialNumber: randomHex(), authenticationToken: randomHex())
    }

    private static func randomHex() -> String {
        SymmetricKey(size: .bits128).withUnsafeBytes { Array($0).hexEncoded }
    }
}

/// A device that holds a card's pass and wants a push when it changes.
final class AppleDeviceRegistrationModel: Model, @unchecked Sendable {
    static let schema = "loyalty_apple_registrations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "card_id") var card: CardModel
    @Field(key: "device_library_identifier") var deviceLibraryIdentifier: String
    @Field(key: "push_token") var pushToken: String
    /// The pass's modification time that the last delivered push announced; `nil` until one
    /// was delivered. A pass modified later still owes this device a push.
    @OptionalField(key: "pushed_through") var pushedThrough: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(cardID: UUID, deviceLibraryIdentifier: String, pushToken: String) {
        self.$card.id = cardID
        self.deviceLibraryIdentifier = deviceLibraryIdentifier
        self.pushToken = pushToken
    }
}

/// One message from Wallet's `/v1/log`.
final class AppleWalletLogModel: Model, @unchecked Sendable {
    static let schema = "loyalty_apple_wallet_log"

    @ID(key: .id) var id: UUID?
    @Field(key: "message") var message: String
    @Field(key: "client_address") var clientAddress: String
    @Field(key: "received_at") var receivedAt: Date

    init() {}

    init(message: String, clientAddress: String, receivedAt: Date) {
        self.message = message
        self.clientAddress = clientAddress
        self.receivedAt = receivedAt
    }
}
