import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/merchant/program`: the editor over the program service, its field errors, and the warning
/// before a change that touches issued cards (decision 0028).
@Suite struct MerchantProgramPagesTests {
    /// The editor's form for the counter's program as it is saved (hybrid, 3 stamps, Croissant).
    static func form(_ counter: Counter, croissant: RewardModel, _ changes: [String: String] = [:]) -> [String: String] {
        var form = [
            "loyalty_type": "hybrid", "stamps_target": "3", "stamps_reward_description": "Free coffee", "points_per_euro": "10",
            "cooldown_minutes": "15", "max_daily_stamps": "5", "require_staff_pin": "on", "card_name": "", "card_color": "",
            "logo_url": "", "points_expiration_days": "",
            "rewards[0][id]": croissant.id!.uuidString, "rewards[0][name]": "Croissant", "rewards[0][points_cost]": "150",
            "rewards[0][active]": "on", "rewards[1][id]": "", "rewards[1][name]": "", "rewards[1][points_cost]": "",
        ]
        for (key, value) in changes { form[key] = value }
        return form.filter { !($0.key.hasSuffix("[active]") && $0.value.isEmpty) }
    }

    static func setUp(_ app: Application) async throws -> (Counter, RewardModel, PageClient) {
        let counter = try await Counter.make(in: app)
        let croissant = try #require(try await RewardModel.query(on: app.db).filter(\.$program.$id == counter.program.id!).first())
        return (counter, croissant, try await PageClient.signedIn(app, as: counter.owner))
    }

    static func program(_ app: Application, _ counter: Counter) async throws -> ProgramModel {
        try #require(try await ProgramModel.find(counter.program.id, on: app.db))
    }

    @Test func theEditorShowsTheProgramAndAServerDrawnPreview() async throws {
        try await withTestApp { app, _ in
            let (_, _, owner) = try await Self.setUp(app)
            var client = owner
            let page = try await client.get("/merchant/program")
            #expect(page.status == .ok)
            #expect(page.text.contains("name=\"stamps_target\" type=\"number\" inputmode=\"numeric\" min=\"1\" max=\"1000\" value=\"3\""))
            #expect(page.text.contains("value=\"Croissant\""))
            #expect(page.text.contains("id=\"card-preview-stamps-text\">3 / 3<"), "a sample card: 3 stamps of 3")
            #expect(page.text.contains("fill=\"#3c414c\""), "no colour: the passes' default slate")
            #expect(page.text.contains("tone-light"), "white text on the dark default")
            #expect(page.text.contains("id=\"card-preview-reward\">Free coffee<"))
            #expect(page.text.contains("program-editor.js"))
        }
    }

    @Test func aChangeNoIssuedCardNoticesIsSavedAtOnce() async throws {
        try await withTestApp { app, _ in
            let (counter, croissant, owner) = try await Self.setUp(app)
            var client = owner
            let saved = try await client.post(
                "/merchant/program",
                form: Self.form(counter, croissant: croissant, ["cooldown_minutes": "30", "stamps_reward_cost": "2.40", "rewards[0][cost]": "1,20"]))
            #expect(saved.status == .seeOther)
            #expect(saved.location == "/merchant/program?done=saved")
            let program = try await Self.program(app, counter)
            #expect(program.cooldownMinutes == 30 && program.stampsRewardCostCents == 240)
            #expect(try await RewardModel.find(croissant.id, on: app.db)?.costCents == 120, "what a reward costs the merchant is kept")
            let shown = try await client.get("/merchant/program")
            #expect(shown.text.contains("value=\"2.40\"") && shown.text.contains("value=\"1.20\""))
            #expect(try await client.get("/merchant/program?done=saved").text.contains("The program was saved."))
        }
    }

    @Test func everyWrongFieldIsShownBesideItInThePagesLanguageAndNothingChanges() async throws {
        try await withTestApp { app, _ in
            let (counter, croissant, owner) = try await Self.setUp(app)
            var client = owner
            let wrong = Self.form(counter, croissant: croissant, [
                "stamps_target": "0", "points_per_euro": "ten", "cooldown_minutes": "99999", "max_daily_stamps": "",
                "points_expiration_days": "0", "card_color": "blue", "logo_url": "http://example.test/logo.png",
                "card_name": String(repeating: "x", count: 101), "rewards[0][name]": " ", "rewards[1][name]": "Tea",
                "rewards[1][points_cost]": "0", "loyalty_type": "coupons", "stamps_reward_cost": "lots", "rewards[1][cost]": "-3",
            ])
            let page = try await client.post("/merchant/program", form: wrong)
            #expect(page.status == .unprocessableEntity)
            #expect(page.alertText == "Some fields need another value; see the messages beside them.")
            for (id, text) in [
                ("loyalty_type-error", "Choose stamps, points, or both."),
                ("stamps_target-error", "Enter a whole number of stamps from 1 to 1000."),
                ("points_per_euro-error", "Enter a whole number from 1 to 10000."),
                ("cooldown_minutes-error", "Enter a whole number from 0 to 10080."),
                ("max_daily_stamps-error", "Enter a whole number from 1 to 1000."),
                ("points_expiration_days-error", "Enter a number of days from 1 to 3650, or leave it empty."),
                ("card_color-error", "Enter a colour such as #4F46E5."),
                ("logo_url-error", "Enter an address starting with https://."),
                ("card_name-error", "Enter a card name of at most 100 characters."),
                ("reward-0-name-error", "Give the reward a name of at most 200 characters."),
                ("reward-1-cost-error", "Enter a cost in points from 1 to 10000000."),
                ("stamps_reward_cost-error", "Enter an amount in euros such as 2.40, or leave it empty."),
                ("reward-1-merchant-cost-error", "Enter an amount in euros such as 2.40, or leave it empty."),
            ] {
                #expect(page.text.contains("id=\"\(id)\">\(text)</p>"), "\(id)")
            }
            #expect(page.text.contains("value=\"blue\""), "the form comes back as typed")
            let program = try await Self.program(app, counter)
            #expect(program.stampsTarget == 3 && program.cooldownMinutes == 15 && program.cardColor == nil)
            #expect(try await RewardModel.query(on: app.db).count() == 1)

            // A stamps program needs its reward's words; in French, the words are French.
            let french = try await client.post(
                "/merchant/program?lang=fr", form: Self.form(counter, croissant: croissant, ["loyalty_type": "stamps", "stamps_reward_description": ""]))
            #expect(french.status == .unprocessableEntity)
            #expect(french.htmlLang == "fr")
            #expect(french.text.contains("Décrivez la récompense d'une carte complète"))
        }
    }

    @Test func aChangeThatTouchesIssuedCardsIsShownWithItsCountAndSavedOnlyWhenConfirmed() async throws {
        try await withTestApp { app, _ in
            let (counter, croissant, owner) = try await Self.setUp(app)
            var client = owner
            // Two stamps on the counter's card: a target of 2 hands it a reward at once.
            counter.card.stampCount = 2
            try await counter.card.save(on: app.db)
            let form = Self.form(counter, croissant: croissant, ["stamps_target": "2", "card_name": "Café du Coin"])
            let warning = try await client.post("/merchant/program", form: form)
            #expect(warning.status == .ok)
            #expect(warning.text.contains("This change affects cards already issued"))
            #expect(warning.text.contains("1 cards already hold 2 stamps or more: each will have a reward ready at once."))
            #expect(warning.text.contains("The wallet passes of 1 cards will be updated"))
            #expect(warning.text.contains("id=\"card-preview-title\">Café du Coin<"), "the preview shows the change")
            var program = try await Self.program(app, counter)
            #expect(program.stampsTarget == 3 && program.cardName == nil, "the first submit saves nothing")

            let version = try #require(warning.hiddenField("version"))
            // A confirmation for other values than those warned about is no confirmation.
            var other = Self.form(counter, croissant: croissant, ["stamps_target": "1", "card_name": "Café du Coin"])
            other["version"] = version
            other["confirm"] = "yes"
            #expect(try await client.post("/merchant/program", form: other).status == .ok)
            #expect(try await Self.program(app, counter).stampsTarget == 3)

            var confirmed = form
            confirmed["version"] = version
            confirmed["confirm"] = "yes"
            let saved = try await client.post("/merchant/program", form: confirmed)
            #expect(saved.status == .seeOther)
            program = try await Self.program(app, counter)
            #expect(program.stampsTarget == 2 && program.cardName == "Café du Coin")
        }
    }

    @Test func aStaleConfirmationAfterSomeoneElseChangedTheProgramDoesNotSave() async throws {
        try await withTestApp { app, _ in
            let (counter, croissant, owner) = try await Self.setUp(app)
            var client = owner
            let form = Self.form(counter, croissant: croissant, ["rewards[0][active]": ""])
            let warning = try await client.post("/merchant/program", form: form)
            #expect(warning.text.contains("The wallet passes of 1 cards will be updated"))
            let version = try #require(warning.hiddenField("version"))

            // Meanwhile, someone else makes the croissant dearer.
            try await RewardModel.query(on: app.db).filter(\.$id == croissant.id!).set(\.$pointsCost, to: 200).update()

            var confirmed = form
            confirmed["version"] = version
            confirmed["confirm"] = "yes"
            let stale = try await client.post("/merchant/program", form: confirmed)
            #expect(stale.status == .conflict)
            #expect(stale.text.contains("The program was changed by someone else meanwhile"))
            let reward = try #require(try await RewardModel.find(croissant.id, on: app.db))
            #expect(reward.isActive && reward.pointsCost == 200, "nothing of the stale form was saved")

            // Confirmed again against the program as it now is: saved.
            confirmed["version"] = try #require(stale.hiddenField("version"))
            #expect(try await client.post("/merchant/program", form: confirmed).status == .seeOther)
            #expect(try await RewardModel.find(croissant.id, on: app.db)?.isActive == false)
        }
    }

    @Test func aFormWithoutItsTokenOrWithAnotherMerchantsRewardChangesNothing() async throws {
        try await withTestApp { app, _ in
            let (counter, croissant, owner) = try await Self.setUp(app)
            var client = owner
            let forged = try await client.post("/merchant/program", form: Self.form(counter, croissant: croissant, ["cooldown_minutes": "1"]), csrf: false)
            #expect(forged.status == .forbidden)
            let other = try await Counter.make(in: app, rewards: [("Bagel", 90)])
            let bagel = try #require(try await RewardModel.query(on: app.db).filter(\.$program.$id == other.program.id!).first())
            let stolen = try await client.post(
                "/merchant/program",
                form: Self.form(counter, croissant: croissant, ["rewards[0][id]": bagel.id!.uuidString, "rewards[0][name]": "Mine now"]))
            #expect(stolen.status == .unprocessableEntity)
            #expect(try await RewardModel.find(bagel.id, on: app.db)?.name == "Bagel")
            #expect(try await Self.program(app, counter).cooldownMinutes == 15)
            // The other merchant's program never shows on this owner's page.
            #expect(!(try await client.get("/merchant/program").text.contains("Bagel")))
        }
    }

    @Test func anOwnerWithoutAProgramCreatesOne() async throws {
        try await withTestApp { app, _ in
            let merchant = try await app.makeMerchant("New shop")
            let owner = try await app.makeUser(.merchantOwner, merchant: merchant)
            var client = try await PageClient.signedIn(app, as: owner)
            let page = try await client.get("/merchant/program")
            #expect(page.status == .ok)
            #expect(page.text.contains("Create the program"))
            let created = try await client.post("/merchant/program", form: [
                "loyalty_type": "points", "stamps_target": "10", "points_per_euro": "5", "cooldown_minutes": "0", "max_daily_stamps": "5",
                "rewards[0][name]": "Tea", "rewards[0][points_cost]": "50", "rewards[0][active]": "on", "card_color": "#FFCC00",
            ])
            #expect(created.status == .seeOther)
            let program = try #require(try await ProgramModel.query(on: app.db).filter(\.$merchant.$id == merchant.id!).first())
            #expect(program.loyaltyType == .points && program.pointsPerEuro == 5 && program.cardColor == "#FFCC00")
            let edited = try await client.get("/merchant/program")
            #expect(edited.text.contains("tone-dark"), "dark text on a yellow card")
        }
    }
}
