import Fluent
import FluentSQL
import SQLKit

/// 013: the merchant's card list in its order (newest first), its blocked cards, and the
/// customer search behind it.
enum CardListMigrations {
    /// Without them SQLite sorted the merchant's whole card set for every page (a temporary
    /// B-tree per request) and counted blocked cards by reading each card (decision 0034).
    struct CreateCardListIndexes: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.sql.create(index: "loyalty_cards_merchant_created_idx").on(CardModel.schema)
                .column("merchant_id").column("created_at").column("id").run()
            // Partial: about one card in a hundred is blocked.
            try await database.sql.raw(
                """
                CREATE INDEX loyalty_cards_merchant_blocked_idx ON \(ident: CardModel.schema) (merchant_id, created_at, id)
                WHERE blocked_at IS NOT NULL
                """
            ).run()
        }

        func revert(on database: any Database) async throws {
            for index in ["loyalty_cards_merchant_blocked_idx", "loyalty_cards_merchant_created_idx"] {
                try await database.sql.drop(index: index).run()
            }
        }
    }

    /// The indexes `PrefixMatch` ranges over: a customer's lower-cased name and e-mail (byte
    /// order: PostgreSQL's in the C collation); and cards by customer, so a search goes from the
    /// customers it finds to their cards.
    struct CreateCustomerSearchIndexes: AsyncMigration {
        func prepare(on database: any Database) async throws {
            // Each ends in the id it leads to, so a search's count is read from indexes alone (a
            // name matching 16,578 of 100,000 customers cost one table read per customer and card).
            if database.isSQLite {
                try await database.sql.raw("CREATE INDEX customers_merchant_name_idx ON customers (merchant_id, lower(name), id)").run()
                try await database.sql.raw("CREATE INDEX customers_merchant_email_idx ON customers (merchant_id, email, id)").run()
            } else {
                try await database.sql.raw(#"CREATE INDEX customers_merchant_name_idx ON customers (merchant_id, (lower(name) COLLATE "C"), id)"#).run()
                try await database.sql.raw(#"CREATE INDEX customers_merchant_email_idx ON customers (merchant_id, (email COLLATE "C"), id)"#).run()
            }
            // From the customers a search finds to their cards, in the list's order.
            try await database.sql.create(index: "loyalty_cards_customer_idx").on(CardModel.schema)
                .column("customer_id").column("merchant_id").column("created_at").column("id").run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.drop(index: "loyalty_cards_customer_idx").run()
            try await database.sql.drop(index: "customers_merchant_email_idx").run()
            try await database.sql.drop(index: "customers_merchant_name_idx").run()
        }
    }
}

/// 017: a merchant's cards by customer, for a search's count: the merchant's entries lie
/// together, so PostgreSQL counts the matching customers' cards by a hash join over them
/// instead of one probe per customer (16,723 customers for "mar" at a million cards: 94 → 32
/// ms warm), and SQLite probes a smaller index (39-49 → 23 ms).
enum CardSearchCountMigrations {
    struct CreateMerchantCustomerIndex: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.sql.create(index: "loyalty_cards_merchant_customer_idx").on(CardModel.schema)
                .column("merchant_id").column("customer_id").run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.drop(index: "loyalty_cards_merchant_customer_idx").run()
        }
    }
}

/// 018: a search by number. Cards by merchant and number, so that the start of a number is
/// a range of the merchant's own entries (the unique index on numbers alone spans every
/// merchant, and SQLite preferred walking the merchant's 100,000 cards newest first, 90 ms);
/// and a customer's phone without its separators (`CardSearch.phoneDigits`), where a number
/// that could be a phone read every customer of the merchant (700 ms on the owner's cards
/// page at the benchmark's size).
enum NumberSearchMigrations {
    struct CreateNumberSearchIndexes: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.sql.create(index: "loyalty_cards_merchant_number_idx").on(CardModel.schema)
                .column("merchant_id").column("card_number").run()
            try await database.sql.raw(
                "CREATE INDEX customers_merchant_phone_digits_idx ON customers (merchant_id, \(unsafeRaw: CardSearch.phoneDigits(of: "phone")))"
            ).run()
        }

        func revert(on database: any Database) async throws {
            try await database.sql.drop(index: "customers_merchant_phone_digits_idx").run()
            try await database.sql.drop(index: "loyalty_cards_merchant_number_idx").run()
        }
    }
}
