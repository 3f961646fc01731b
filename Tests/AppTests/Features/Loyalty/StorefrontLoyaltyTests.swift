import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct StorefrontLoyaltyTests {
    @Test func aCustomerEnrollsThenSeesCardProgramAndHistory() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let customer = try await app.makeCustomer(of: counter.merchant, email: "claire@example.com")
            let token = try await app.token(for: customer)
            #expect(try await app.send(.GET, "/api/v1/storefront/loyalty/card", token: token).status == .notFound)

            let enrolled = try await app.send(.POST, "/api/v1/storefront/loyalty/enroll", token: token)
            #expect(enrolled.status == .created)
            #expect(try enrolled.json["stamp_count"]?.int == 0)
            #expect(try await app.send(.POST, "/api/v1/storefront/loyalty/enroll", token: token).errorCode == "already_enrolled")

            let card = try await app.send(.GET, "/api/v1/storefront/loyalty/card", token: token)
            let number = try #require(try card.json["card_number"]?.string)
            #expect(try card.json["program"]?["stamps_reward_description"]?.string == "Free coffee")
            #expect(try card.json["program"]?["cooldown_minutes"] == nil)  // anti-fraud settings stay private

            _ = try await app.counterRequest(counter, .POST, "/stamp", json: ["card_number": .string(number), "staff_pin": "4826"])
            let history = try await app.send(.GET, "/api/v1/storefront/loyalty/transactions", token: token)
            #expect(try history.json["items"]?[0]?["type"]?.string == "stamp_earned")
            #expect(try history.json["items"]?[0]?["staff_pin_id"] == nil)
            #expect(try history.json["items"]?[0]?["ip_address"] == nil)

            let program = try await app.send(.GET, "/api/v1/storefront/loyalty/program", token: token)
            #expect(try program.json["rewards"]?[0]?["name"]?.string == "Croissant")
        }
    }

    @Test func selfEnrollmentObeysTheSetting() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let settings = MerchantSettingsModel()
            settings.id = counter.merchant.id
            var closed = MerchantLoyaltySettings()
            closed.allowSelfEnrollment = false
            settings.settings = closed
            try await settings.create(on: app.db)
            let token = try await app.token(for: try await app.makeCustomer(of: counter.merchant))
            #expect(try await app.send(.POST, "/api/v1/storefront/loyalty/enroll", token: token).status == .forbidden)
            let publicEnroll = try await app.send(.POST, "/api/v1/loyalty/enroll/\(counter.store.code)", json: ["name": "Walk-in"])
            #expect(publicEnroll.status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/loyalty/programs/\(counter.store.code)").json["self_enrollment_open"]?.bool == false)
        }
    }
}

@Suite struct PublicLoyaltyTests {
    @Test func anEnrollmentPageShowsTheProgramOfAStoreCode() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let page = try await app.send(.GET, "/api/v1/loyalty/programs/\(counter.store.code.lowercased())")
            #expect(page.status == .ok)
            #expect(try page.json["store"]?["code"]?.string == counter.store.code)
            #expect(try page.json["program"]?["stamps_target"]?.int == 3)
            #expect(try page.json["self_enrollment_open"]?.bool == true)
            #expect(try await app.send(.GET, "/api/v1/loyalty/programs/NOWHERE").status == .notFound)
        }
    }

    @Test func enrollingWithoutAnAccountGivesACardAndAPrivateLink() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let enrolled = try await app.send(
                .POST, "/api/v1/loyalty/enroll/\(counter.store.code)", json: ["name": "Paul", "email": "paul@example.com", "marketing_consent": true])
            #expect(enrolled.status == .created)
            let link = try #require(try enrolled.json["card_link"]?.string)
            #expect(link.count > 60)
            let card = try await app.send(.GET, link)
            #expect(try card.json["card_number"] == enrolled.json["card"]?["card_number"])
            #expect(try await app.send(.GET, "/api/v1/loyalty/cards/not-a-token").status == .notFound)
            let stored = try await CardModel.query(on: app.db).filter(\.$linkTokenHash != nil).all()
            #expect(stored.count == 1 && !link.contains(stored[0].linkTokenHash ?? "-"))
        }
    }

    @Test func aKnownEmailIsNotRevealed() async throws {
        try await withTestApp { app, _ in
            let counter = try await Counter.make(in: app)
            let existing = try await app.makeCustomer(of: counter.merchant, email: "known@example.com")
            _ = try await app.makeCard(for: existing, program: counter.program, store: counter.store)

            let fresh = try await app.send(.POST, "/api/v1/loyalty/enroll/\(counter.store.code)", json: ["name": "A", "email": "fresh@example.com"])
            let known = try await app.send(.POST, "/api/v1/loyalty/enroll/\(counter.store.code)", json: ["name": "B", "email": "known@example.com"])
            #expect(fresh.status == known.status)
            #expect(try Set(fresh.json.objectKeys) == Set(known.json.objectKeys))
            #expect(try Set(fresh.json["card"]?.objectKeys ?? []) == Set(known.json["card"]?.objectKeys ?? []))
            // The existing customer's card was not handed out.
            let existingCard = try #require(try await CardModel.query(on: app.db).filter(\.$customer.$id == existing.requireID()).first())
            #expect(try known.json["card"]?["qr_code_data"]?.string != existingCard.qrToken)
            // The known address was not attached to a second customer.
            #expect(try await CustomerModel.query(on: app.db).filter(\.$email == "known@example.com").count() == 1)
        }
    }

    @Test func publicEnrollmentIsRateLimited() async throws {
        try await withTestApp(adjust: { $0.rateLimits = .init(window: 900, registrationPerClient: 2) }) { app, _ in
            let counter = try await Counter.make(in: app)
            for index in 0..<2 {
                let response = try await app.send(.POST, "/api/v1/loyalty/enroll/\(counter.store.code)", json: ["name": .string("P\(index)")])
                #expect(response.status == .created)
            }
            let third = try await app.send(.POST, "/api/v1/loyalty/enroll/\(counter.store.code)", json: ["name": "P3"])
            #expect(third.status == .tooManyRequests)
        }
    }
}

extension JSONValue {
    var objectKeys: [String] {
        if case .object(let object) = self { return Array(object.keys) }
        return []
    }
}
