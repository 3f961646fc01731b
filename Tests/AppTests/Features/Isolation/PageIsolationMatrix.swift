import Foundation
import LoyaltyCore
import Testing

@testable import App

/// Who may open each page (and post each page form), as the API's `IsolationMatrix` does for
/// the API: every page route needs a row (`PageIsolationMatrixTests.everyPageHasARow`).
///
/// Personas sign in with a page session (cookie) instead of a bearer token; an owner acts in
/// its first store (the store cookie). Outside the audience: sent to sign in (staff pages to
/// `/login`, customer pages to `/customer/login`) or the 403 page; inside it, a page naming
/// another tenant's object answers 404.
struct PageIsolationRule: Sendable, CustomTestStringConvertible {
    let route: String
    let audience: IsolationRule.Audience
    let namesOtherTenant: Bool
    /// The form a POST sends (the form token is added by the client).
    let form: (@Sendable (_ other: IsolationWorld.Tenant) -> [String: String])?

    var testDescription: String { route }

    init(
        _ route: String, _ audience: IsolationRule.Audience, foreign: Bool = false,
        form: (@Sendable (_ other: IsolationWorld.Tenant) -> [String: String])? = nil
    ) {
        self.route = route
        self.audience = audience
        self.namesOtherTenant = foreign
        self.form = form
    }

    func expectedOutcome(for persona: Persona) -> IsolationOutcome {
        IsolationRule(route, audience, foreign: namesOtherTenant).expectedOutcome(for: persona)
    }
}

