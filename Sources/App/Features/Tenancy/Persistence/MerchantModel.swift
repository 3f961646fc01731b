import Fluent
import FluentKit
import Foundation
import Vapor

/// A legal business: the tenant. Everything else belongs to one merchant.
final class MerchantModel: Model, @unchecked Sendable {
    static let schema = "merchants"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "contact_email") var contactEmail: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(id: UUID? = nil, name: String, contactEmail: String) {
        self.id = id
        self.name = name
        self.contactEmail = contactEmail
    }
}
