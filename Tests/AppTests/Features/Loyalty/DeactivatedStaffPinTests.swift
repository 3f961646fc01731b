import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// A cashier leaves: deactivating their account also stops the staff PIN tied to it, so it
/// cannot be typed at any till, and reactivating brings it back.
@Suite struct DeactivatedStaffPinTests {
    @Test func aPinTiedToADeactivatedAccountIsRefusedLikeAWrongOneUntilReactivation() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            counter.pin.$user.id = try counter.cashier.requireID()
            try await counter.pin.save(on: app.db)
            let cashierID = try counter.cashier.requireID()
            func stampAtTheOwnersTill(_ key: String) async throws -> TestingHTTPResponse {
                try await app.counterRequest(
                    counter, .POST, "/stamp", json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": .string(Counter.pinCode)],
                    token: counter.ownerToken, idempotencyKey: key)
            }
            #expect(try await stampAtTheOwnersTill("before").status == .ok)

            let deactivated = try await app.send(.POST, "/api/v1/merchants/users/\(cashierID)/deactivate", token: counter.ownerToken)
            #expect(deactivated.status == .ok)
            let refused = try await stampAtTheOwnersTill("while-gone")
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "invalid_pin")
            #expect(try await app.reloadCard(counter).stampCount == 1)

            #expect(try await app.send(.POST, "/api/v1/merchants/users/\(cashierID)/reactivate", token: counter.ownerToken).status == .ok)
            let back = try await app.counterRequest(
                counter, .POST, "/points/earn",
                json: ["card_id": .string(counter.cardID.uuidString), "staff_pin": .string(Counter.pinCode), "purchase_amount_cents": 500],
                token: counter.ownerToken, idempotencyKey: "after")
            #expect(back.status == .ok)
        }
    }
}
