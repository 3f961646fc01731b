import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/store/enroll`: a new card at the counter, through the same service as the API's
/// `POST /store/loyalty/cards/enroll` (an address staff type in is staff-entered, decision
/// 0008 and its addendum). The answer shows the card's QR code on screen and on paper, and the
/// card's private link once, for a customer without an account.
///
/// The form carries an idempotency key made when it was drawn: sending it twice (a double
/// tap, a reload of the answer) answers the card the first send made, never a second card.
struct StoreEnrollPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("enroll", use: form)
        routes.post("enroll", use: enroll)
    }

    struct FormPage: Encodable, Sendable {
        var name = ""
        var email = ""
        var phone = ""
        var consent = false
        var locale = "en"
        var idempotencyKey = TokenService.randomTokenValue()
        var languages: [Option] = []
        var error: String?
        /// Fields the error is about, in the page's words.
        var invalidFields: [String] = []
        var existingCardURL = ""
    }

    struct Option: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct EnrollForm: Content, Encodable {
        var name: String?
        var email: String?
        var phone: String?
        var consent: String?
        var locale: String?
        var idempotencyKey: String?

        enum CodingKeys: String, CodingKey {
            case name, email, phone, consent, locale
            case idempotencyKey = "idempotency_key"
        }

        /// What the key fingerprints: the customer as typed, not the key itself.
        var fingerprint: [String: String] {
            ["name": name ?? "", "email": email ?? "", "phone": phone ?? "", "consent": consent ?? "", "locale": locale ?? ""]
        }
    }

    struct CardPage: Encodable, Sendable {
        let cardURL: String
        let number: String
        let holder: String
        let qrSVG: String
        let terminalURL: String
        /// The private link (absolute), shown once; empty when the form was sent again.
        let privateLink: String
        let privateLinkSVG: String
        let replayed: Bool
    }

    @Sendable
    func form(req: Request) async throws -> Response {
        var page = FormPage()
        page.locale = req.language.rawValue
        page.languages = Self.languageOptions(selected: page.locale)
        return try await req.renderPage("store/enroll", title: "store.enroll_title", page, stylesheet: "store.css", script: "store.js")
    }

    @Sendable
    func enroll(req: Request) async throws -> Response {
        let input = try req.content.decode(EnrollForm.self)
        var page = FormPage(
            name: String((input.name ?? "").prefix(200)), email: String((input.email ?? "").prefix(254)),
            phone: String((input.phone ?? "").prefix(40)), consent: input.consent != nil,
            locale: Language(rawValue: input.locale ?? "")?.rawValue ?? req.language.rawValue)
        page.languages = Self.languageOptions(selected: page.locale)
        do {
            let idempotency = try Self.idempotency(input)
            if let idempotency { page.idempotencyKey = idempotency.key }
            let profile = try CreateCustomerRequest(
                name: input.name, email: Self.blankAsNil(input.email), phone: Self.blankAsNil(input.phone), birthday: nil,
                locale: Language(rawValue: input.locale ?? "")?.rawValue, marketingConsent: input.consent != nil
            ).validated()
            let linkToken = TokenService.randomTokenValue()
            let (card, response) = try await req.cards.enroll(
                .new(profile), store: req.store, byStaff: true, linkTokenHash: TokenService.hash(linkToken), idempotency: idempotency)
            req.logger.info("card enrolled at the counter page", metadata: ["card_id": "\(response.id)"])
            // A repeated form answers the first card, whose link this request cannot know.
            let isNew = card.linkTokenHash == TokenService.hash(linkToken)
            let link = isNew ? req.publicBaseURL + "/card/" + linkToken : ""
            let result = CardPage(
                cardURL: "/store/cards/\(response.id.uuidString)", number: response.cardNumber,
                holder: response.customerName ?? "",
                qrSVG: StoreQRCode.svg(response.qrCodeData, label: req.t("store.card_qr_label", response.cardNumber)),
                terminalURL: "/store/terminal?card=" + card.cardNumber,
                privateLink: link,
                privateLinkSVG: link.isEmpty ? "" : StoreQRCode.svg(link, label: req.t("store.link_qr_label")),
                replayed: !isNew)
            return try await req.renderPage(
                "store/enrolled", title: "store.enrolled_title", result, status: isNew ? .created : .ok, stylesheet: "store.css",
                script: "store.js")
        } catch let error as APIError {
            page.error = error.code == "already_enrolled" ? req.t("store.enroll_already") : req.words(for: error, timeZone: req.store.timeZone)
            if case .string(let id)? = error.details["card_id"] { page.existingCardURL = "/store/cards/" + id }
            if case .object(let fields)? = error.details["fields"] {
                page.invalidFields = fields.keys.sorted().map { req.t(Self.fieldLabels[$0] ?? "store.field_other") }
            }
            return try await req.renderPage("store/enroll", title: "store.enroll_title", page, status: error.status, stylesheet: "store.css", script: "store.js")
        }
    }

    static let fieldLabels = [
        "name": "store.name", "email": "store.email", "phone": "store.phone", "locale": "store.language",
        "idempotency_key": "store.field_other",
    ]

    /// The form's key, checked as the API checks an `Idempotency-Key` header.
    static func idempotency(_ input: EnrollForm) throws -> IdempotencyRequest? {
        guard let key = input.idempotencyKey, !key.isEmpty else { return nil }
        guard key.count <= IdempotencyRequest.maximumKeyLength, key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw APIError.validationFailed(["idempotency_key": "must be 1 to 255 visible ASCII characters"])
        }
        return try IdempotencyRequest(key: key, operation: "web.store.enroll", content: input.fingerprint)
    }

    /// An empty field of a page form means "not given", as an absent JSON field does.
    static func blankAsNil(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }

    static func languageOptions(selected: String) -> [Option] {
        Language.allCases.map { Option(value: $0.rawValue, label: $0.ownName, selected: $0.rawValue == selected) }
    }
}
