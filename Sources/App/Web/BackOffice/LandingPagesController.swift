import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Where owners and the admin land after signing in. The back office proper (issue #11) grows
/// from here; today an owner picks the store whose terminal to open.
struct LandingPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(WebStaffGate([.merchantOwner])).get("merchant", use: merchant)
        routes.grouped(WebStaffGate([.platformAdmin])).get("admin", use: admin)
    }

    struct MerchantPage: Encodable, Sendable {
        struct Store: Encodable, Sendable {
            let name: String
            let code: String
            let terminalURL: String
        }
        let merchantName: String
        let stores: [Store]
    }

    struct AdminPage: Encodable, Sendable {
        struct Merchant: Encodable, Sendable {
            let name: String
            let storeCount: Int
        }
        let merchants: [Merchant]
    }

    @Sendable
    func merchant(req: Request) async throws -> Response {
        guard let merchantID = req.staff.merchantID, let merchant = try await MerchantModel.find(merchantID, on: req.db) else {
            throw APIError.notFound("The merchant")
        }
        let stores = try await StoreModel.query(on: req.db).filter(\.$merchant.$id == merchantID).sort(\.$name).all()
        let page = MerchantPage(
            merchantName: merchant.name,
            stores: try stores.map { .init(name: $0.name, code: $0.code, terminalURL: "/store/terminal?store=\(try $0.requireID())") })
        return try await req.renderPage("backoffice/merchant", title: "merchant.title", page)
    }

    @Sendable
    func admin(req: Request) async throws -> Response {
        let merchants = try await MerchantModel.query(on: req.db).sort(\.$name).range(..<200).all()
        var rows: [AdminPage.Merchant] = []
        for merchant in merchants {
            let stores = try await StoreModel.query(on: req.db).filter(\.$merchant.$id == merchant.requireID()).count()
            rows.append(.init(name: merchant.name, storeCount: stores))
        }
        let page = AdminPage(merchants: rows)
        return try await req.renderPage("backoffice/admin", title: "admin.title", page)
    }
}
