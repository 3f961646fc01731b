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

        // The store's other pages: cards, counter enrollment, PINs, statistics, poster (area: store)

        // Customers: enrollment, card pages, sign-in, profile (area: customer)
    ]
}
