import Foundation
import LoyaltyCore
import Testing

@testable import App

/// Who may call each route, and whether the call names another tenant's object.
///
/// Every registered route needs a row: `IsolationMatrixTests.everyRouteHasARow` fails for a
/// route without one. The expected answer for each persona follows from the row
/// (`IsolationRule.expectedOutcome(for:)`): callers outside the audience get 401 or 403; inside
/// it, a call that names another tenant's object gets 404, never that object.
struct IsolationRule: Sendable, CustomTestStringConvertible {
    enum Audience: Sendable {
        case anyone
        case staff(Set<Role>)
        case customer
        /// Apple Wallet: the credential is the pass's own `ApplePass` token, which no persona
        /// holds; a bearer token of any kind opens nothing.
        case applePass
        /// `/metrics`: the scraper's own token (`LOYALTY_METRICS_TOKEN`), which no persona
        /// holds; a bearer token of any kind opens nothing.
        case scraper

        /// Staff and Apple Wallet routes act on a tenant's data: their answers are checked for
        /// the other tenant's secrets, and the other tenant's data for changes.
        var isCredentialed: Bool {
            switch self {
            case .staff, .applePass: true
            case .anyone, .customer, .scraper: false
            }
        }
    }

    let route: String
    let audience: Audience
    /// The call names the other tenant's object (in the path or the body).
    let namesOtherTenant: Bool
    /// The request body, built from the caller's home tenant and the other tenant.
    let body: (@Sendable (_ other: IsolationWorld.Tenant) -> [String: JSONValue])?
    /// The route acts on the caller's own objects only (its own sessions), so even the platform
    /// admin gets 404 for another's.
    let ownOnly: Bool

    var testDescription: String { route }

    init(
        _ route: String, _ audience: Audience, foreign: Bool = false, ownOnly: Bool = false,
        body: (@Sendable (_ other: IsolationWorld.Tenant) -> [String: JSONValue])? = nil
    ) {
        self.route = route
        self.audience = audience
        self.namesOtherTenant = foreign
        self.ownOnly = ownOnly
        self.body = body
    }
}

extension IsolationRule {
    static let admin: Audience = .staff([.platformAdmin])
    static let owner: Audience = .staff([.merchantOwner])
    static let anyStaff: Audience = .staff(Set(Role.allCases))
    static let store: Audience = .staff([.merchantOwner, .storeManager, .storeStaff])
    static let storeManagers: Audience = .staff([.merchantOwner, .storeManager])

    static func card(_ tenant: IsolationWorld.Tenant, _ extra: [String: JSONValue] = [:]) -> [String: JSONValue] {
        ["card_id": .string(tenant.card.id!.uuidString), "staff_pin": "4826"].merging(extra) { _, new in new }
    }

