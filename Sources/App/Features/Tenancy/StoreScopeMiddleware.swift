import Fluent
import FluentKit
import Foundation
import LoyaltyCore
import Vapor

/// The store a store-endpoint request acts in, resolved once per request.
struct StoreContext: Sendable {
    let storeID: UUID
    let merchantID: UUID
    let code: String
    let timezone: String

    /// The context of a store row; the one place that maps a store to it.
    init(_ store: StoreModel) throws {
        self.init(storeID: try store.requireID(), merchantID: store.$merchant.id, code: store.code, timezone: store.timezone)
    }

    private init(storeID: UUID, merchantID: UUID, code: String, timezone: String) {
        self.storeID = storeID
        self.merchantID = merchantID
        self.code = code
        self.timezone = timezone
    }

    /// The store's time zone; names are checked when the store is created, UTC otherwise.
    var timeZone: TimeZone { TimeZone(identifier: timezone) ?? .gmt }

    /// The store's local business day at `instant`.
    func businessDay(at instant: Date) -> CalendarDate {
        // Safe: every instant has a Gregorian calendar date.
        CalendarDate(instant, in: timeZone)!
    }
}

extension Request {
    private struct StoreContextKey: StorageKey { typealias Value = StoreContext }

    /// The acting store; only on routes behind `StoreScopeMiddleware`.
    var store: StoreContext {
        get {
            guard let context = storage[StoreContextKey.self] else {
                preconditionFailure("StoreScopeMiddleware is not installed on this route")
            }
            return context
        }
        set { storage[StoreContextKey.self] = newValue }
    }
}

/// Decides which store a request to `/api/v1/store/...` acts in. Runs after `StaffAuthMiddleware`.
///
/// - Store managers and staff act in their own store. Naming another store of their merchant in
///   `X-Store-Id` is 403; naming any other id is 404, as if it did not exist.
/// - Merchant owners must name one of their stores in `X-Store-Id`; another merchant's store
///   is 404.
struct StoreScopeMiddleware: AsyncMiddleware {
    static let header = "X-Store-Id"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let context = try await Self.store(for: request.staff, named: try Self.namedStoreID(in: request), on: request.db) else {
            throw APIError.validationFailed([Self.header: "is required: name the store you act in"], status: .badRequest)
        }
        request.store = context
        return try await next.respond(to: request)
    }

    /// The store `staff` acts in: their own, or the one an owner names (nil: an owner named
    /// none). The API and the pages decide it here alike.
    static func store(for staff: StaffIdentity, named: UUID?, on database: any Database) async throws -> StoreContext? {
        guard let storeID = staff.storeID ?? named else { return nil }
        guard let store = try await StoreModel.find(named ?? storeID, on: database),
            store.$merchant.id == staff.merchantID
        else { throw APIError.notFound("The store") }
        if let ownStore = staff.storeID, ownStore != store.id {
            throw APIError.forbidden("Your account works in another store of this merchant.")
        }
        return try StoreContext(store)
    }

    private static func namedStoreID(in request: Request) throws -> UUID? {
        guard let text = request.headers.first(name: header) else { return nil }
        guard let id = UUID(uuidString: text) else {
            throw APIError.validationFailed([header: "must be a store id (UUID)"], status: .badRequest)
        }
        return id
    }
}
