import Crypto
import Fluent
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// A request's `Idempotency-Key` and a fingerprint of what it asked for.
struct IdempotencyRequest: Sendable {
    static let maximumKeyLength = 255

    let key: String
    /// SHA-256 of the operation name and the request's content, re-encoded with sorted keys.
    let requestHash: String

    init(key: String, operation: String, content: some Encodable) throws {
        self.key = key
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var data = Data((operation + "\n").utf8)
        data.append(try encoder.encode(content))
        requestHash = SHA256.hash(data: data).hexEncoded
    }
}

/// What an idempotent operation answered the first time, replayed to its retries.
struct StoredResponse: Sendable, Equatable {
    let status: Int
    let body: String
}

/// Stores first responses of balance-changing requests, scoped to the store the request acts
/// in: two stores (two POS systems) that happen to use the same key never see each other's
/// answers (docs/decisions/0007-idempotency.md).
///
/// Read and written inside the operation's locked write transaction; the primary key
/// `(store_id, key)` is the backstop when two first attempts race on different cards.
/// Only successful operations are stored: a refused one (cooldown, wrong PIN) changed nothing
/// and may be retried with the same key.
enum IdempotencyStore {
    /// The stored response for `request`, `nil` for a new key, or `idempotency_key_reused`.
    static func replay(_ request: IdempotencyRequest, store: StoreContext, on tx: any Database) async throws -> StoredResponse? {
        struct Row: Decodable {
            let request_hash: String
            let response_status: Int
            let response_body: String
        }
        guard let row = try await tx.sql.select()
            .column("request_hash").column("response_status").column("response_body")
            .from("idempotency_keys")
            .where("merchant_id", .equal, store.merchantID)
            .where("store_id", .equal, store.storeID)
            .where("key", .equal, request.key)
            .first(decoding: Row.self)
        else { return nil }
        guard row.request_hash == request.requestHash else { throw APIError.idempotencyKeyReused }
        return StoredResponse(status: row.response_status, body: row.response_body)
    }

    static func save(
        _ request: IdempotencyRequest,
        response: StoredResponse,
        store: StoreContext,
        at now: Date,
        on tx: any Database
    ) async throws {
        try await tx.sql.insert(into: "idempotency_keys")
            .columns("merchant_id", "store_id", "key", "request_hash", "response_status", "response_body", "created_at")
            .values(
                SQLBind(store.merchantID), SQLBind(store.storeID), SQLBind(request.key), SQLBind(request.requestHash), SQLBind(response.status),
                SQLBind(response.body), SQLBind(now)
            )
            .run()
    }
}

extension APIError {
    static let idempotencyKeyReused = APIError(
        .unprocessableEntity, code: "idempotency_key_reused",
        message: "This Idempotency-Key was already used for a different request.")
}
