import Crypto
import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Public loyalty endpoints, no sign-in: `/api/v1/loyalty` (program by store code,
/// enrollment without an account, the card behind a private link).
struct PublicLoyaltyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("programs", ":store_code", use: program)
        routes.post("enroll", ":store_code", use: enroll)
        routes.get("cards", ":link_token", use: card)
    }

    @Sendable
    func program(req: Request) async throws -> StoreProgramResponse {
        let store = try await Self.store(req)
        let settings = try await SettingsService.settings(of: store.$merchant.id, on: req.db)
        return StoreProgramResponse(
            store: .init(name: store.name, code: store.code, city: store.city),
            program: try await PublicProgramResponse.load(merchantID: store.$merchant.id, on: req.db),
            selfEnrollmentOpen: settings.allowSelfEnrollment)
    }

    /// Creates a customer and card, and answers with the card and its private link.
    ///
    /// Whether the e-mail address is already known to the merchant must not show: a known
    /// address gets a new card all the same, for a customer recorded without the address
    /// (it is unverified), so the answer is the same either way and the existing customer's
    /// card stays out of reach.
    @Sendable
    func enroll(req: Request) async throws -> Response {
        let profile = try req.content.decode(PublicEnrollRequest.self).validated()
        let linkToken = TokenService.randomTokenValue()
        let card = try await Self.enroll(profile, linkToken: linkToken, req: req)
        let program = try await PublicProgramResponse.load(merchantID: card.$merchant.id, on: req.db)
        let answer = PublicEnrollResponse(
            card: CustomerCardResponse(card, program: program, wallet: try await WalletLinks.of(card, on: req.application, database: req.db)),
            cardLink: "/api/v1/loyalty/cards/\(linkToken)")
        return try await answer.encodeResponse(status: .created, for: req)
    }

    /// Creates a customer and card at the store named by the `store_code` parameter, with the
    /// private link `linkToken`: the one enrollment without an account, for the API and the
    /// enrollment page alike.
    ///
    /// Whether the e-mail address is already known to the merchant must not show: a known
    /// address gets a new card all the same, for a customer recorded without the address
    /// (it is unverified), so the answer is the same either way and the existing customer's
    /// card stays out of reach.
    static func enroll(_ input: CustomerProfileInput, linkToken: String, req: Request) async throws -> CardModel {
        var profile = input
        try await req.rateLimiter.enforce([
            ("register:client:\(req.clientAddress)", req.application.config.rateLimits.registrationPerClient)
        ])
        let storeModel = try await Self.store(req)
        let merchantID = storeModel.$merchant.id
        guard try await SettingsService.settings(of: merchantID, on: req.db).allowSelfEnrollment else {
            throw APIError.forbidden("This merchant enrolls customers in store only.")
        }
        let store = try StoreContext(storeModel)
        if let email = profile.email, try await req.customers.customer(email: email, merchantID: merchantID) != nil {
            profile = profile.withoutEmail
        }
        do {
            return try await req.cards.enroll(.new(profile), store: store, linkTokenHash: TokenService.hash(linkToken)).0
        } catch let error as APIError where error.code == "already_exists" || error.code == "already_enrolled" {
            // A parallel enrollment took the address meanwhile: same answer as for a known one.
            return try await req.cards.enroll(.new(profile.withoutEmail), store: store, linkTokenHash: TokenService.hash(linkToken)).0
        }
    }

    @Sendable
    func card(req: Request) async throws -> CustomerCardResponse {
        guard let token = req.parameters.get("link_token"),
            let card = try await CardModel.query(on: req.db).filter(\.$linkTokenHash == TokenService.hash(token)).first()
        else { throw APIError.notFound("The card") }
        guard card.blockedAt == nil else { throw CardModel.goneForHolder }
        return CustomerCardResponse(
            card, program: try await PublicProgramResponse.load(merchantID: card.$merchant.id, activeOnly: false, on: req.db),
            wallet: try await WalletLinks.of(card, on: req.application, database: req.db))
    }

    static func store(_ req: Request) async throws -> StoreModel {
        guard let code = req.parameters.get("store_code")?.uppercased(), FieldRules.storableText(code) == nil,
            let store = try await StoreModel.query(on: req.db).filter(\.$code == code).first()
        else { throw APIError.notFound("The store") }
        return store
    }
}

extension CustomerProfileInput {
    /// The same profile with no e-mail address.
    var withoutEmail: CustomerProfileInput {
        CustomerProfileInput(name: name, email: nil, phone: phone, birthday: birthday, locale: locale, marketingConsent: marketingConsent)
    }
}
