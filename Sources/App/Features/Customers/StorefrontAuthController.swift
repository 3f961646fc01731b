import Fluent
import FluentKit
import Foundation
import Vapor

/// Customer accounts, a realm apart from staff: `/api/v1/storefront/auth/...`.
///
/// An account belongs to one merchant, found through the code of any of its stores (the code
/// on the poster or in the link the customer followed).
struct StorefrontAuthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let auth = routes.grouped("auth")
        auth.post("register", use: register)
        auth.post("login", use: login)
        let signedIn = auth.grouped(CustomerAuthMiddleware())
        signedIn.post("logout", use: logout)
        signedIn.get("me", use: me)
        signedIn.patch("me", use: updateMe)
        signedIn.get("me", "export", use: exportMe)
    }

    @Sendable
    func register(req: Request) async throws -> Response {
        let customer = try await Self.register(try req.content.decode(CustomerRegisterRequest.self).validated(), req: req)
        let config = req.application.config
        let token = try await req.tokens.issue(for: .customer(try customer.requireID()), lifetime: config.customerTokenLifetime)
        return try await CustomerTokenResponse(token, customer: customer).encodeResponse(status: .created, for: req)
    }

    @Sendable
    func login(req: Request) async throws -> CustomerTokenResponse {
        let customer = try await Self.authenticate(try req.content.decode(CustomerLoginRequest.self).validated(), req: req)
        let token = try await req.tokens.issue(
            for: .customer(try customer.requireID()), lifetime: req.application.config.customerTokenLifetime)
        return try CustomerTokenResponse(token, customer: customer)
    }

    /// A new customer account with the merchant behind the store code (the API and the
    /// registration page).
    static func register(
        _ input: (storeCode: String, password: String, profile: CustomerProfileInput), req: Request
    ) async throws -> CustomerModel {
        let config = req.application.config
        try await req.rateLimiter.enforce([("register:client:\(req.clientAddress)", config.rateLimits.registrationPerClient)])
        let merchantID = try await Self.merchantID(ofStoreCode: input.storeCode, on: req.db)
        let hash = try await req.application.passwordHashing.hash(input.password)
        // An e-mail already known to this merchant (with or without an account) is refused:
        // attaching a password to a customer enrolled at the counter would let anyone who
        // knows the address read that customer's card. Claiming such a record needs e-mail
        // verification, which comes with the mailer.
        return try await req.customers.createCustomer(input.profile, merchantID: merchantID, passwordHash: hash)
    }

    /// The customer whose e-mail and password these are, behind the login throttle (the API
    /// and the sign-in page).
    static func authenticate(
        _ credentials: (storeCode: String, email: String, password: String), req: Request
    ) async throws -> CustomerModel {
        // The staff login's throttle (decision 0015), without the exemption of known addresses:
        // customer sessions do not record theirs.
        try await req.loginThrottle.admit(
            accountBucket: "customer-login:account:\(credentials.storeCode):\(credentials.email)", client: req.clientAddress
        ) { false }
        let merchantID = try await Self.merchantID(ofStoreCode: credentials.storeCode, on: req.db)
        let customer = try await req.customers.customer(email: credentials.email, merchantID: merchantID)
        let passwordMatches = try await req.application.passwordHashing.verify(
            credentials.password, against: customer?.passwordHash)
        guard let customer, passwordMatches else { throw APIError.invalidCredentials }
        return customer
    }

    @Sendable
    func logout(req: Request) async throws -> HTTPStatus {
        if let hash = req.accessTokenHash { try await req.tokens.revoke(tokenHash: hash) }
        return .noContent
    }

    @Sendable
    func me(req: Request) async throws -> CustomerResponse {
        try CustomerResponse(try await req.customers.customer(req.customer.customerID, merchantID: req.customer.merchantID))
    }

    /// The customer's own contact data; an address given here is unverified (decision 0008).
    @Sendable
    func updateMe(req: Request) async throws -> CustomerResponse {
        let changes = try req.content.decode(UpdateCustomerRequest.self).validated()
        return try CustomerResponse(
            try await req.customerData.update(req.customer.customerID, merchantID: req.customer.merchantID, with: changes, by: .customer))
    }

    /// Everything the merchant holds about the signed-in customer.
    @Sendable
    func exportMe(req: Request) async throws -> Response {
        let export = try await req.customerData.export(req.customer.customerID, merchantID: req.customer.merchantID)
        return try await export.encodeResponse(for: req).privateAttachment(named: "my-data.json")
    }

    /// The merchant behind a public store code, or `not_found`.
    static func merchantID(ofStoreCode code: String, on database: any Database) async throws -> UUID {
        guard let store = try await StoreModel.query(on: database).filter(\.$code == code).first() else {
            throw APIError.notFound("The store")
        }
        return store.$merchant.id
    }
}
