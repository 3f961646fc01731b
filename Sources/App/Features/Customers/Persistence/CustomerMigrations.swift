import Fluent
import FluentKit
import FluentSQL
import Foundation
import SQLKit
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

    /// Marks addresses entered by staff; existing ones are those of customers without an account
    /// or a private card link (the two online ways to give one).
    struct UpdateCustomersAddEmailFromStaff: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CustomerModel.schema).field("email_from_staff", .bool, .required, .sql(.default(false))).update()
            try await database.sql.raw(
                """
                UPDATE customers SET email_from_staff = \(bind: true)
                WHERE email IS NOT NULL AND password_hash IS NULL
                AND id NOT IN (SELECT customer_id FROM loyalty_cards WHERE link_token_hash IS NOT NULL)
                """
            ).run()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CustomerModel.schema).deleteField("email_from_staff").update()
        }
    }

    /// When a customer's personal data was erased (docs/decisions/0019-customer-erasure.md).
    struct UpdateCustomersAddErasedAt: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CustomerModel.schema).field("erased_at", .datetime).update()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CustomerModel.schema).deleteField("erased_at").update()
        }
    }
}
