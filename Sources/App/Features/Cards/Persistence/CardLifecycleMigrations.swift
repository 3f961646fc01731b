import Fluent
import Foundation
import SQLKit
import Vapor

/// Schema for blocking and reissuing cards (docs/decisions/0018-card-reissue.md).
enum CardLifecycleMigrations {
    /// Adds the block and the link between a reissued card and its replacement, and narrows
    /// "one card per customer and merchant" to the customer's live card: a reissued card keeps
    /// its customer (and its history) next to the new one.
    struct UpdateCardsAddBlockingAndReissue: AsyncMigration {
        static let liveCardIndex = "loyalty_cards_live_card_idx"

        func prepare(on database: any Database) async throws {
            // One column per ALTER: SQLite adds one at a time.
            try await database.schema(CardModel.schema).field("blocked_at", .datetime).update()
            try await database.schema(CardModel.schema).field("blocked_reason", .string).update()
            try await database.schema(CardModel.schema).field("replaced_by_card_id", .uuid).update()
            try await database.schema(CardModel.schema).field("replaces_card_id", .uuid).update()
            try await Self.dropOneCardPerCustomerConstraint(on: database)
            try await database.sql.raw("DROP INDEX IF EXISTS loyalty_cards_one_card_idx").run()
            try await database.sql.raw(
                """
                CREATE UNIQUE INDEX \(unsafeRaw: Self.liveCardIndex) ON \(unsafeRaw: CardModel.schema) (merchant_id, customer_id)
                WHERE replaced_by_card_id IS NULL
                """
            ).run()
            try await database.sql.create(index: "loyalty_cards_replaces_idx").on(CardModel.schema).column("replaces_card_id").run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.drop(index: "loyalty_cards_replaces_idx").run()
            try await database.sql.drop(index: Self.liveCardIndex).run()
            // Fails while a customer holds a reissued card next to its replacement, as it must.
            try await database.sql.create(index: "loyalty_cards_one_card_idx").unique().on(CardModel.schema)
                .column("merchant_id").column("customer_id").run()
            for column in ["replaces_card_id", "replaced_by_card_id", "blocked_reason", "blocked_at"] {
                try await database.schema(CardModel.schema).deleteField(.string(column)).update()
            }
        }

        /// PostgreSQL drops the table constraint by name. SQLite cannot drop a table constraint,
        /// so the table is rebuilt without it, the way SQLite's documentation prescribes
        /// (foreign keys off, create, copy, drop, rename, indexes and triggers back, check).
        static func dropOneCardPerCustomerConstraint(on database: any Database) async throws {
            guard database.isSQLite else {
                let rows = try await database.sql.raw(
                    """
                    SELECT conname FROM pg_constraint WHERE conrelid = 'loyalty_cards'::regclass AND contype = 'u'
                    AND pg_get_constraintdef(oid) = 'UNIQUE (merchant_id, customer_id)'
                    """
                ).all()
                for row in rows {
                    let name = try row.decode(column: "conname", as: String.self)
                    try await database.sql.raw("ALTER TABLE loyalty_cards DROP CONSTRAINT \(ident: name)").run()
                }
                return
            }
            try await database.withConnection { connection in
                let sql = connection.sql
                try await sql.raw("PRAGMA foreign_keys = OFF").run()
                do {
                    try await sql.raw("BEGIN IMMEDIATE").run()
                    do {
                        try await rebuildSQLiteTable(on: sql)
                        try await sql.raw("COMMIT").run()
                    } catch {
                        try? await sql.raw("ROLLBACK").run()
                        throw error
                    }
                } catch {
                    try? await sql.raw("PRAGMA foreign_keys = ON").run()
                    throw error
                }
                try await sql.raw("PRAGMA foreign_keys = ON").run()
            }
        }

        private static func rebuildSQLiteTable(on sql: any SQLDatabase) async throws {
            let schema = try await sql.raw(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'loyalty_cards' AND sql IS NOT NULL"
            ).all()
            var table: String?
            var dependents: [String] = []
            for row in schema {
                let text = try row.decode(column: "sql", as: String.self)
                if try row.decode(column: "type", as: String.self) == "table" { table = text } else { dependents.append(text) }
            }
            let constraint = #",\s*(CONSTRAINT\s+"[^"]*"\s*)?UNIQUE\s*\(\s*"?merchant_id"?\s*,\s*"?customer_id"?\s*\)"#
            let tableName = #"^CREATE TABLE\s+"?loyalty_cards"?"#
            guard var definition = table, definition.range(of: tableName, options: .regularExpression) != nil else {
                throw MigrationError("loyalty_cards: its definition was not found")
            }
            // Already without it (a database migrated, reverted and migrated again): nothing to drop.
            guard let range = definition.range(of: constraint, options: .regularExpression) else { return }
            definition.removeSubrange(range)
            // Safe: checked above, and removing the constraint leaves the start unchanged.
            definition.replaceSubrange(
                definition.range(of: tableName, options: .regularExpression)!, with: "CREATE TABLE \"loyalty_cards_rebuilt\"")
            try await sql.raw(SQLQueryString(definition)).run()
            try await sql.raw("INSERT INTO loyalty_cards_rebuilt SELECT * FROM loyalty_cards").run()
            try await sql.raw("DROP TABLE loyalty_cards").run()
            try await sql.raw("ALTER TABLE loyalty_cards_rebuilt RENAME TO loyalty_cards").run()
            for statement in dependents { try await sql.raw(SQLQueryString(statement)).run() }
            let broken = try await sql.raw("PRAGMA foreign_key_check").all()
            guard broken.isEmpty else { throw MigrationError("loyalty_cards: rebuilding broke \(broken.count) foreign keys") }
        }
    }

    struct MigrationError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
