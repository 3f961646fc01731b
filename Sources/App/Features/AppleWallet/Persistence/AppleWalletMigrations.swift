import Fluent
import Foundation
import SQLKit
import Vapor

/// Schema for Apple Wallet: each card's pass identity, the devices that hold a pass, and the
/// error reports Wallet sends.
enum AppleWalletMigrations {
    /// Every card gets a pass serial number (also the download credential, so unguessable) and
    /// the token Wallet authenticates with. Both are fixed for the card's life: Wallet refuses
    /// an update that changes either. Cards created before this migration get theirs here.
    struct UpdateCardsAddApplePassIdentity: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CardModel.schema).field("apple_serial_number", .string).update()
            try await database.schema(CardModel.schema).field("apple_auth_token", .string).update()
            let cards = try await database.sql.select().column("id").from(CardModel.schema).all()
            for row in cards {
                let id = try row.decode(column: "id", as: UUID.self)
                let identity = ApplePassIdentity.random()
                try await database.sql.update(CardModel.schema)
                    .set("apple_serial_number", to: identity.serialNumber)
                    .set("apple_auth_token", to: identity.authenticationToken)
                    .where("id", .equal, id)
                    .run()
            }
            try await database.sql.create(index: "loyalty_cards_apple_serial_idx").unique().on(CardModel.schema)
                .column("apple_serial_number").run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.drop(index: "loyalty_cards_apple_serial_idx").run()
            try await database.schema(CardModel.schema).deleteField("apple_auth_token").update()
            try await database.schema(CardModel.schema).deleteField("apple_serial_number").update()
        }
    }

    /// A device that registered a pass for update pushes. One row per device and card: a device
    /// holds many passes, a pass lives on many devices.
    struct CreateDeviceRegistrations: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(AppleDeviceRegistrationModel.schema)
                .id()
                .field("card_id", .uuid, .required, .references(CardModel.schema, .id, onDelete: .cascade))
                .field("device_library_identifier", .string, .required)
                .field("push_token", .string, .required)
                .field("pushed_through", .datetime)
                .field("created_at", .datetime, .required)
                .field("updated_at", .datetime)
                .unique(on: "device_library_identifier", "card_id")
                .create()
            try await database.sql.create(index: "loyalty_apple_registrations_card_idx").on(AppleDeviceRegistrationModel.schema)
                .column("card_id").run()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(AppleDeviceRegistrationModel.schema).delete()
        }
    }

    /// The messages Wallet posts to `/v1/log`: its only error reports from the field.
    struct CreateWalletLog: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(AppleWalletLogModel.schema)
                .id()
                .field("message", .string, .required)
                .field("client_address", .string, .required)
                .field("received_at", .datetime, .required)
                .create()
            try await database.sql.create(index: "loyalty_apple_wallet_log_received_idx").on(AppleWalletLogModel.schema)
                .column("received_at").run()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(AppleWalletLogModel.schema).delete()
        }
    }

    /// The pass download is found by the pass's authentication token, not its serial, which the
    /// device listing hands out (decision 0010, revised): one indexed read per download.
    struct CreateAuthTokenIndex: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.sql.create(index: "loyalty_cards_apple_auth_token_idx").unique().on(CardModel.schema)
                .column("apple_auth_token").run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.drop(index: "loyalty_cards_apple_auth_token_idx").run()
        }
    }
}
