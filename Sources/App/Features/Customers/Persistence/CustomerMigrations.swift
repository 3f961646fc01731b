import Fluent
import FluentKit
import Foundation
import Vapor

/// Schema of customers.
enum CustomerMigrations {
    struct CreateCustomers: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CustomerModel.schema)
                .id()
                .field("merchant_id", .uuid, .required, .references(MerchantModel.schema, .id, onDelete: .restrict))
                .field("name", .string, .required)
                .field("email", .string)
                .field("phone", .string)
                .field("birthday", .string)
                .field("locale", .string, .required)
                .field("marketing_consent", .bool, .required)
                .field("marketing_consent_at", .datetime)
                .field("password_hash", .string)
                .field("created_at", .datetime, .required)
                .field("updated_at", .datetime)
                // NULL e-mails do not collide on either engine: walk-in customers may have none.
                .unique(on: "merchant_id", "email")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CustomerModel.schema).delete()
        }
    }
}
