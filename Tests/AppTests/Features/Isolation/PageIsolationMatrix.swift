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
        .init("GET /merchant", IsolationRule.owner),
        .init("GET /admin", IsolationRule.admin),

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
