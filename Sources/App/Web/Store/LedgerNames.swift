import Fluent
import FluentSQL
import Foundation
import SQLKit

/// What a ledger row is shown with in words: its store's name, its staff PIN's or account's
/// name, and whether a later row voided it. Read with SQLKit, two or three columns a row: a
/// page that decoded every PIN, account and store of a merchant as Fluent models spent a fifth
/// of its time in their per-row reflection (perf, 2026-12-02).
struct LedgerNames: Sendable {
    var stores: [UUID: String] = [:]
    var pins: [UUID: String] = [:]
    /// An account's name, or its e-mail when it has none.
    var users: [UUID: String] = [:]

    /// The names these rows refer to, of `merchantID`'s stores and PINs (accounts by id alone:
    /// the rows are the merchant's own); those in `known` are not read again.
    static func of(_ rows: [TransactionResponse], merchantID: UUID, known: LedgerNames = LedgerNames(), on database: any Database)
        async throws -> LedgerNames
    {
        var names = known
        let storeIDs = Set(rows.compactMap(\.storeId)).subtracting(known.stores.keys)
        if !storeIDs.isEmpty {
            names.stores.merge(try await named(
                database.sql.select().columns("id", "name").from(StoreModel.schema)
                    .where("merchant_id", .equal, merchantID).where("id", .in, Array(storeIDs)))) { $1 }
        }
        let pinIDs = Set(rows.compactMap(\.staffPinId)).subtracting(known.pins.keys)
        if !pinIDs.isEmpty {
            names.pins.merge(try await named(
                database.sql.select().columns("id", "name").from(StaffPinModel.schema)
                    .where("merchant_id", .equal, merchantID).where("id", .in, Array(pinIDs)))) { $1 }
        }
        let userIDs = Set(rows.compactMap(\.userId)).subtracting(known.users.keys)
        if !userIDs.isEmpty {
            for account in try await database.sql.select().columns("id", "name", "email").from(UserModel.schema)
                .where("id", .in, Array(userIDs)).all(decoding: Account.self)
            {
                names.users[account.id] = account.shownName
            }
        }
        return names
    }

    /// The ids among `ids` that a later row voids (by the unique voids index; no merchant
    /// condition, which steered SQLite to the merchant's time index).
    static func voided(_ ids: [UUID], on database: any Database) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        struct Row: Decodable { let voids_transaction_id: UUID }
        return Set(
            try await database.sql.select().column("voids_transaction_id").from(TransactionModel.schema)
                .where("voids_transaction_id", .in, ids).all(decoding: Row.self).map(\.voids_transaction_id))
    }

    /// An account as a name: `name` when it has one, its e-mail otherwise.
    struct Account: Decodable {
        let id: UUID
        let name: String?
        let email: String

        var shownName: String { name ?? email }
    }

    private static func named(_ select: SQLSelectBuilder) async throws -> [UUID: String] {
        struct Row: Decodable {
            let id: UUID
            let name: String
        }
        return Dictionary(uniqueKeysWithValues: try await select.all(decoding: Row.self).map { ($0.id, $0.name) })
    }
}
