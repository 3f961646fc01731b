import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// Every page, opened as every persona with ids of the other tenant, answers as
/// `PageIsolationMatrix.swift` says; no page shows the other tenant's identifiers, and no
/// form changes the other tenant's data.
@Suite struct PageIsolationMatrixTests {
    @Test func everyPageHasARow() async throws {
        try await withTestApp { app, _ in
            let registered = Set(
                app.routes.all.filter { !$0.isAPI }.map { "\($0.method.rawValue) /" + $0.path.map(\.description).joined(separator: "/") })
            let rows = PageIsolationRule.all.map(\.route)
            #expect(registered.subtracting(rows).sorted() == [], "pages without a row in PageIsolationMatrix.swift")
            #expect(Set(rows).subtracting(registered).sorted() == [], "rows for pages that do not exist")
            #expect(rows.count == Set(rows).count, "a page has two rows")
        }
    }

    @Test(arguments: PageIsolationRule.all)
    func pageIsolatesTenants(rule: PageIsolationRule) async throws {
        try await withTestApp { app, _ in
            let world = try await IsolationWorld.make(in: app)
            for persona in Persona.allCases {
                let home = persona.belongsToB ? world.b : world.a
                let other = persona.belongsToB ? world.a : world.b
                var client = PageClient(app)
                switch persona {
                case .anonymous: break
                case .admin: client = try await .signedIn(app, as: world.admin)
                case .ownerA, .ownerB:
                    client = try await .signedIn(app, as: home.owner)
                    client.cookies[WebStoreScope.cookie] = home.store1.id!.uuidString
                case .managerA1: client = try await .signedIn(app, as: home.manager1)
                case .cashierA1: client = try await .signedIn(app, as: home.cashier1)
                case .cashierA2: client = try await .signedIn(app, as: home.cashier2)
                case .customerA, .customerB: client = try await .signedIn(app, asCustomer: home.customer)
                }

                let (method, path) = IsolationMatrixTests.request(route: rule.route.replacingOccurrences(of: "**", with: "app.css"), other: other)
                let checksOtherTenant = persona != .admin
                let before = checksOtherTenant ? try await world.snapshot(of: other, on: app.db) : nil
                let response = method == .POST
                    ? try await client.post(path, form: rule.form?(other) ?? [:]) : try await client.get(path)
                let outcome = Self.outcome(of: response)
                #expect(
                    outcome == rule.expectedOutcome(for: persona),
                    "\(rule.route) as \(persona): \(response.status.code) \(response.location ?? "") \(response.alertText ?? "")")
                #expect(response.status.code < 500, "\(rule.route) as \(persona): \(response.status)")

                if checksOtherTenant {
                    let body = response.text
                    // What the visitor sent is not a leak: a page's language links repeat its
                    // own address, and the address may hold the other tenant's id the visitor typed.
                    for secret in other.secrets where !path.contains(secret) {
                        #expect(!body.localizedCaseInsensitiveContains(secret), "\(rule.route) as \(persona) leaked \(secret)")
                    }
                }
                if let before {
                    let after = try await world.snapshot(of: other, on: app.db)
                    #expect(before == after, "\(rule.route) as \(persona) changed the other tenant's data")
                }
            }
        }
    }

    /// A page's answer in the matrix's terms: sent to sign in first (a gate's redirect names the
    /// page to come back to) is "unauthenticated".
    static func outcome(of response: TestingHTTPResponse) -> IsolationOutcome {
        if response.status == .seeOther || response.status == .found,
            let location = response.location, location.hasPrefix("/login?next=") || location.hasPrefix("/customer/login?next=")
        {
            return .unauthenticated
        }
        switch response.status {
        case .unauthorized: return .unauthenticated
        case .forbidden: return .forbidden
        case .notFound: return .notFound
        default: return .admitted
        }
    }
}
