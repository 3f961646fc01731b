import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/merchant/staff`: the merchant's accounts (owner, managers, cashiers), inviting a manager
/// or cashier, deactivating and reactivating, and resetting a password. Through the same
/// services as the API's `MerchantOnboardingController` and `StaffAccountsController`; an
/// account of another merchant is "not found".
///
/// An invitation or a reset draws a temporary password that the answer shows once, to the
/// owner, who hands it over (decision 0029); it is never stored in clear nor sent anywhere.
struct MerchantStaffPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("staff", use: list)
        routes.post("staff", use: invite)
        routes.post("staff", ":user_id", "deactivate", use: deactivate)
        routes.post("staff", ":user_id", "reactivate", use: reactivate)
        routes.post("staff", ":user_id", "password", use: resetPassword)
    }

    /// The roles an owner invites here; a second owner is the platform admin's call.
    static let invitableRoles: [Role] = [.storeManager, .storeStaff]

    struct ListPage: Encodable, Sendable {
        struct Account: Encodable, Sendable {
            let id: String
            let name: String
            let email: String
            let role: String
            let store: String
            let isActive: Bool
            let isSelf: Bool
            let lastSignIn: String
        }

        var accounts: [Account] = []
        var stores: [PeopleOption] = []
        var roles: [PeopleOption] = []
        var languages: [PeopleOption] = []
        var name = ""
        var email = ""
        var done = ""
        var error: String?
        /// The temporary password of the account just invited or reset, shown this once.
        var password = ""
        var passwordFor = ""
    }

    static let doneKeys = ["deactivated": "people.staff_deactivated", "reactivated": "people.staff_reactivated"]

    @Sendable
    func list(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        var page = try await Self.page(req, scope: scope)
        if let done = req.query[String.self, at: "done"], let key = Self.doneKeys[done] { page.done = req.t(key) }
        return try await render(req, page)
    }

    struct InviteForm: Content {
        var name: String?
        var email: String?
        var role: String?
        var storeId: String?
        var language: String?

        enum CodingKeys: String, CodingKey {
            case name, email, role, language
            case storeId = "store_id"
        }
    }

    @Sendable
    func invite(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        let form = try req.content.decode(InviteForm.self)
        let password = TemporaryPassword.make()
        do {
            let storeID = try scope.store(form.storeId)
            let request = CreateUserRequest(
                email: form.email, password: password, name: form.name, role: form.role, storeId: storeID, language: form.language)
            var user = try request.validated(allowedRoles: Self.invitableRoles)
            user.isTemporaryPassword = true
            let created = try await req.tenancy.createUser(user, merchantID: scope.merchantID, storeOutsideMerchant: APIError.notFound("The store"))
            var page = try await Self.page(req, scope: scope)
            page.done = req.t("people.staff_invited", created.email)
            page.password = password
            page.passwordFor = created.email
            return try await render(req, page, status: .created)
        } catch let error as APIError {
            var page = try await Self.page(req, scope: scope, form: form)
            page.error = req.peopleWords(
                for: error,
                fieldKeys: [
                    "email": "people.email_invalid", "name": "people.name_invalid", "role": "people.role_invalid",
                    "store_id": "people.store_required", "language": "people.filter_invalid",
                ], timeZone: scope.format.timeZone)
            if error.code == "already_exists" { page.error = req.t("people.email_taken") }
            return try await render(req, page, status: error.status)
        }
    }

    @Sendable
    func deactivate(req: Request) async throws -> Response {
        try await change(req) { user in
            try await req.staffAccounts.deactivate(user, by: req.staff.userID)
            return "deactivated"
        }
    }

    @Sendable
    func reactivate(req: Request) async throws -> Response {
        try await change(req) { user in
            try await req.staffAccounts.setActive(true, user: user)
            return "reactivated"
        }
    }

    /// A new temporary password; every session of the account ends (the service does both in
    /// one transaction).
    @Sendable
    func resetPassword(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        let user = try await req.staffAccounts.user(try req.parameters.uuid("user_id"), ofMerchant: scope.merchantID)
        let password = TemporaryPassword.make()
        do {
            try await req.staffAccounts.resetPassword(password, of: user, by: req.staff.userID, isTemporary: true)
            var page = try await Self.page(req, scope: scope)
            page.done = req.t("people.staff_password_reset", user.email)
            page.password = password
            page.passwordFor = user.email
            return try await render(req, page)
        } catch let error as APIError {
            var page = try await Self.page(req, scope: scope)
            page.error = Self.words(for: error, req: req, scope: scope)
            return try await render(req, page, status: error.status)
        }
    }

    /// Runs a change of one account of the merchant; another merchant's is "not found" (the
    /// error page), a refused change the list with the reason.
    private func change(_ req: Request, _ body: (UserModel) async throws -> String) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        let user = try await req.staffAccounts.user(try req.parameters.uuid("user_id"), ofMerchant: scope.merchantID)
        do {
            let done = try await body(user)
            return req.redirect(to: "/merchant/staff?done=" + done, redirectType: .normal)
        } catch let error as APIError {
            var page = try await Self.page(req, scope: scope)
            page.error = Self.words(for: error, req: req, scope: scope)
            return try await render(req, page, status: error.status)
        }
    }

    /// One's own account: the refusal says why in the page's words.
    static func words(for error: APIError, req: Request, scope: OwnerScope) -> String {
        error.status == .forbidden ? req.t("people.staff_not_yourself") : req.words(for: error, timeZone: scope.format.timeZone)
    }

    private func render(_ req: Request, _ page: ListPage, status: HTTPStatus = .ok) async throws -> Response {
        try await req.renderBackOffice("backoffice/people/staff", title: "people.staff_title", page, status: status, script: "people.js")
    }

    static func page(_ req: Request, scope: OwnerScope, form: InviteForm? = nil) async throws -> ListPage {
        var page = ListPage()
        let users = try await UserModel.query(on: req.db).filter(\.$merchant.$id == scope.merchantID).sort(\.$role).sort(\.$email).all()
        var lastSignIn: [UUID: Date] = [:]
        // One indexed look-up per account: a merchant has a few dozen at most.
        for user in users {
            let latest = try await AccessTokenModel.query(on: req.db).filter(\.$user.$id == user.id).sort(\.$createdAt, .descending).first()
            if let id = user.id, let at = latest?.createdAt { lastSignIn[id] = at }
        }
        page.accounts = users.map { user in
            ListPage.Account(
                id: user.id?.uuidString ?? "", name: user.name ?? "", email: user.email, role: req.t(Self.roleKey(user.role)),
                store: scope.storeName(user.$store.id), isActive: user.isActive, isSelf: user.id == req.staff.userID,
                lastSignIn: user.id.flatMap { lastSignIn[$0] }.map(scope.format.dateTime) ?? "")
        }
        page.stores = scope.storeOptions(selected: form?.storeId.flatMap(UUID.init(uuidString:)))
        page.roles = Self.invitableRoles.map {
            PeopleOption(value: $0.rawValue, label: req.t(Self.roleKey($0)), selected: $0.rawValue == (form?.role ?? Role.storeStaff.rawValue))
        }
        page.languages = Language.allCases.map {
            PeopleOption(value: $0.rawValue, label: $0.ownName, selected: $0.rawValue == (form?.language ?? req.language.rawValue))
        }
        page.name = String((form?.name ?? "").prefix(200))
        page.email = String((form?.email ?? "").prefix(254))
        return page
    }

    /// Spelled out: the catalog test finds keys by their literal text.
    static func roleKey(_ role: Role) -> String {
        switch role {
        case .platformAdmin: "people.role_platform_admin"
        case .merchantOwner: "people.role_merchant_owner"
        case .storeManager: "people.role_store_manager"
        case .storeStaff: "people.role_store_staff"
        }
    }
}
