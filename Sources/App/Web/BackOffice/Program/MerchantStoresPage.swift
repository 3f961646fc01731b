import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/merchant/stores`: the owner's stores with the links each needs (public enrollment, the
/// printable poster, the terminal), and a form to add one through the same service and checks
/// as the API's `POST /merchants/stores`. The API has no way to change a store, so neither
/// has this page.
struct MerchantStoresPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("stores", use: list)
        routes.post("stores", use: create)
    }

    struct ListPage: Encodable, Sendable {
        struct Store: Encodable, Sendable {
            let name: String
            let code: String
            let timezone: String
            let address: String
            let enrollURL: String
            let posterURL: String
            let terminalURL: String
        }

        /// Each field's error, `nil` where the field is right.
        struct Errors: Encodable, Sendable {
            var name: String?
            var code: String?
            var timezone: String?
            var address: String?
            var country: String?
        }

        var stores: [Store] = []
        var total = "0"
        var previousURL = ""
        var nextURL = ""
        var done: String?
        var error: String?
        var errors = Errors()
        var form = CreateForm()
    }

    struct CreateForm: Content {
        var name = ""
        var code = ""
        var timezone = CreateStoreRequest.defaultTimezone
        var line1 = ""
        var line2 = ""
        var postalCode = ""
        var city = ""
        var country = "LU"

        enum CodingKeys: String, CodingKey {
            case name, code, timezone, line1 = "address_line1", line2 = "address_line2", postalCode = "postal_code", city, country
        }

        init() {}

        init(from decoder: any Decoder) throws {
            let values = try decoder.container(keyedBy: CodingKeys.self)
            func text(_ key: CodingKeys, _ length: Int) throws -> String {
                String((try values.decodeIfPresent(String.self, forKey: key) ?? "").prefix(length))
            }
            name = try text(.name, 300)
            code = try text(.code, 64)
            timezone = try text(.timezone, 100)
            line1 = try text(.line1, 300)
            line2 = try text(.line2, 300)
            postalCode = try text(.postalCode, 300)
            city = try text(.city, 300)
            country = try text(.country, 10)
        }

        /// The API's request: an empty field of the form is a field not given.
        var request: CreateStoreRequest {
            func given(_ text: String) -> String? { text.trimmingCharacters(in: .whitespaces).isEmpty ? nil : text }
            return CreateStoreRequest(
                name: name, code: code, timezone: given(timezone),
                address: AddressDTO(line1: given(line1), line2: given(line2), postalCode: given(postalCode), city: given(city), country: given(country)))
        }
    }

    static let perPage = 50

    @Sendable
    func list(req: Request) async throws -> Response {
        var page = try await Self.page(req)
        if req.query[String.self, at: "done"] == "created" { page.done = req.t("program.store_created") }
        return try await req.renderBackOffice("backoffice/program/stores", title: "program.stores_title", page)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let form = try req.content.decode(CreateForm.self)
        let merchant = try await MerchantProgramPages.merchant(req)
        do {
            let store = try await req.tenancy.createStore(try form.request.validated(), merchantID: try merchant.requireID())
            req.logger.info("store created on the stores page", metadata: ["store_id": "\(store.id?.uuidString ?? "")"])
            return req.redirect(to: "/merchant/stores?done=created", redirectType: .normal)
        } catch let error as APIError where error.code == "validation_failed" || error.code == "already_exists" {
            var page = try await Self.page(req)
            page.form = form
            page.error = req.t("program.error_summary")
            if error.code == "already_exists" { page.errors.code = req.t("program.store_code_taken") }
            var fields: [String] = []
            if error.code == "validation_failed", case .object(let named)? = error.details["fields"] { fields = Array(named.keys) }
            for field in fields {
                switch field {
                case "name": page.errors.name = req.t("program.store_error_name")
                case "code": page.errors.code = req.t("program.store_error_code")
                case "timezone": page.errors.timezone = req.t("program.store_error_timezone")
                case "address.country": page.errors.country = req.t("program.store_error_country")
                default: page.errors.address = req.t("program.store_error_address")
                }
            }
            let status: HTTPStatus = error.code == "already_exists" ? .conflict : .unprocessableEntity
            return try await req.renderBackOffice("backoffice/program/stores", title: "program.stores_title", page, status: status)
        }
    }

    static func page(_ req: Request) async throws -> ListPage {
        let merchant = try await MerchantProgramPages.merchant(req)
        let number = max(1, min(req.query[Int.self, at: "page"] ?? 1, PageRequest.maximumPage))
        let stores = try await req.tenancy.stores(ofMerchant: try merchant.requireID(), page: PageRequest(page: number, perPage: perPage))
        var page = ListPage()
        page.total = StorePageFormat(language: req.language, timeZone: .gmt).number(stores.total)
        page.stores = stores.items.map { store in
            let address = [store.address.line1, store.address.line2, [store.address.postalCode, store.address.city].compactMap { $0 }.joined(separator: " "), store.address.country]
                .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            return ListPage.Store(
                name: store.name, code: store.code, timezone: store.timezone, address: address,
                enrollURL: "/enroll/" + (store.code.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? store.code),
                posterURL: "/store/poster?store=\(store.id.uuidString)", terminalURL: "/store/terminal?store=\(store.id.uuidString)")
        }
        if number > 1 { page.previousURL = "/merchant/stores?page=\(number - 1)" }
        if number * perPage < stores.total { page.nextURL = "/merchant/stores?page=\(number + 1)" }
        return page
    }
}
