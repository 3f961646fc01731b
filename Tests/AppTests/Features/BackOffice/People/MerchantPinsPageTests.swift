import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/merchant/pins`: the PINs of every store, through the store page's service and wording.
@Suite struct MerchantPinsPageTests {
    @Test func theOwnerManagesPinsAcrossStores() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            #expect(try await app.stamp(world.counter).status == .ok)
            let list = try await owner.get("/merchant/pins")
            #expect(list.status == .ok)
            #expect(list.text.contains("Sophie"))
            #expect(!list.text.contains(world.other.pin.id!.uuidString))

            let created = try await owner.post("/merchant/pins", form: ["name": "Nina", "pin": "9157", "store_id": world.store2.id!.uuidString])
            #expect(created.location == "/merchant/pins?done=created")
            let pin = try #require(try await StaffPinModel.query(on: app.db).filter(\.$name == "Nina").first())
            #expect(pin.$store.id == world.store2.id)
            #expect(pin.pinHash != "9157")
            let shown = try await owner.get("/merchant/pins?done=created")
            #expect(shown.text.contains("The PIN was created."))
            #expect(!shown.text.contains("9157"))

            let easy = try await owner.post("/merchant/pins", form: ["name": "Lea", "pin": "1234", "store_id": world.store2.id!.uuidString])
            #expect(easy.status == .unprocessableEntity)
            #expect(easy.alertText?.contains("4 to 8 digits") == true)
            let noStore = try await owner.post("/merchant/pins", form: ["name": "Lea", "pin": "9158"])
            #expect(noStore.status == .unprocessableEntity)
            #expect(noStore.alertText == "Pick one of your stores.")
            let foreignStore = try await owner.post("/merchant/pins", form: ["name": "Lea", "pin": "9158", "store_id": world.other.store.id!.uuidString])
            #expect(foreignStore.status == .notFound)
            #expect(try await owner.post("/merchant/pins", form: ["name": "Lea", "pin": "9158", "store_id": world.store2.id!.uuidString], csrf: false).status == .forbidden)
            #expect(try await StaffPinModel.query(on: app.db).filter(\.$name == "Lea").count() == 0)

            #expect(try await owner.post("/merchant/pins/\(pin.id!)/rename", form: ["name": "Nina K."]).location == "/merchant/pins?done=renamed")
            #expect(try await StaffPinModel.find(pin.id, on: app.db)?.name == "Nina K.")
            let blank = try await owner.post("/merchant/pins/\(pin.id!)/rename", form: ["name": ""])
            #expect(blank.status == .unprocessableEntity)

            _ = pin.lockout.recordFailure(at: app.clock(), maxAttempts: 1, lockout: 600)
            try await pin.save(on: app.db)
            #expect(try await owner.get("/merchant/pins").text.contains("/merchant/pins/\(pin.id!)/unlock"))
            #expect(try await owner.post("/merchant/pins/\(pin.id!)/unlock").location == "/merchant/pins?done=unlocked")
            #expect(try await StaffPinModel.find(pin.id, on: app.db)?.lockedUntil == nil)

            #expect(try await owner.post("/merchant/pins/\(pin.id!)/delete").location == "/merchant/pins?done=deleted")
            #expect(try await StaffPinModel.find(pin.id, on: app.db) == nil)
        }
    }

    @Test func anotherMerchantsPinIsNotFoundAndUnchanged() async throws {
        try await withTestApp { app, _ in
            let world = try await PeoplePagesWorld.make(in: app)
            var owner = try await world.owner(app)
            let victim = world.other.pin.id!
            #expect(try await owner.post("/merchant/pins/\(victim)/rename", form: ["name": "Mine"]).status == .notFound)
            #expect(try await owner.post("/merchant/pins/\(victim)/unlock").status == .notFound)
            #expect(try await owner.post("/merchant/pins/\(victim)/delete").status == .notFound)
            #expect(try await StaffPinModel.find(victim, on: app.db)?.name == "Sophie")
        }
    }
}
