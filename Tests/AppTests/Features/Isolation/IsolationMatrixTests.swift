import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting
import WalletTestSupport

@testable import App

/// Every route, called as every persona with ids of the other tenant, answers as the table in
/// `IsolationMatrix.swift` says; no answer carries the other tenant's identifiers, and no call
/// changes the other tenant's data.
@Suite struct IsolationMatrixTests {
    @Test func everyRouteHasARow() async throws {
        try await withTestApp { app, _ in
            let registered = Set(app.routes.all.filter(\.isAPI).map { "\($0.method.rawValue) /" + $0.path.map(\.description).joined(separator: "/") })
            let rows = IsolationRule.all.map(\.route)
            #expect(registered.subtracting(rows).sorted() == [], "routes without a row in IsolationMatrix.swift")
            #expect(Set(rows).subtracting(registered).sorted() == [], "rows for routes that do not exist")
            #expect(rows.count == Set(rows).count, "a route has two rows")
        }
    }

    @Test(arguments: IsolationRule.all)
    func routeIsolatesTenants(rule: IsolationRule) async throws {
        try await withTestApp(adjust: {
            $0.enableTestAppleWallet()
            $0.enableTestGoogleWallet()
        }) { app, _ in
            let world = try await IsolationWorld.make(in: app)
            for persona in Persona.allCases {
                let home = persona.belongsToB ? world.b : world.a
                let other = persona.belongsToB ? world.a : world.b
                let (method, path) = Self.request(rule, other: other)
                var headers: HTTPHeaders = [:]
                var token: String?
                switch persona {
                case .anonymous: break
                case .admin: token = try await app.token(for: world.admin)
                case .ownerA, .ownerB:
                    token = try await app.token(for: home.owner)
                    headers.add(name: "X-Store-Id", value: home.store1.id!.uuidString)
                case .managerA1: token = try await app.token(for: home.manager1)
                case .cashierA1: token = try await app.token(for: home.cashier1)
                case .cashierA2: token = try await app.token(for: home.cashier2)
                case .customerA, .customerB: token = try await app.token(for: home.customer)
                }

                let checksOtherTenant = persona != .admin
                let before = checksOtherTenant ? try await world.snapshot(of: other, on: app.db) : nil
                let response = try await app.send(method, path, token: token, headers: headers, json: rule.body?(other))
                let outcome = Self.outcome(of: response)
                #expect(outcome == rule.expectedOutcome(for: persona), "\(rule.route) as \(persona): \(response.status.code) \(String(buffer: response.body).prefix(200))")
                #expect(response.status.code < 500, "\(rule.route) as \(persona): \(response.status)")

                if checksOtherTenant, rule.audience.isCredentialed {
                    let body = String(buffer: response.body)
                    for secret in other.secrets {
                        #expect(!body.localizedCaseInsensitiveContains(secret), "\(rule.route) as \(persona) leaked \(secret)")
                    }
                }
                if let before, rule.audience.isCredentialed {
                    #expect(try await world.snapshot(of: other, on: app.db) == before, "\(rule.route) as \(persona) changed the other tenant")
                }
                // Deleting one's own program is allowed; bring it back so the next persona meets the same world.
                try await ProgramModel.query(on: app.db).set(\.$isActive, to: true).update()
            }
        }
    }

    static func outcome(of response: TestingHTTPResponse) -> IsolationOutcome {
        switch response.status {
        case .unauthorized: .unauthenticated
        case .forbidden where response.errorCode == "forbidden": .forbidden
        case .notFound: .notFound
        default: .admitted
        }
    }

    /// The method and the path with the other tenant's ids in its parameters.
    static func request(_ rule: IsolationRule, other: IsolationWorld.Tenant) -> (HTTPMethod, String) {
        request(route: rule.route, other: other)
    }

    /// `"GET /a/:card_id"` with the other tenant's ids in its parameters.
    static func request(route: String, other: IsolationWorld.Tenant) -> (HTTPMethod, String) {
        let parts = route.split(separator: " ", maxSplits: 1)
        let values: [String: String] = [
            ":merchant_id": other.merchant.id!.uuidString, ":card_id": other.card.id!.uuidString,
            ":customer_id": other.customer.id!.uuidString, ":pin_id": other.pin.id!.uuidString,
            ":program_id": other.program.id!.uuidString, ":store_code": other.store1.code,
            ":link_token": TokenService.randomTokenValue(),
            ":pass_file": ApplePassIdentity.random().serialNumber + ".pkpass",
            ":serial_number": other.card.appleSerialNumber, ":pass_type_id": TestPassPKI.standard.passTypeIdentifier,
            ":device_library_id": "isolation-device",
            ":user_id": other.cashier1.id!.uuidString, ":session_id": other.cashierSession.uuidString,
        ]
        let path = parts[1].split(separator: "/").map { segment in values[String(segment)] ?? String(segment) }.joined(separator: "/")
        return (HTTPMethod(rawValue: String(parts[0])), "/" + path)
    }
}
