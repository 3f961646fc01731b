import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/admin/merchants` (searched, paged) and `/admin/merchants/{id}`: a merchant's details,
/// stores, staff accounts and program. Account changes go through `StaffAccountService`, as
/// the API's `/admin/merchants/{id}/users/...` do; each answers `303` back to the merchant
/// with a line saying what was done, except a password reset, whose page shows the new
/// temporary password once (decision 0030).
struct AdminMerchantsPages: RouteCollection {
    static let perPage = 50
    /// A merchant page shows this many stores and accounts; more are in the API's lists.
    static let listLimit = 200

    func boot(routes: any RoutesBuilder) throws {
        routes.get("merchants", use: list)
        let merchant = routes.grouped("merchants", ":merchant_id")
        merchant.get(use: show)
        let user = merchant.grouped("users", ":user_id")
        user.post("deactivate", use: deactivate)
        user.post("reactivate", use: reactivate)
        user.post("password", use: resetPassword)
    }

    struct ListPage: Encodable, Sendable {
        struct Merchant: Encodable, Sendable {
            let id: String
            let name: String
            let contactEmail: String
            let createdAt: String
        }
        var merchants: [Merchant] = []
        var query = ""
        var summary = ""
        var error: String?
        var previousURL = ""
        var nextURL = ""
    }

    struct DetailPage: Encodable, Sendable {
        struct Store: Encodable, Sendable {
            let name: String
            let code: String
            let timezone: String
            let city: String
        }
        struct User: Encodable, Sendable {
            let id: String
            let email: String
            let name: String
            let role: String
            let store: String
            let isActive: Bool
        }
        struct Program: Encodable, Sendable {
            let name: String
            let type: String
            let isActive: Bool
            let rule: String
        }
        let id: String
        let name: String
        let contactEmail: String
        let createdAt: String
        let stores: [Store]
        let users: [User]
        let program: Program?
        let cards: String
        let activeCards: String
        var done = ""
    }

    static let doneKeys = ["deactivated": "admin.user_deactivated", "reactivated": "admin.user_reactivated"]

    @Sendable
    func list(req: Request) async throws -> Response {
        let format = AdminFormat.format(req)
        let pageNumber = max(1, min(req.query[Int.self, at: "page"] ?? 1, PageRequest.maximumPage))
        let raw = req.query[String.self, at: "q"] ?? ""
        var page = ListPage()
        page.query = String(raw.prefix(200))
        let text: String?
        do {
            text = try FieldErrors.queryText(raw, "q")
        } catch let error as APIError {
            page.error = req.words(for: error)
            return try await req.renderBackOffice("backoffice/admin/merchants", title: "admin.merchants_title", page, status: error.status)
        }
        let (merchants, total) = try await MerchantDirectory(database: req.db).search(text, page: pageNumber, perPage: Self.perPage)
        page.merchants = try merchants.map {
            ListPage.Merchant(
                id: try $0.requireID().uuidString, name: $0.name, contactEmail: $0.contactEmail,
                createdAt: $0.createdAt.map(format.date) ?? "")
        }
        page.summary = req.t("admin.merchants_count", format.number(total))
        let base = "/admin/merchants?" + (text.map { "q=" + (PercentEncoding.query($0)) + "&" } ?? "") + "page="
        if pageNumber > 1 { page.previousURL = base + String(pageNumber - 1) }
        if pageNumber * Self.perPage < total { page.nextURL = base + String(pageNumber + 1) }
        return try await req.renderBackOffice("backoffice/admin/merchants", title: "admin.merchants_title", page)
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let merchant = try await req.tenancy.merchant(try req.parameters.uuid("merchant_id"))
        var page = try await Self.detail(of: merchant, req: req)
        if let done = req.query[String.self, at: "done"], let key = Self.doneKeys[done] { page.done = req.t(key) }
        return try await req.renderBackOffice("backoffice/admin/merchant", title: "admin.merchant_title", page)
    }

    @Sendable
    func deactivate(req: Request) async throws -> Response {
        let (merchantID, user) = try await Self.target(req)
        try await req.staffAccounts.setActive(false, user: user)
        return req.redirect(to: "/admin/merchants/\(merchantID.uuidString)?done=deactivated", redirectType: .normal)
    }

    @Sendable
    func reactivate(req: Request) async throws -> Response {
        let (merchantID, user) = try await Self.target(req)
        try await req.staffAccounts.setActive(true, user: user)
        return req.redirect(to: "/admin/merchants/\(merchantID.uuidString)?done=reactivated", redirectType: .normal)
    }

    struct PasswordPage: Encodable, Sendable {
        let merchantID: String
        let email: String
        let password: String
    }

    /// A new temporary password for someone who forgot theirs: every session of the account
    /// ends. Shown on this answer only (not a redirect: the password is kept nowhere).
    @Sendable
    func resetPassword(req: Request) async throws -> Response {
        let (merchantID, user) = try await Self.target(req)
        let password = TemporaryPassword.make()
        try await req.staffAccounts.setPassword(password, of: user, changeRequired: true)
        let page = PasswordPage(merchantID: merchantID.uuidString, email: user.email, password: password)
        return try await req.renderBackOffice("backoffice/admin/password", title: "admin.password_title", page)
    }

    /// The merchant of the path (404 when there is none) and one of its accounts (404 for
    /// another merchant's, as in the API).
    static func target(_ req: Request) async throws -> (UUID, UserModel) {
        let merchantID = try await AdminMerchantsController.merchantParameter(req)
        let user = try await req.staffAccounts.user(try req.parameters.uuid("user_id"), ofMerchant: merchantID)
        return (merchantID, user)
    }

    static func detail(of merchant: MerchantModel, req: Request) async throws -> DetailPage {
        let format = AdminFormat.format(req)
        let id = try merchant.requireID()
        let stores = try await StoreModel.query(on: req.db).filter(\.$merchant.$id == id).sort(\.$name).sort(\.$id).limit(listLimit).all()
        let storeNames = Dictionary(stores.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let users = try await UserModel.query(on: req.db).filter(\.$merchant.$id == id).sort(\.$email).limit(listLimit).all()
        let program = try await ProgramModel.query(on: req.db).filter(\.$merchant.$id == id).first()
        let now = req.application.clock()
        let today = CalendarDate(now, in: AdminFormat.platformTimeZone)!  // Safe: see AdminHomePage.
        let overview = try await ProgramsOverview(database: req.db).counts(of: id, now: now, today: today)
        return DetailPage(
            id: id.uuidString, name: merchant.name, contactEmail: merchant.contactEmail,
            createdAt: merchant.createdAt.map(format.date) ?? "",
            stores: stores.map {
                DetailPage.Store(name: $0.name, code: $0.code, timezone: $0.timezone, city: [$0.city, $0.country].compactMap { $0 }.joined(separator: ", "))
            },
            users: try users.map {
                DetailPage.User(
                    id: try $0.requireID().uuidString, email: $0.email, name: $0.name ?? "", role: req.t("role." + $0.role.rawValue),
                    store: $0.$store.id.flatMap { storeNames[$0] } ?? "", isActive: $0.isActive)
            },
            program: program.map { program in
                DetailPage.Program(
                    name: program.cardName ?? merchant.name, type: req.t(AdminFormat.typeKey(program.loyaltyType)),
                    isActive: program.isActive,
                    rule: program.loyaltyType == .points
                        ? req.t("admin.rule_points", format.number(program.pointsPerEuro))
                        : req.t("admin.rule_stamps", format.number(program.stampsTarget)))
            },
            cards: format.number(overview.cards), activeCards: format.number(overview.activeCards30Days))
    }
}

/// Query values in links the pages build.
enum PercentEncoding {
    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}
