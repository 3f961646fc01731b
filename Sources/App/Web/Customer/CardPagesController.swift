import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// The card page: behind its private link (`/card/{link_token}`, anyone who has the link) and
/// for a signed-in customer (`/customer/card`). One template, one view model (`CardPage`).
struct CardPagesController: RouteCollection {
    /// Private links are 43 characters; anything much longer is not one (and is not looked up).
    static let maximumLinkLength = 128

    func boot(routes: any RoutesBuilder) throws {
        routes.get("card", ":link_token", use: linkedCard)
    }

    /// The signed-in customer's routes (behind `WebCustomerGate`).
    struct Own: RouteCollection {
        func boot(routes: any RoutesBuilder) throws {
            routes.get("card", use: ownCard)
            routes.post("card", use: enrollOwn)
        }

        @Sendable
        func ownCard(req: Request) async throws -> Response {
            let card: CardModel
            do {
                card = try await StorefrontLoyaltyController.ownCard(req)
            } catch let error as APIError where error.code == "not_found" {
                return try await req.renderPage("customer/no-card", title: "customer.card_title", NoCardPage(), stylesheet: "customer.css")
            }
            guard card.blockedAt == nil else { throw APIError.notFound("Your card") }
            let page = try await CardPage.load(card, req: req, signedIn: true)
            return try await req.renderPage("customer/card", title: "customer.card_title", page, stylesheet: "customer.css")
        }

        /// "Get my card": the API's self-enrollment for a signed-in customer without a card.
        @Sendable
        func enrollOwn(req: Request) async throws -> Response {
            do {
                _ = try await StorefrontLoyaltyController.enrollOwn(req)
            } catch let error as APIError where error.code == "already_enrolled" {
                // A double submit: the first one made the card.
            } catch let error as APIError {
                let page = NoCardPage(error: error.code == "forbidden" ? req.t("customer.enroll_closed") : req.words(for: error))
                return try await req.renderPage(
                    "customer/no-card", title: "customer.card_title", page, status: error.status, stylesheet: "customer.css")
            }
            return req.redirect(to: "/customer/card", redirectType: .normal)
        }
    }

    struct NoCardPage: Encodable, Sendable {
        var error: String?
    }

    /// An unknown, revoked or blocked link gets the same 404 page after the same one lookup:
    /// nothing tells them apart.
    @Sendable
    func linkedCard(req: Request) async throws -> Response {
        guard let token = req.parameters.get("link_token"), token.count <= Self.maximumLinkLength,
            let card = try await CardModel.query(on: req.db).filter(\.$linkTokenHash == TokenService.hash(token)).first(),
            card.blockedAt == nil
        else { throw APIError.notFound("The card") }
        let page = try await CardPage.load(card, req: req, signedIn: false)
        return try await req.renderPage("customer/card", title: "customer.card_title", page, stylesheet: "customer.css")
    }
}
