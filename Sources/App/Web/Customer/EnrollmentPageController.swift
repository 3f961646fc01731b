import Crypto
import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/enroll/{store_code}` (WEB.md's fixed point): a passer-by gets a card from the store's
/// poster or link, through the API's public enrollment (decision 0008), and lands on the card's
/// private page.
///
/// A double submit (a double tap, a retried POST) must not make two cards, and the public
/// enrollment API has no idempotency key. So each form carries a random `form_key`, and the
/// card's private link is derived from it: HMAC(server secret, form token cookie, form key,
/// store code). A second POST of the same form finds the card the first one made (the link's
/// hash is unique in the database, which also decides a race) and goes to it; the key is
/// worthless without the browser's HttpOnly form cookie and the server's secret.
struct EnrollmentPageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("enroll", ":store_code", use: form)
        routes.post("enroll", ":store_code", use: enroll)
    }

    struct EnrollPage: Encodable, Sendable {
        let storeName: String
        let storeCode: String
        let action: String
        let programName: String
        let color: String
        let inkClass: String
        let initial: String
        let offers: [String]
        let isOpen: Bool
        var name = ""
        var email = ""
        var consent = false
        var formKey = TokenService.randomTokenValue()
        var error: String?
    }

    struct EnrollForm: Content {
        var name: String?
        var email: String?
        var consent: String?
        var formKey: String?

        enum CodingKeys: String, CodingKey {
            case name, email, consent
            case formKey = "form_key"
        }
    }

    @Sendable
    func form(req: Request) async throws -> Response {
        let page = try await Self.page(req)
        return try await req.renderPage("customer/enroll", title: "customer.enroll_title", page, stylesheet: "customer.css")
    }

    @Sendable
    func enroll(req: Request) async throws -> Response {
        var page = try await Self.page(req)
        let input = try req.content.decode(EnrollForm.self)
        page.name = String((input.name ?? "").prefix(200))
        page.email = String((input.email ?? "").prefix(254))
        page.consent = input.consent != nil
        if let key = input.formKey, Self.isFormKey(key) { page.formKey = key }
        guard page.isOpen else {
            return try await req.renderPage(
                "customer/enroll", title: "customer.enroll_title", page, status: .forbidden, stylesheet: "customer.css")
        }
        guard page.consent, let key = input.formKey, Self.isFormKey(key) else {
            page.error = req.t(page.consent ? "customer.form_expired" : "customer.consent_missing")
            return try await req.renderPage(
                "customer/enroll", title: "customer.enroll_title", page, status: .unprocessableEntity, stylesheet: "customer.css")
        }
        let profile: CustomerProfileInput
        do {
            let email = page.email.trimmingCharacters(in: .whitespaces)
            profile = try PublicEnrollRequest(
                name: page.name, email: email.isEmpty ? nil : email, phone: nil, locale: req.language.rawValue, marketingConsent: false
            ).validated()
        } catch let error as APIError {
            page.error = Self.fieldWords(error, req: req)
            return try await req.renderPage(
                "customer/enroll", title: "customer.enroll_title", page, status: error.status, stylesheet: "customer.css")
        }

        let linkToken = Self.linkToken(formKey: key, storeCode: page.storeCode, req: req)
        // The same form again: the card it made already.
        if try await Self.cardExists(linkToken: linkToken, req: req) { return Self.toCard(linkToken, req: req) }
        do {
            _ = try await PublicLoyaltyController.enroll(profile, linkToken: linkToken, req: req)
        } catch {
            // A parallel submit of the same form won the unique link: its card is this one.
            if try await Self.cardExists(linkToken: linkToken, req: req) { return Self.toCard(linkToken, req: req) }
            guard let apiError = error as? APIError else { throw error }
            page.error = apiError.code == "forbidden" ? req.t("customer.enroll_closed") : req.words(for: apiError)
            let response = try await req.renderPage(
                "customer/enroll", title: "customer.enroll_title", page, status: apiError.status, stylesheet: "customer.css")
            if let retry = apiError.headers.first(name: "Retry-After") { response.headers.replaceOrAdd(name: "Retry-After", value: retry) }
            return response
        }
        req.logger.info("card enrolled from the enrollment page", metadata: ["store_code": "\(page.storeCode)"])
        return Self.toCard(linkToken, req: req)
    }

    /// The store's page: its name, the program's name, colour and offer.
    static func page(_ req: Request) async throws -> EnrollPage {
        let store = try await PublicLoyaltyController.store(req)
        let merchantID = store.$merchant.id
        let merchant = try await MerchantModel.find(merchantID, on: req.db)
        let settings = try await SettingsService.settings(of: merchantID, on: req.db)
        let program = try? await PublicProgramResponse.load(merchantID: merchantID, on: req.db)
        let cardName = program?.cardName?.trimmingCharacters(in: .whitespaces) ?? ""
        let programName = cardName.isEmpty ? (merchant?.name ?? store.name) : cardName
        let color = CardPage.safeColor(program?.cardColor)
        var offers: [String] = []
        if let program {
            if program.loyaltyType.collectsStamps {
                offers.append(
                    req.t(
                        "customer.offer_stamps", String(program.stampsTarget),
                        program.stampsRewardDescription ?? req.t("customer.stamps_reward_default")))
            }
            if program.loyaltyType.collectsPoints {
                offers.append(req.t("customer.offer_points", String(program.pointsPerEuro)))
            }
        }
        return EnrollPage(
            storeName: store.name, storeCode: store.code, action: "/enroll/" + store.code.urlQueryEncoded, programName: programName,
            color: color,
            inkClass: CardPage.isDark(color) ? "ink-light" : "ink-dark", initial: programName.first.map { String($0).uppercased() } ?? "★",
            offers: offers, isOpen: settings.allowSelfEnrollment && program != nil)
    }

    /// A key this page could have made: 43 characters of base64url.
    static func isFormKey(_ value: String) -> Bool {
        value.count == 43 && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// The private link of the card this form makes (see the type's comment).
    static func linkToken(formKey: String, storeCode: String, req: Request) -> String {
        let browser = req.cookies[CSRFProtection.cookie]?.string ?? ""
        let message = Data("web-enroll\n\(browser)\n\(formKey)\n\(storeCode)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(req.application.config.secretKey.utf8)))
        return Data(mac).base64URLEncoded
    }

    static func cardExists(linkToken: String, req: Request) async throws -> Bool {
        try await CardModel.query(on: req.db).filter(\.$linkTokenHash == TokenService.hash(linkToken)).count() > 0
    }

    static func toCard(_ linkToken: String, req: Request) -> Response {
        req.redirect(to: "/card/" + linkToken, redirectType: .normal)
    }

    /// Which field is wrong, in words: the name or the e-mail address.
    static func fieldWords(_ error: APIError, req: Request) -> String {
        guard case .object(let fields)? = error.details["fields"] else { return req.words(for: error) }
        if fields["name"] != nil { return req.t("customer.name_invalid") }
        if fields["email"] != nil { return req.t("customer.email_invalid") }
        return req.words(for: error)
    }
}
