import Fluent
import Foundation
import LoyaltyCore
import QRCodes
import Testing
import Vapor
import VaporTesting

@testable import App

/// The managers' pages: staff PINs, statistics, the enrollment poster.
@Suite struct StoreManagerPagesTests {
    @Test func cashiersAreRefusedTheManagersPages() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            var cashier = try await PageClient.signedIn(app, as: world.counter.cashier)
            for path in ["/store/pins", "/store/stats", "/store/poster", "/store/poster?size=a6"] {
                let page = try await cashier.get(path)
                #expect(page.status == .forbidden, "\(path)")
                #expect(page.alertText?.isEmpty == false || page.text.contains("may not"), "\(path) says why")
            }
            let pinsBefore = try await StaffPinModel.query(on: app.db).count()
            #expect(try await cashier.post("/store/pins", form: ["name": "Eve", "pin": "9157"]).status == .forbidden)
            #expect(try await cashier.post("/store/pins/\(world.counter.pin.id!)/delete").status == .forbidden)
            #expect(try await StaffPinModel.query(on: app.db).count() == pinsBefore)

            var manager = try await PageClient.signedIn(app, as: world.manager)
            for path in ["/store/pins", "/store/stats", "/store/poster"] {
                #expect(try await manager.get(path).status == .ok, "\(path)")
            }
            var owner = try await PageClient.signedIn(app, as: world.counter.owner)
            owner.cookies[WebStoreScope.cookie] = world.counter.store.id!.uuidString
            #expect(try await owner.get("/store/pins").status == .ok)
        }
    }

    @Test func managersCreateRenameUnlockAndDeletePinsWithoutSeeingThem() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            var client = try await PageClient.signedIn(app, as: world.manager)

            let created = try await client.post(
                "/store/pins", form: ["name": "Marc", "pin": "9157", "user_id": world.manager.id!.uuidString])
            #expect(created.status == .seeOther)
            #expect(created.location == "/store/pins?done=created")
            let pin = try #require(try await StaffPinModel.query(on: app.db).filter(\.$name == "Marc").first())
            #expect(pin.$store.id == world.counter.store.id)
            #expect(pin.$user.id == world.manager.id)
            #expect(pin.pinHash != "9157")
            let list = try await client.get("/store/pins?done=created")
            #expect(list.text.contains("The PIN was created."))
            #expect(list.text.contains("Marc"))
            #expect(!list.text.contains("9157"), "a PIN is never shown back")
            #expect(!list.text.contains(pin.pinHash))

            // A refused PIN: the list again with the reason; nothing changes.
            let easy = try await client.post("/store/pins", form: ["name": "Lea", "pin": "1234"])
            #expect(easy.status == .unprocessableEntity)
            #expect(easy.alertText?.contains("4 to 8 digits") == true)
            #expect(!easy.text.contains("1234\""), "the refused PIN is not echoed into a field")
            let taken = try await client.post("/store/pins", form: ["name": "Lea", "pin": Counter.pinCode])
            #expect(taken.status == .conflict)
            #expect(taken.alertText?.contains("already has this PIN") == true)
            #expect(try await StaffPinModel.query(on: app.db).filter(\.$name == "Lea").count() == 0)

            let renamed = try await client.post("/store/pins/\(pin.id!)/rename", form: ["name": "Marc W."])
            #expect(renamed.location == "/store/pins?done=renamed")
            #expect(try await StaffPinModel.find(pin.id, on: app.db)?.name == "Marc W.")

            // Locked after wrong PINs: the list says until when; unlocking clears it.
            let locked = try #require(try await StaffPinModel.find(pin.id, on: app.db))
            locked.failedAttempts = 5
            locked.lockedUntil = app.clock().addingTimeInterval(900)
            try await locked.save(on: app.db)
            let lockedList = try await client.get("/store/pins")
            #expect(lockedList.text.contains("Locked until"))
            #expect(lockedList.text.contains("/store/pins/\(pin.id!)/unlock"))
            let unlocked = try await client.post("/store/pins/\(pin.id!)/unlock")
            #expect(unlocked.location == "/store/pins?done=unlocked")
            let after = try #require(try await StaffPinModel.find(pin.id, on: app.db))
            #expect(after.lockedUntil == nil)
            #expect(after.failedAttempts == 0)

            let deleted = try await client.post("/store/pins/\(pin.id!)/delete")
            #expect(deleted.location == "/store/pins?done=deleted")
            #expect(try await StaffPinModel.find(pin.id, on: app.db) == nil)
        }
    }

    @Test func pinFormsRefuseForgeriesAndOtherTenantsPins() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            let other = try await Counter.make(in: app)
            var client = try await PageClient.signedIn(app, as: world.manager)
            let pinID = world.counter.pin.id!

            let forgedCreate = try await client.post("/store/pins", form: ["name": "Eve", "pin": "9157"], csrf: false)
            #expect(forgedCreate.status == .forbidden)
            let forgedRename = try await client.post("/store/pins/\(pinID)/rename", form: ["name": "Eve"], csrf: false)
            #expect(forgedRename.status == .forbidden)
            #expect(try await client.post("/store/pins/\(pinID)/delete", csrf: false).status == .forbidden)
            #expect(try await StaffPinModel.find(pinID, on: app.db)?.name == "Sophie")
            #expect(try await StaffPinModel.query(on: app.db).filter(\.$name == "Eve").count() == 0)

            for action in ["rename", "unlock", "delete"] {
                let response = try await client.post("/store/pins/\(other.pin.id!)/\(action)", form: ["name": "Hacked"])
                #expect(response.status == .notFound, "\(action)")
            }
            let foreign = try #require(try await StaffPinModel.find(other.pin.id, on: app.db))
            #expect(foreign.name == "Sophie")
            #expect(!(try await client.get("/store/pins").text.contains(other.pin.id!.uuidString)))
        }
    }

    @Test func pinsPageSpeaksThePagesLanguage() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            var client = try await PageClient.signedIn(app, as: world.manager)
            let page = try await client.get("/store/pins?lang=de")
            #expect(page.htmlLang == "de")
            #expect(page.text.contains("Personal-PINs"))
            let refused = try await client.post("/store/pins?lang=fr", form: ["name": "Lea", "pin": "12"])
            #expect(refused.htmlLang == "fr")
            #expect(refused.alertText?.contains("chiffres") == true)
        }
    }

    @Test func statisticsShowTheStoresFiguresInThePagesLanguage() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            #expect(try await app.stamp(world.counter).status == .ok)
            var client = try await PageClient.signedIn(app, as: world.manager)
            let page = try await client.get("/store/stats")
            #expect(page.status == .ok)
            let api = try await app.counterRequest(world.counter, .GET, "/stats")
            let stamped = try #require(try api.json["today"]?["stamps_given"]?.int)
            #expect(stamped == 1)
            #expect(page.text.contains("Stamps given"))
            #expect(page.text.contains("<td class=\"num\">1</td>"))
            #expect(page.text.contains(world.counter.store.name))

            let german = try await client.get("/store/stats?lang=de")
            #expect(german.htmlLang == "de")
            #expect(german.text.contains("Vergebene Stempel"))
        }
    }

    @Test func numbersAndMoneyAreWrittenTheLanguagesWay() {
        let zone = TimeZone(identifier: "Europe/Luxembourg")!
        #expect(StorePageFormat(language: .en, timeZone: zone).number(12_345) == "12,345")
        #expect(StorePageFormat(language: .de, timeZone: zone).number(12_345) == "12.345")
        let french = StorePageFormat(language: .fr, timeZone: zone).number(12_345)
        #expect(french.filter(\.isNumber) == "12345" && french != "12345" && !french.contains(","))
        #expect(StorePageFormat(language: .de, timeZone: zone).euros(cents: 1250).contains("12,50"))
        #expect(StorePageFormat(language: .en, timeZone: zone).delta(-3) == "−3")
    }

    @Test func posterCarriesTheAbsoluteEnrollmentAddressInItsCode() async throws {
        try await withTestApp { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            var client = try await PageClient.signedIn(app, as: world.manager)
            let code = world.counter.store.code

            let a4 = try await client.get("/store/poster?size=a4", headers: ["Host": "shop.example:8443"])
            #expect(a4.status == .ok)
            let url = "https://shop.example:8443/enroll/\(code)"
            #expect(a4.text.contains(url))
            #expect(a4.text.contains("<svg"))
            #expect(a4.text.contains(try qrPath(url, correction: .quartile)), "the code is of the enrollment address")
            #expect(a4.text.contains("/static/poster-a4.css"))
            #expect(a4.text.contains(world.counter.store.name))
            #expect(a4.text.contains("data-print"))

            let a6 = try await client.get("/store/poster?size=a6&lang=fr", headers: ["Host": "shop.example", "X-Forwarded-Proto": "http"])
            #expect(a6.htmlLang == "fr")
            #expect(a6.text.contains("/static/poster-a6.css"))
            #expect(a6.text.contains("Rejoignez notre programme"))
            #expect(a6.text.contains(try qrPath("http://shop.example/enroll/\(code)", correction: .quartile)))

            // A forged Host never gets into a printed code.
            let forged = try await client.get("/store/poster", headers: ["Host": "evil.example/\"><script>"])
            #expect(forged.status == .ok)
            #expect(!forged.text.contains("evil.example"))
            #expect(forged.text.contains("://localhost/enroll/\(code)"))

            #expect(try await client.get("/store/poster?size=letter").status == .unprocessableEntity)

            // The static files exist and set the page size.
            let a4CSS = try await client.get("/static/poster-a4.css")
            #expect(a4CSS.status == .ok)
            #expect(a4CSS.text.contains("@page { size: A4"))
            #expect(try await client.get("/static/poster-a6.css").text.contains("@page { size: 105mm 148mm"))
        }
    }

    @Test func posterUsesTheConfiguredPublicAddress() async throws {
        try await withTestApp(adjust: { $0.publicBaseURL = "https://loyalty.example.com" }) { app, _ in
            let world = try await StorePagesWorld.make(in: app)
            var client = try await PageClient.signedIn(app, as: world.manager)
            let page = try await client.get("/store/poster", headers: ["Host": "internal:8080"])
            let url = "https://loyalty.example.com/enroll/\(world.counter.store.code)"
            #expect(page.text.contains(try qrPath(url, correction: .quartile)))
            #expect(!page.text.contains("internal:8080"))
        }
    }
}
