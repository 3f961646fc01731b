import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import Vapor

/// A staff account: platform admin, merchant owner, or store manager / staff bound to a store.
final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    /// Lower-cased; unique across the platform so login needs only the address.
    @Field(key: "email") var email: String
    @Field(key: "password_hash") var passwordHash: String
    @OptionalField(key: "name") var name: String?
    @Field(key: "role") var role: Role
    @OptionalParent(key: "merchant_id") var merchant: MerchantModel?
    @OptionalParent(key: "store_id") var store: StoreModel?
    @Field(key: "is_active") var isActive: Bool
    /// The pages' language for this account (`en`, `fr`, `de`, `lb`); absent: the browser's.
    @OptionalField(key: "language") var language: String?
    /// The password was drawn by the server for someone else to hand over (an invitation or a
    /// reset on the owner's pages): the pages ask for a new one before anything else.
    @Field(key: "password_change_required") var passwordChangeRequired: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(email: String, passwordHash: String, name: String?, role: Role, merchantID: UUID?, storeID: UUID?) {
        self.email = email
        self.passwordHash = passwordHash
        self.name = name
        self.role = role
        self.$merchant.id = merchantID
        self.$store.id = storeID
        self.isActive = true
        self.passwordChangeRequired = false
    }
}
