import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/merchant/pins`: the staff PINs of all the merchant's stores (store, name, account, state,
/// last use), and creating, renaming, unlocking and deleting them through the same service,
/// checks and wording as the store's `/store/pins` (`StorePinsPage`), in a merchant-wide
/// `PinScope`. A PIN of another merchant is "not found".
struct MerchantPinsPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("pins", use: list)
        routes.post("pins", use: create)
        routes.post("pins", ":pin_id", "rename", use: rename)
        routes.post("pins", ":pin_id", "unlock", use: unlock)
        routes.post("pins", ":pin_id", "delete", use: delete)
    }

    struct ListPage: Encodable, Sendable {
        struct Pin: Encodable, Sendable {
            let id: String
            let name: String
            let store: String
            let account: String
            let state: String
            let isLocked: Bool
            let lastUsed: String
        }

        var pins: [Pin] = []
        var stores: [PeopleOption] = []
        var accounts: [PeopleOption] = []
        var newName = ""
        var done = ""
        var error: String?
        var errorPinID = ""
    }

    struct CreateForm: Content {
        var storeId: String?

        enum CodingKeys: String, CodingKey {
            case storeId = "store_id"
        }
    }

    @Sendable
    func list(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        var page = try await Self.page(req, scope: scope)
        if let done = req.query[String.self, at: "done"], let key = StorePinsPage.doneKeys[done] { page.done = req.t(key) }
        return try await render(req, page)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        let input = try req.content.decode(StorePinsPage.CreateForm.self)
        let storeText = try req.content.decode(CreateForm.self).storeId
        do {
            let checked = try input.validated()
            guard let storeID = try scope.store(storeText), let store = scope.stores.first(where: { $0.id == storeID }) else {
                throw APIError.validationFailed(["store_id": "is required: name the store the PIN works in"])
            }
            _ = try await req.staffPins.create(name: checked.name, pin: checked.pin, userID: checked.userID, store: try StoreContext(store))
            return req.redirect(to: "/merchant/pins?done=created", redirectType: .normal)
        } catch let error as APIError {
            var page = try await Self.page(req, scope: scope, selectedStore: storeText, selectedAccount: input.userId)
            page.newName = String((input.name ?? "").prefix(100))
            page.error = Self.words(for: error, req: req, scope: scope)
            return try await render(req, page, status: error.status)
        }
    }

    @Sendable
    func rename(req: Request) async throws -> Response {
        let id = try req.parameters.uuid("pin_id")
        let input = try req.content.decode(StorePinsPage.RenameForm.self)
        return try await change(req, pinID: id, done: "renamed") { scope in
            let change = try UpdatePinRequest(name: input.name ?? "", pin: nil, userId: nil, isActive: nil).validated()
            _ = try await req.staffPins.update(id, with: change, in: PinScope(merchantID: scope.merchantID))
        }
    }

    @Sendable
    func unlock(req: Request) async throws -> Response {
        let id = try req.parameters.uuid("pin_id")
        return try await change(req, pinID: id, done: "unlocked") { scope in
            _ = try await req.staffPins.unlock(id, in: PinScope(merchantID: scope.merchantID))
        }
    }

    @Sendable
    func delete(req: Request) async throws -> Response {
        let id = try req.parameters.uuid("pin_id")
        return try await change(req, pinID: id, done: "deleted") { scope in
            try await req.staffPins.delete(id, in: PinScope(merchantID: scope.merchantID))
        }
    }

    /// Runs a change of one PIN; another merchant's is "not found" (the error page), a refused
    /// change the list with the reason beside that PIN.
    private func change(_ req: Request, pinID: UUID, done: String, _ body: (OwnerScope) async throws -> Void) async throws -> Response {
        let scope = try await OwnerScope.of(req)
        do {
            try await body(scope)
            return req.redirect(to: "/merchant/pins?done=" + done, redirectType: .normal)
        } catch let error as APIError where error.status != .notFound {
            var page = try await Self.page(req, scope: scope)
            page.error = Self.words(for: error, req: req, scope: scope)
            page.errorPinID = pinID.uuidString
            return try await render(req, page, status: error.status)
        }
    }

    static func words(for error: APIError, req: Request, scope: OwnerScope) -> String {
        if case .object(let fields)? = error.details["fields"], fields["store_id"] != nil { return req.t("people.store_required") }
        return StorePinsPage.words(for: error, req: req, timeZone: scope.format.timeZone)
    }

    private func render(_ req: Request, _ page: ListPage, status: HTTPStatus = .ok) async throws -> Response {
        try await req.renderBackOffice("backoffice/people/pins", title: "people.pins_title", page, status: status, script: "people.js")
    }

    static func page(_ req: Request, scope: OwnerScope, selectedStore: String? = nil, selectedAccount: String? = nil) async throws -> ListPage {
        let users = try await UserModel.query(on: req.db).filter(\.$merchant.$id == scope.merchantID).sort(\.$name).sort(\.$email).all()
        let names = Dictionary(uniqueKeysWithValues: users.map { ($0.id!, $0.name ?? $0.email) })
        var page = ListPage()
        for pin in try await req.staffPins.pins(in: PinScope(merchantID: scope.merchantID)) {
            // One indexed look-up per PIN (loyalty_transactions_staff_pin_time_idx).
            let last = try await TransactionModel.query(on: req.db).filter(\.$merchant.$id == scope.merchantID).filter(\.$staffPinID == pin.id)
                .sort(\.$recordedAtMilliseconds, .descending).first()
            page.pins.append(
                ListPage.Pin(
                    id: pin.id.uuidString, name: pin.name, store: scope.storeName(pin.storeId), account: pin.userId.flatMap { names[$0] } ?? "",
                    state: StorePinsPage.state(of: pin, format: scope.format, req: req), isLocked: pin.isLocked,
                    lastUsed: last.map { scope.format.dateTime($0.createdAt) } ?? ""))
        }
        page.pins.sort { ($0.store, $0.name) < ($1.store, $1.name) }
        page.stores = scope.storeOptions(selected: selectedStore.flatMap(UUID.init(uuidString:)))
        page.accounts = users.filter(\.isActive).map {
            PeopleOption(value: $0.id!.uuidString, label: StorePinsPage.accountLabel($0), selected: $0.id!.uuidString == selectedAccount)
        }
        return page
    }
}