    static let all: [IsolationRule] = [
        .init("GET /health/live", .anyone),
        .init("GET /health/ready", .anyone),
        .init("GET /openapi.json", .anyone),
        .init("GET /metrics", .scraper),
        .init("POST /api/v1/auth/login", .anyone, body: { _ in [:] }),
        .init("POST /api/v1/auth/logout", anyStaff),
        .init("GET /api/v1/auth/me", anyStaff),
        .init("POST /api/v1/auth/password", anyStaff, body: { _ in [:] }),
        .init("GET /api/v1/auth/sessions", anyStaff),
        .init("DELETE /api/v1/auth/sessions/:session_id", anyStaff, foreign: true, ownOnly: true),

        .init("POST /api/v1/admin/merchants", admin, body: { _ in [:] }),
        .init("GET /api/v1/admin/merchants", admin),
        .init("GET /api/v1/admin/merchants/:merchant_id", admin, foreign: true),
        .init("POST /api/v1/admin/merchants/:merchant_id/stores", admin, foreign: true, body: { _ in [:] }),
        .init("GET /api/v1/admin/merchants/:merchant_id/stores", admin, foreign: true),
        .init("POST /api/v1/admin/merchants/:merchant_id/users", admin, foreign: true, body: { _ in [:] }),
        .init("GET /api/v1/admin/merchants/:merchant_id/users", admin, foreign: true),
        .init("POST /api/v1/admin/merchants/:merchant_id/users/:user_id/deactivate", admin, foreign: true),
        .init("POST /api/v1/admin/merchants/:merchant_id/users/:user_id/reactivate", admin, foreign: true),
        .init("POST /api/v1/admin/merchants/:merchant_id/users/:user_id/password", admin, foreign: true, body: { _ in [:] }),
        .init("GET /api/v1/admin/merchants/:merchant_id/users/:user_id/sessions", admin, foreign: true),
        .init("DELETE /api/v1/admin/merchants/:merchant_id/users/:user_id/sessions/:session_id", admin, foreign: true),
        .init("DELETE /api/v1/admin/merchants/:merchant_id/users/:user_id/login-lock", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/programs", admin),
        .init("GET /api/v1/admin/loyalty/programs/:program_id", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/programs/:program_id/stats", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/stats", admin),
        .init("GET /api/v1/admin/loyalty/analytics", admin),
        .init("GET /api/v1/admin/loyalty/analytics.csv", admin),
        .init("GET /api/v1/admin/loyalty/signals", admin),
        .init("GET /api/v1/admin/loyalty/wallet-status", admin),
        .init("GET /api/v1/admin/loyalty/debug/apple", admin),
        .init("GET /api/v1/admin/loyalty/debug/apple/log", admin),
        .init("GET /api/v1/admin/loyalty/debug/cards/:card_id/apple-pass", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/debug/google", admin),
        .init("GET /api/v1/admin/loyalty/debug/cards/:card_id/google-object", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/cards", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/cards/:card_id", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/cards/:card_id/transactions", admin, foreign: true),
        .init("PATCH /api/v1/admin/loyalty/merchants/:merchant_id/customers/:customer_id", admin, foreign: true, body: { _ in ["phone": "+352 621 000 000"] }),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/customers/:customer_id/export", admin, foreign: true),
        .init("DELETE /api/v1/admin/loyalty/merchants/:merchant_id/customers/:customer_id", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/transactions", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/locations", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/stats", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/analytics", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/analytics.csv", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/liability", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/signals", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/settings", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/exports/transactions.csv", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/exports/cards.csv", admin, foreign: true),
        .init("GET /api/v1/admin/loyalty/merchants/:merchant_id/pins", admin, foreign: true),
        .init("PATCH /api/v1/admin/loyalty/merchants/:merchant_id/settings", admin, foreign: true, body: { _ in [:] }),

        .init("GET /api/v1/merchants/me", owner),
        .init("POST /api/v1/merchants/stores", owner, body: { _ in [:] }),
        .init("GET /api/v1/merchants/stores", owner),
        .init("POST /api/v1/merchants/users", owner, foreign: true, body: { other in
            ["email": "new@staff.test", "password": "long-enough-pw", "role": "store_staff", "store_id": .string(other.store1.id!.uuidString)]
        }),
        .init("GET /api/v1/merchants/users", owner),
        .init("POST /api/v1/merchants/users/:user_id/deactivate", owner, foreign: true),
        .init("POST /api/v1/merchants/users/:user_id/reactivate", owner, foreign: true),
        .init("POST /api/v1/merchants/users/:user_id/password", owner, foreign: true, body: { _ in ["password": "long-enough-pw"] }),
        .init("GET /api/v1/merchants/users/:user_id/sessions", owner, foreign: true),
        .init("DELETE /api/v1/merchants/users/:user_id/sessions/:session_id", owner, foreign: true),
        .init("DELETE /api/v1/merchants/users/:user_id/login-lock", owner, foreign: true),
        .init("GET /api/v1/merchants/loyalty/program", owner),
        .init("POST /api/v1/merchants/loyalty/program", owner, body: { _ in ["loyalty_type": "stamps"] }),
        .init("PATCH /api/v1/merchants/loyalty/program", owner, body: { _ in ["card_color": "#112233"] }),
        .init("DELETE /api/v1/merchants/loyalty/program", owner),
        .init("GET /api/v1/merchants/loyalty/cards", owner),
        .init("GET /api/v1/merchants/loyalty/cards/:card_id", owner, foreign: true),
        .init("GET /api/v1/merchants/loyalty/cards/:card_id/transactions", owner, foreign: true),
        .init("POST /api/v1/merchants/loyalty/cards/:card_id/block", owner, foreign: true, body: { _ in ["reason": "lost"] }),
        .init("POST /api/v1/merchants/loyalty/cards/:card_id/unblock", owner, foreign: true),
        .init("POST /api/v1/merchants/loyalty/cards/:card_id/reissue", owner, foreign: true, body: { _ in ["reason": "lost"] }),
        .init("PATCH /api/v1/merchants/loyalty/customers/:customer_id", owner, foreign: true, body: { _ in ["name": "Renamed"] }),
        .init("GET /api/v1/merchants/loyalty/customers/:customer_id/export", owner, foreign: true),
        .init("DELETE /api/v1/merchants/loyalty/customers/:customer_id", owner, foreign: true),
        .init("GET /api/v1/merchants/loyalty/transactions", owner),
        .init("GET /api/v1/merchants/loyalty/locations", owner),
        .init("GET /api/v1/merchants/loyalty/stats", owner),
        .init("GET /api/v1/merchants/loyalty/analytics", owner),
        .init("GET /api/v1/merchants/loyalty/analytics.csv", owner),
        .init("GET /api/v1/merchants/loyalty/liability", owner),
        .init("GET /api/v1/merchants/loyalty/signals", owner),
        .init("GET /api/v1/merchants/loyalty/settings", owner),
        .init("GET /api/v1/merchants/loyalty/exports/transactions.csv", owner),
        .init("GET /api/v1/merchants/loyalty/exports/cards.csv", owner),
        .init("GET /api/v1/merchants/loyalty/pins", owner),
        .init("POST /api/v1/merchants/loyalty/pins", owner, foreign: true, body: { other in
            ["name": "Intruder", "pin": "7391", "store_id": .string(other.store1.id!.uuidString)]
        }),
        .init("PATCH /api/v1/merchants/loyalty/pins/:pin_id", owner, foreign: true, body: { _ in ["name": "Renamed"] }),
        .init("DELETE /api/v1/merchants/loyalty/pins/:pin_id", owner, foreign: true),
        .init("POST /api/v1/merchants/loyalty/pins/:pin_id/unlock", owner, foreign: true),

        .init("GET /api/v1/store/current", store),
        .init("POST /api/v1/store/customers", store, body: { _ in ["name": "Walk-in"] }),
        .init("GET /api/v1/store/customers", store),
        .init("GET /api/v1/store/customers/:customer_id", store, foreign: true),
        .init("GET /api/v1/store/loyalty/program", store),
        .init("POST /api/v1/store/loyalty/program", storeManagers, body: { _ in ["loyalty_type": "stamps"] }),
        .init("PATCH /api/v1/store/loyalty/program", storeManagers, body: { _ in ["card_color": "#112233"] }),
        .init("DELETE /api/v1/store/loyalty/program", storeManagers),
        .init("POST /api/v1/store/loyalty/cards/enroll", store, body: { _ in ["customer": ["name": "New"]] }),
        .init("POST /api/v1/store/loyalty/cards/lookup", store, foreign: true, body: { other in ["qr_code": .string(other.card.qrToken)] }),
        .init("GET /api/v1/store/loyalty/cards", store),
        .init("GET /api/v1/store/loyalty/cards/:card_id", store, foreign: true),
        .init("POST /api/v1/store/loyalty/cards/:card_id/points/adjust", owner, foreign: true, body: { _ in ["points_delta": 5, "reason": "x"] }),
        .init("POST /api/v1/store/loyalty/cards/:card_id/block", storeManagers, foreign: true, body: { _ in ["reason": "lost"] }),
        .init("POST /api/v1/store/loyalty/cards/:card_id/unblock", storeManagers, foreign: true),
        .init("POST /api/v1/store/loyalty/cards/:card_id/reissue", storeManagers, foreign: true, body: { _ in ["reason": "lost"] }),
        .init("POST /api/v1/store/loyalty/stamp", store, foreign: true, body: { other in card(other) }),
        .init("POST /api/v1/store/loyalty/stamp/redeem", store, foreign: true, body: { other in card(other) }),
        .init("POST /api/v1/store/loyalty/stamp/void", store, foreign: true, body: { other in
            ["transaction_id": .string(other.transactionID.uuidString), "reason": "x", "staff_pin": "4826"]
        }),
        .init("POST /api/v1/store/loyalty/points", store, foreign: true, body: { other in card(other, ["purchase_amount_cents": 500]) }),
        .init("POST /api/v1/store/loyalty/points/earn", store, foreign: true, body: { other in card(other, ["purchase_amount_cents": 500]) }),
        .init("POST /api/v1/store/loyalty/points/redeem", store, foreign: true, body: { other in
            card(other, ["reward_id": .string(other.reward.id!.uuidString)])
        }),
        .init("POST /api/v1/store/loyalty/points/void", store, foreign: true, body: { other in
            ["transaction_id": .string(other.transactionID.uuidString), "reason": "x", "staff_pin": "4826"]
        }),
        .init("GET /api/v1/store/loyalty/pins", storeManagers),
        .init("POST /api/v1/store/loyalty/pins", storeManagers, body: { _ in ["name": "New", "pin": "7391"] }),
        .init("PATCH /api/v1/store/loyalty/pins/:pin_id", storeManagers, foreign: true, body: { _ in ["name": "Renamed"] }),
        .init("DELETE /api/v1/store/loyalty/pins/:pin_id", storeManagers, foreign: true),
        .init("POST /api/v1/store/loyalty/pins/:pin_id/unlock", storeManagers, foreign: true),
        .init("GET /api/v1/store/loyalty/stats", store),
        .init("GET /api/v1/store/loyalty/stats/merchant", store),

        .init("POST /api/v1/storefront/auth/register", .anyone, body: { _ in [:] }),
        .init("POST /api/v1/storefront/auth/login", .anyone, body: { _ in [:] }),
        .init("POST /api/v1/storefront/auth/logout", .customer),
        .init("GET /api/v1/storefront/auth/me", .customer),
        .init("PATCH /api/v1/storefront/auth/me", .customer, body: { _ in ["phone": "+352 621 000 000"] }),
        .init("GET /api/v1/storefront/auth/me/export", .customer),
        .init("GET /api/v1/storefront/loyalty/card", .customer),
        .init("GET /api/v1/storefront/loyalty/transactions", .customer),
        .init("POST /api/v1/storefront/loyalty/enroll", .customer),
        .init("GET /api/v1/storefront/loyalty/program", .customer),

        .init("GET /api/v1/loyalty/programs/:store_code", .anyone),
        .init("POST /api/v1/loyalty/enroll/:store_code", .anyone, body: { _ in ["name": "Passer-by"] }),
        .init("GET /api/v1/loyalty/cards/:link_token", .anyone, foreign: true),
        // The serial is the download credential: the path carries an unknown one.
        .init("GET /api/v1/loyalty/passes/apple/:pass_file", .anyone, foreign: true),
        .init("POST /api/v1/loyalty/apple/v1/devices/:device_library_id/registrations/:pass_type_id/:serial_number", .applePass, foreign: true, body: { _ in
            ["pushToken": "0f1e2d3c4b5a6978"]
        }),
        .init("DELETE /api/v1/loyalty/apple/v1/devices/:device_library_id/registrations/:pass_type_id/:serial_number", .applePass, foreign: true),
        .init("GET /api/v1/loyalty/apple/v1/passes/:pass_type_id/:serial_number", .applePass, foreign: true),
        // The device library identifier is the credential Apple defines; this one has no passes.
        .init("GET /api/v1/loyalty/apple/v1/devices/:device_library_id/registrations/:pass_type_id", .anyone),
        .init("POST /api/v1/loyalty/apple/v1/log", .anyone, body: { _ in ["logs": ["isolation check"]] }),
    ]
}

/// The cast: anonymous, the platform admin, and people of tenants A and B.
enum Persona: String, CaseIterable, Sendable {
    case anonymous, admin, ownerA, ownerB, managerA1, cashierA1, cashierA2, customerA, customerB

    /// The staff role, or `nil` for customers and the anonymous caller.
    var role: Role? {
        switch self {
        case .admin: .platformAdmin
        case .ownerA, .ownerB: .merchantOwner
        case .managerA1: .storeManager
        case .cashierA1, .cashierA2: .storeStaff
        case .anonymous, .customerA, .customerB: nil
        }
    }

    var isCustomer: Bool { self == .customerA || self == .customerB }

    /// Whose tenant the persona belongs to; the admin and the anonymous caller target B.
    var belongsToB: Bool { self == .ownerB || self == .customerB }
}

/// What an answer means for isolation.
enum IsolationOutcome: Equatable, Sendable {
    /// Let in: any answer but 401, 403, 404 (a 409 or 422 about the body still means admitted).
    case admitted
    case notFound
    case forbidden
    case unauthenticated
}

extension IsolationRule {
    func expectedOutcome(for persona: Persona) -> IsolationOutcome {
        switch audience {
        case .anyone:
            return namesOtherTenant ? .notFound : .admitted
        case .applePass, .scraper:
            return .unauthenticated
        case .customer:
            guard persona.isCustomer else { return .unauthenticated }
            return namesOtherTenant ? .notFound : .admitted
        case .staff(let roles):
            guard let role = persona.role else { return .unauthenticated }
            guard roles.contains(role) else { return .forbidden }
            // The platform admin's tenant is the platform: every merchant is its own.
            if role == .platformAdmin, !ownOnly { return .admitted }
            return namesOtherTenant ? .notFound : .admitted
        }
    }
}
