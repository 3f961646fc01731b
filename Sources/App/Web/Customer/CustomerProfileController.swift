import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// The signed-in customer's profile (name, phone, language) through the API's customer update,
/// and "download my data" (the API's export, as an attachment). Behind `WebCustomerGate`.
struct CustomerProfileController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("profile", use: form)
        routes.post("profile", use: save)
        routes.get("export", use: export)
    }

    struct ProfilePage: Encodable, Sendable {
        struct Option: Encodable, Sendable {
            let value: String
            let label: String
            let selected: Bool
        }

        var name = ""
        var email = ""
        var phone = ""
        var languages: [Option] = []
        var saved = false
        var error: String?
    }

    struct ProfileForm: Content {
        var name: String?
        var phone: String?
        var language: String?
    }

    @Sendable
    func form(req: Request) async throws -> Response {
        let customer = try await req.customers.customer(req.customer.customerID, merchantID: req.customer.merchantID)
        var page = ProfilePage(
            name: customer.name, email: customer.email ?? "", phone: customer.phone ?? "",
            languages: Self.languages(selected: customer.locale.rawValue, req: req))
        page.saved = req.query[String.self, at: "saved"] != nil
        return try await req.renderPage("customer/profile", title: "customer.profile_title", page, stylesheet: "customer.css")
    }

    @Sendable
    func save(req: Request) async throws -> Response {
        let input = try req.content.decode(ProfileForm.self)
        var request = UpdateCustomerRequest()
        request.name = .set(input.name ?? "")
        let phone = (input.phone ?? "").trimmingCharacters(in: .whitespaces)
        request.phone = phone.isEmpty ? .clear : .set(phone)
        request.locale = .set(input.language ?? "")
        do {
            let customer = try await req.customerData.update(
                req.customer.customerID, merchantID: req.customer.merchantID, with: try request.validated(), by: .customer)
            let response = req.redirect(to: "/customer/profile?saved=1", redirectType: .normal)
            // The chosen language is the page language from now on: the remembered choice
            // outranks the account's, so it is remembered too.
            response.cookies[WebVisitorMiddleware.languageCookie] = HTTPCookies.Value(
                string: customer.locale.rawValue, maxAge: 365 * 86_400, path: "/", isSecure: req.cookiesAreSecure, isHTTPOnly: true,
                sameSite: .lax)
            return response
        } catch let error as APIError {
            var page = ProfilePage(
                name: String((input.name ?? "").prefix(200)), phone: String(phone.prefix(40)),
                languages: Self.languages(selected: input.language ?? "", req: req))
            page.email = (try? await req.customers.customer(req.customer.customerID, merchantID: req.customer.merchantID))?.email ?? ""
            page.error = CustomerSignInController.words(for: error, req: req)
            if case .object(let fields)? = error.details["fields"], fields["phone"] != nil { page.error = req.t("customer.phone_invalid") }
            return try await req.renderPage(
                "customer/profile", title: "customer.profile_title", page, status: error.status, stylesheet: "customer.css")
        }
    }

    /// Everything the merchant holds about the customer: the API's export, byte for byte.
    @Sendable
    func export(req: Request) async throws -> Response {
        let export = try await req.customerData.export(req.customer.customerID, merchantID: req.customer.merchantID)
        return try await export.encodeResponse(for: req).privateAttachment(named: "my-data.json")
    }

    static func languages(selected: String, req: Request) -> [ProfilePage.Option] {
        Language.allCases.map { .init(value: $0.rawValue, label: $0.ownName, selected: $0.rawValue == selected) }
    }
}
