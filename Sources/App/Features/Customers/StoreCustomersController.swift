import Fluent
import Foundation
import Vapor

/// Customers seen from the counter: `/api/v1/store/customers`. A store sees every customer of
/// its merchant, since a card works in every store.
struct StoreCustomersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let customers = routes.grouped("customers")
        customers.post(use: create)
        customers.get(use: list)
        customers.get(":customer_id", use: show)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let profile = try req.content.decode(CreateCustomerRequest.self).validated()
        let customer = try await req.customers.createCustomer(profile, merchantID: req.store.merchantID, emailFromStaff: true)
        return try await CustomerResponse(customer).encodeResponse(status: .created, for: req)
    }

    @Sendable
    func list(req: Request) async throws -> Page<CustomerResponse> {
        let page = try PageRequest(from: req)
        let search = try req.query.decode(CustomerSearchQuery.self)
        return try await req.customers.customers(ofMerchant: req.store.merchantID, matching: try FieldErrors.queryText(search.q, "q"), page: page)
    }

    @Sendable
    func show(req: Request) async throws -> CustomerResponse {
        let id = try req.parameters.uuid("customer_id")
        return try CustomerResponse(try await req.customers.customer(id, merchantID: req.store.merchantID))
    }
}

extension Request {
    var customers: CustomerService {
        CustomerService(database: db, now: application.clock)
    }
}
