import Fluent
import Foundation
import Vapor

/// A merchant's customer's personal data: change contact data, export everything held, erase.
/// Mounted for the owner (`/merchants/loyalty/customers/...`) and the platform admin
/// (`/admin/loyalty/merchants/{merchant_id}/customers/...`); `merchantID` is the difference.
struct CustomerDataController: RouteCollection {
    let merchantID: @Sendable (Request) async throws -> UUID

    func boot(routes: any RoutesBuilder) throws {
        let customer = routes.grouped("customers", ":customer_id")
        customer.patch(use: update)
        customer.get("export", use: export)
        customer.delete(use: erase)
    }

    @Sendable
    func update(req: Request) async throws -> CustomerResponse {
        let changes = try req.content.decode(UpdateCustomerRequest.self).validated()
        return try CustomerResponse(
            try await req.customerData.update(try Self.customerID(req), merchantID: try await merchantID(req), with: changes, by: .staff))
    }

    @Sendable
    func export(req: Request) async throws -> Response {
        let export = try await req.customerData.export(try Self.customerID(req), merchantID: try await merchantID(req))
        return try await export.encodeResponse(for: req).privateAttachment(named: "customer-export.json")
    }

    @Sendable
    func erase(req: Request) async throws -> CustomerResponse {
        try CustomerResponse(try await req.customerData.erase(try Self.customerID(req), merchantID: try await merchantID(req)))
    }

    static func customerID(_ req: Request) throws -> UUID {
        try req.parameters.uuid("customer_id")
    }
}

extension Response {
    /// Personal data: downloaded as a file, never kept by a shared cache.
    func privateAttachment(named name: String) -> Response {
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
        return self
    }
}