extension PageIsolationRule {
    static let all: [PageIsolationRule] = [
        .init("GET /static/**", .anyone),
        .init("GET /", .anyone),
        .init("GET /login", .anyone),
        .init("POST /login", .anyone, form: { _ in [:] }),
        .init("POST /logout", .anyone, form: { _ in [:] }),
        .init("GET /account/password", IsolationRule.anyStaff),
        .init("POST /account/password", IsolationRule.anyStaff, form: { _ in [:] }),
        .init("GET /merchant", IsolationRule.owner),

        // The owner's program editor, stores and settings (area: program)
        .init("GET /merchant/program", IsolationRule.owner),
        .init("POST /merchant/program", IsolationRule.owner, form: { _ in ["loyalty_type": "coupons"] }),
        .init("GET /merchant/stores", IsolationRule.owner),
        .init("POST /merchant/stores", IsolationRule.owner, form: { _ in ["name": " "] }),
        .init("GET /merchant/settings", IsolationRule.owner),
        .init("GET /admin", IsolationRule.admin),

        // Analytics: the owner's dashboard (GET /merchant above), analytics, signals; the platform's (area: charts)
        .init("GET /merchant/analytics", IsolationRule.owner),
        .init("GET /merchant/analytics.csv", IsolationRule.owner),
        .init("GET /merchant/signals", IsolationRule.owner),
        .init("GET /admin/analytics", IsolationRule.admin),
        .init("GET /admin/analytics.csv", IsolationRule.admin),
        // The admin's pages: merchants, onboarding, settings, wallets (area: admin)
        .init("GET /admin/merchants", IsolationRule.admin),
        .init("GET /admin/merchants/new", IsolationRule.admin),
        .init("POST /admin/merchants/new", IsolationRule.admin, form: { _ in [:] }),
        .init("GET /admin/merchants/:merchant_id", IsolationRule.admin, foreign: true),
        .init("POST /admin/merchants/:merchant_id/users/:user_id/deactivate", IsolationRule.admin, foreign: true, form: { _ in [:] }),
        .init("POST /admin/merchants/:merchant_id/users/:user_id/reactivate", IsolationRule.admin, foreign: true, form: { _ in [:] }),
        .init("POST /admin/merchants/:merchant_id/users/:user_id/password", IsolationRule.admin, foreign: true, form: { _ in [:] }),
        .init("GET /admin/merchants/:merchant_id/settings", IsolationRule.admin, foreign: true),
        .init("POST /admin/merchants/:merchant_id/settings", IsolationRule.admin, foreign: true, form: { _ in
            ["staff_pin_policy": "required", "store_void_window_days": "1", "fraud_near_limit_percent": "80", "fraud_near_limit_days": "5",
             "fraud_voids_per_staff": "10", "fraud_pin_failures_per_staff": "10", "fraud_hop_minutes": "30", "fraud_hops_per_card": "3"]
        }),
        .init("GET /admin/wallets", IsolationRule.admin),

        // The terminal (area: terminal)
        .init("GET /store/terminal", IsolationRule.store),
        .init("POST /store/terminal", IsolationRule.store, foreign: true, form: { other in
            ["card": other.card.cardNumber, "operation": "stamp", "pin": "4826", "idempotency_key": "matrix-terminal"]
        }),
        .init("POST /store/terminal/void", IsolationRule.store, foreign: true, form: { other in
            ["transaction_id": other.transactionID.uuidString, "pin": "4826", "idempotency_key": "matrix-terminal-void"]
        }),

        // The store's other pages: cards, counter enrollment, PINs, statistics, poster (area: store)
        .init("GET /store/cards", IsolationRule.store),
        .init("GET /store/cards/:card_id", IsolationRule.store, foreign: true),
        .init("GET /store/enroll", IsolationRule.store),
        .init("POST /store/enroll", IsolationRule.store, form: { _ in ["name": "New at the counter", "idempotency_key": "isolation"] }),
        .init("GET /store/pins", IsolationRule.storeManagers),
        .init("POST /store/pins", IsolationRule.storeManagers, form: { _ in ["name": "New PIN", "pin": "9157"] }),
        .init("POST /store/pins/:pin_id/rename", IsolationRule.storeManagers, foreign: true, form: { _ in ["name": "Renamed"] }),
        .init("POST /store/pins/:pin_id/unlock", IsolationRule.storeManagers, foreign: true, form: { _ in [:] }),
        .init("POST /store/pins/:pin_id/delete", IsolationRule.storeManagers, foreign: true, form: { _ in [:] }),
        .init("GET /store/stats", IsolationRule.storeManagers),
        .init("GET /store/poster", IsolationRule.storeManagers),

        // The owner's cards, transactions, staff accounts and PINs across stores (area: people)
        .init("GET /merchant/cards", IsolationRule.owner),
        .init("GET /merchant/cards/:card_id", IsolationRule.owner, foreign: true),
        .init("POST /merchant/cards/:card_id/block", IsolationRule.owner, foreign: true, form: { _ in ["reason": "Lost"] }),
        .init("POST /merchant/cards/:card_id/unblock", IsolationRule.owner, foreign: true, form: { _ in [:] }),
        .init("POST /merchant/cards/:card_id/reissue", IsolationRule.owner, foreign: true, form: { _ in [:] }),
        .init("GET /merchant/transactions", IsolationRule.owner),
        .init("GET /merchant/transactions.csv", IsolationRule.owner),
        .init("GET /merchant/staff", IsolationRule.owner),
        .init("POST /merchant/staff", IsolationRule.owner, foreign: true, form: { other in
            ["name": "New", "email": "new.matrix@example.test", "role": "store_staff", "store_id": other.store1.id!.uuidString]
        }),
        .init("POST /merchant/staff/:user_id/deactivate", IsolationRule.owner, foreign: true, form: { _ in [:] }),
        .init("POST /merchant/staff/:user_id/reactivate", IsolationRule.owner, foreign: true, form: { _ in [:] }),
        .init("POST /merchant/staff/:user_id/password", IsolationRule.owner, foreign: true, form: { _ in [:] }),
        .init("GET /merchant/pins", IsolationRule.owner),
        .init("POST /merchant/pins", IsolationRule.owner, foreign: true, form: { other in
            ["name": "New PIN", "pin": "9157", "store_id": other.store1.id!.uuidString]
        }),
        .init("POST /merchant/pins/:pin_id/rename", IsolationRule.owner, foreign: true, form: { _ in ["name": "Renamed"] }),
        .init("POST /merchant/pins/:pin_id/unlock", IsolationRule.owner, foreign: true, form: { _ in [:] }),
        .init("POST /merchant/pins/:pin_id/delete", IsolationRule.owner, foreign: true, form: { _ in [:] }),

        // Customers: enrollment, card pages, sign-in, profile (area: customer)
        // The enrollment page of any store is public; a random private link is a 404.
        .init("GET /enroll/:store_code", .anyone),
        .init("POST /enroll/:store_code", .anyone, form: { _ in [:] }),
        .init("GET /card/:link_token", .anyone, foreign: true),
        .init("GET /customer/login", .anyone),
        .init("POST /customer/login", .anyone, form: { _ in [:] }),
        .init("GET /customer/register", .anyone),
        .init("POST /customer/register", .anyone, form: { _ in [:] }),
        .init("POST /customer/logout", .anyone, form: { _ in [:] }),
        .init("GET /customer/card", .customer),
        .init("POST /customer/card", .customer, form: { _ in [:] }),
        .init("GET /customer/profile", .customer),
        .init("POST /customer/profile", .customer, form: { _ in ["name": "Renamed", "language": "fr"] }),
        .init("GET /customer/export", .customer),
    ]
}
