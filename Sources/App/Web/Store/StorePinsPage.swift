import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/store/pins`, for managers and owners: the store's staff PINs (create, rename, unlock,
/// delete) through the same service as the API's `/store/loyalty/pins`. A PIN is typed in
/// once and never shown back. Every change answers `303` back to the list (a reload never
/// repeats it) with a line saying what was done.
struct StorePinsPage: RouteCollection {
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
            let account: String
            let state: String
            let isLocked: Bool
        }

        struct Account: Encodable, Sendable {
            let id: String
            let label: String
            let selected: Bool
        }

        var pins: [Pin] = []
        var accounts: [Account] = []
        var newName = ""
        var done = ""
        var error: String?
        /// The PIN a rename failed for, so its form shows the error.
        var errorPinID = ""
    }

    static let doneKeys = [
        "created": "store.pin_created", "renamed": "store.pin_renamed", "unlocked": "store.pin_unlocked", "deleted": "store.pin_deleted",
    ]

    struct CreateForm: Content {
        var name: String?
        var pin: String?
        var userId: String?

        enum CodingKeys: String, CodingKey {
            case name, pin
            case userId = "user_id"
        }

        /// The API's checks of a new PIN, with the account picked in a `<select>` (empty: none).
        func validated() throws -> (name: String, pin: String, userID: UUID?, storeID: UUID?) {
            let userID: UUID?
            if let text = userId, !text.isEmpty {
                guard let id = UUID(uuidString: text) else { throw APIError.validationFailed(["user_id": "must be a staff account"]) }
                userID = id
            } else {
                userID = nil
            }
            return try CreatePinRequest(name: name, pin: pin, userId: userID).validated()
        }
    }

    struct RenameForm: Content {
        var name: String?
    }

    @Sendable
    func list(req: Request) async throws -> Response {
        var page = try await Self.page(req)
        if let done = req.query[String.self, at: "done"], let key = Self.doneKeys[done] { page.done = req.t(key) }
        return try await req.renderPage("store/pins", title: "store.pins_title", page, stylesheet: "store.css", script: "store.js")
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let input = try req.content.decode(CreateForm.self)
        do {
            let checked = try input.validated()
            _ = try await req.staffPins.create(name: checked.name, pin: checked.pin, userID: checked.userID, store: req.store)
            return req.redirect(to: "/store/pins?done=created", redirectType: .normal)
        } catch let error as APIError {
            var page = try await Self.page(req, selectedAccount: input.userId)
            page.newName = String((input.name ?? "").prefix(100))
            page.error = Self.words(for: error, req: req)
            return try await req.renderPage("store/pins", title: "store.pins_title", page, status: error.status, stylesheet: "store.css", script: "store.js")
        }
    }

    @Sendable
    func rename(req: Request) async throws -> Response {
        let id = try req.parameters.uuid("pin_id")
        let input = try req.content.decode(RenameForm.self)
        return try await change(req, pinID: id, done: "renamed") {
            let change = try UpdatePinRequest(name: input.name ?? "", pin: nil, userId: nil, isActive: nil).validated()
            _ = try await req.staffPins.update(id, with: change, in: PinScope(req.store))
        }
    }

    @Sendable
    func unlock(req: Request) async throws -> Response {
        let id = try req.parameters.uuid("pin_id")
        return try await change(req, pinID: id, done: "unlocked") { _ = try await req.staffPins.unlock(id, in: PinScope(req.store)) }
    }

    @Sendable
    func delete(req: Request) async throws -> Response {
        let id = try req.parameters.uuid("pin_id")
        return try await change(req, pinID: id, done: "deleted") { try await req.staffPins.delete(id, in: PinScope(req.store)) }
    }

    /// Runs a change of one PIN; a PIN of another store or merchant is "not found" (the error
    /// page), a refused change shows the list again with the reason.
    private func change(_ req: Request, pinID: UUID, done: String, _ body: () async throws -> Void) async throws -> Response {
        do {
            try await body()
            return req.redirect(to: "/store/pins?done=" + done, redirectType: .normal)
        } catch let error as APIError where error.status != .notFound {
            var page = try await Self.page(req)
            page.error = Self.words(for: error, req: req)
            page.errorPinID = pinID.uuidString
            return try await req.renderPage("store/pins", title: "store.pins_title", page, status: error.status, stylesheet: "store.css", script: "store.js")
        }
    }

    /// A PIN the store already uses, or a name already taken, has words of its own.
    static func words(for error: APIError, req: Request) -> String {
        words(for: error, req: req, timeZone: req.store.timeZone)
    }

    static func words(for error: APIError, req: Request, timeZone: TimeZone) -> String {
        if error.code == "already_exists" { return req.t("store.pin_taken") }
        if case .object(let fields)? = error.details["fields"], fields["pin"] != nil { return req.t("store.pin_rules") }
        return req.words(for: error, timeZone: timeZone)
    }

    static func page(_ req: Request, selectedAccount: String? = nil) async throws -> ListPage {
        let format = req.storeFormat
        let users = try await UserModel.query(on: req.db)
            .filter(\.$merchant.$id == req.store.merchantID)
            .filter(\.$store.$id == req.store.storeID)
            .sort(\.$name).sort(\.$email).all()
        let names = Dictionary(uniqueKeysWithValues: users.map { ($0.id!, $0.name ?? $0.email) })
        var page = ListPage()
        page.pins = try await req.staffPins.pins(in: PinScope(req.store)).map { pin in
            ListPage.Pin(
                id: pin.id.uuidString, name: pin.name, account: pin.userId.flatMap { names[$0] } ?? "",
                state: Self.state(of: pin, format: format, req: req), isLocked: pin.isLocked)
        }
        page.accounts = users.filter(\.isActive).map {
            ListPage.Account(id: $0.id!.uuidString, label: Self.accountLabel($0), selected: $0.id!.uuidString == selectedAccount)
        }
        return page
    }

    /// A PIN's state in words: locked until when, failures so far, or ready (also the owner's
    /// PINs page across stores).
    static func state(of pin: PinResponse, format: StorePageFormat, req: Request) -> String {
        if let until = pin.lockedUntil { return req.t("store.pin_locked_until", format.dateTime(until)) }
        if pin.failedAttempts > 0 { return req.t("store.pin_failures", format.number(pin.failedAttempts)) }
        return req.t("store.pin_ready")
    }

    /// "Marc Weber · marc@…", an account a PIN may belong to.
    static func accountLabel(_ user: UserModel) -> String {
        (user.name.map { $0 + " · " } ?? "") + user.email
    }
}
