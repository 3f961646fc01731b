import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// `/store/terminal` through the app: the card by number and by QR payload, each operation
/// and each refusal in words, idempotent double posts, amounts, voids, tenants.
@Suite struct TerminalPageTests {
    /// A counter (hybrid program: 3 stamps for "Free coffee", 10 points per euro, a Croissant
    /// for 150 points, 15 minutes of cooldown, 5 stamps a day) and its cashier's browser.
    static func counter(
        _ app: Application,
        rules: ProgramRules = ProgramRules(
            loyaltyType: .hybrid, stampsTarget: 3, stampsRewardDescription: "Free coffee", pointsPerEuro: 10, cooldownMinutes: 15,
            maxDailyStamps: 5, requireStaffPin: true)
    ) async throws -> (Counter, PageClient) {
        let counter = try await Counter.make(in: app, rules: rules)
        return (counter, try await PageClient.signedIn(app, as: counter.cashier))
    }

    /// The card's page, and the idempotency keys its operation and void forms carry.
    static func open(_ client: inout PageClient, _ counter: Counter, lang: String? = nil) async throws -> TestingHTTPResponse {
        try await client.get("/store/terminal?card=\(counter.card.cardNumber)" + (lang.map { "&lang=\($0)" } ?? ""))
    }

    static func key(in page: TestingHTTPResponse, form: String = "data-operation-form") throws -> String {
        let text = page.text
        let start = try #require(text.range(of: form))
        let rest = text[start.upperBound...]
        let field = try #require(rest.range(of: "name=\"idempotency_key\" value=\""))
        return String(rest[field.upperBound...].prefix { $0 != "\"" })
    }

    static func operation(
        _ client: inout PageClient, _ counter: Counter, _ operation: String, extra: [String: String] = [:], path: String = "/store/terminal"
    ) async throws -> TestingHTTPResponse {
        let page = try await open(&client, counter)
        let form = ["card": counter.card.cardNumber, "operation": operation, "pin": Counter.pinCode, "idempotency_key": try key(in: page)]
        return try await client.post(path, form: form.merging(extra) { _, new in new })
    }

    static func rows(_ app: Application, _ counter: Counter, _ type: TransactionType? = nil) async throws -> [TransactionModel] {
        let query = TransactionModel.query(on: app.db).filter(\.$card.$id == counter.cardID)
        if let type { query.filter(\.$type == type) }
        return try await query.all()
    }

    static func balance(_ page: TestingHTTPResponse, _ kind: String) -> String? {
        let text = page.text
        guard let range = text.range(of: "data-balance=\"\(kind)\">") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "<" })
    }

    static func doneLine(_ page: TestingHTTPResponse) -> String? {
        let text = page.text
        guard let range = text.range(of: "class=\"done-line\">") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "<" })
    }

    static func clock(_ date: Date) -> String {
        RefusalWording.clockTime(date, timeZone: TimeZone(identifier: "Europe/Luxembourg")!)
    }

    @Test func theTerminalIsForTheStoresStaffWithTheFixedFields() async throws {
        try await withTestApp { app, _ in
            let (counter, cashier) = try await Self.counter(app)
            var client = cashier
            let empty = try await client.get("/store/terminal")
            #expect(empty.status == .ok)
            #expect(empty.text.contains("name=\"card\""))
            #expect(empty.text.contains("terminal.webmanifest"))
            let page = try await Self.open(&client, counter)
            for fixed in ["name=\"pin\"", "name=\"amount\"", "value=\"stamp\"", "value=\"points_earn\"", "data-balance=\"points\">0<"] {
                #expect(page.text.contains(fixed), "\(fixed)")
            }
            // Not yet enough stamps or points: those buttons wait until the card can.
            #expect(!page.text.contains("value=\"stamp_redeem\""))
            #expect(!page.text.contains("value=\"points_redeem\""))

            var anonymous = PageClient(app)
            let signIn = try await anonymous.get("/store/terminal")
            #expect(signIn.status == .seeOther)
            #expect(signIn.location?.hasPrefix("/login?next=") == true)

            var owner = try await PageClient.signedIn(app, as: counter.owner)
            let picked = try await owner.get("/store/terminal?store=\(counter.store.id!.uuidString)&card=\(counter.card.cardNumber)")
            #expect(picked.status == .ok)
            #expect(Self.balance(picked, "stamps") == "0")
        }
    }

    @Test func theCardIsFoundByNumberOrQRPayloadAndAnUnknownOneIsSaidInWords() async throws {
        try await withTestApp { app, _ in
            let (counter, cashier) = try await Self.counter(app)
            var client = cashier
            let spaced = CardNumber(counter.card.cardNumber)!.formatted.replacingOccurrences(of: " ", with: "%20")
            for card in [spaced, counter.card.qrToken] {
                let page = try await client.get("/store/terminal?card=\(card)")
                #expect(page.status == .ok)
                #expect(Self.balance(page, "stamps") == "0")
                #expect(page.text.contains("Customer"))
                #expect(page.text.contains("A stamp is possible now (0 of 5 today)."))
                #expect(page.alertText == nil)
            }
            let unknown = try await client.get("/store/terminal?card=not-a-card")
            #expect(unknown.status == .notFound)
            #expect(unknown.alertText?.hasPrefix("No card with this number or code here.") == true)
            var mistyped = counter.card.cardNumber
            let last = mistyped.removeLast()
            mistyped.append(last == "0" ? "1" : "0")
            let typo = try await client.get("/store/terminal?card=\(mistyped)")
            #expect(typo.alertText == "This card number is mistyped: check the 16 digits.")
        }
    }

    @Test func aStampIsSaidInOneLineThenTheCooldownIsShownBeforeAndRefusedInFrench() async throws {
        try await withTestApp { app, clock in
            let (counter, cashier) = try await Self.counter(app)
            var client = cashier
            let stamped = try await Self.operation(&client, counter, "stamp")
            #expect(stamped.status == .seeOther)
            let location = try #require(stamped.location)
            let row = try #require(try await Self.rows(app, counter, .stampEarned).first)
            #expect(location == "/store/terminal?card=\(counter.card.cardNumber)&done=\(row.id!.uuidString)")
            #expect(row.userID == counter.cashier.id)
            #expect(row.staffPinID == counter.pin.id)

            let done = try await client.get(location)
            #expect(Self.doneLine(done) == "Stamp added: 1 of 3 — 2 more for: Free coffee.")
            #expect(Self.balance(done, "stamps") == "1")
            let next = Self.clock(clock.now.addingTimeInterval(15 * 60))
            #expect(done.text.contains("Next stamp possible at \(next)."))
            #expect(done.text.contains("data-clear-after"))

            clock.advance(by: 60)
            let page = try await Self.open(&client, counter, lang: "fr")
            #expect(page.htmlLang == "fr")
            let refused = try await client.post(
                "/store/terminal?lang=fr",
                form: ["card": counter.card.cardNumber, "operation": "stamp", "pin": Counter.pinCode, "idempotency_key": try Self.key(in: page)])
            #expect(refused.status == .conflict)
            #expect(refused.htmlLang == "fr")
            #expect(refused.alertText == "Cette carte vient d'être tamponnée. Prochain tampon possible à \(next).")
            #expect(Self.balance(refused, "stamps") == "1")
            #expect(try await Self.rows(app, counter).count == 1)
        }
    }

    @Test func theSamePostTwiceIsOneLedgerRow() async throws {
        try await withTestApp { app, _ in
            let (counter, cashier) = try await Self.counter(app)
            var client = cashier
            let page = try await Self.open(&client, counter)
            let form = ["card": counter.card.cardNumber, "operation": "stamp", "pin": Counter.pinCode, "idempotency_key": try Self.key(in: page)]
            let first = try await client.post("/store/terminal", form: form)
            let second = try await client.post("/store/terminal", form: form)
            #expect(first.status == .seeOther)
            #expect(second.status == .seeOther)
            #expect(first.location == second.location)
            #expect(try await Self.rows(app, counter).count == 1)
            // A new page is a new intended operation: a new key (and here, the cooldown).
            #expect(try Self.key(in: try await Self.open(&client, counter)) != form["idempotency_key"])

            let earn = try await Self.open(&client, counter)
            let points = ["card": counter.card.cardNumber, "operation": "points_earn", "amount": "3,00", "pin": Counter.pinCode,
                "idempotency_key": try Self.key(in: earn)]
            _ = try await client.post("/store/terminal", form: points)
            _ = try await client.post("/store/terminal", form: points)
            #expect(try await Self.rows(app, counter, .pointsEarned).count == 1)
            #expect(try await CardModel.find(counter.cardID, on: app.db)?.pointsBalance == 30)
        }
    }

    @Test func pointsFromAnAmountWithACommaAreExactCents() async throws {
        try await withTestApp { app, _ in
            let (counter, cashier) = try await Self.counter(app)
            var client = cashier
            let earned = try await Self.operation(&client, counter, "points_earn", extra: ["amount": "12,50"])
            #expect(earned.status == .seeOther)
            let row = try #require(try await Self.rows(app, counter, .pointsEarned).first)
            #expect(row.purchaseAmountCents == 1250)
            #expect(row.pointsDelta == 125)
            let more = try await Self.operation(&client, counter, "points_earn", extra: ["amount": "120.00"])
            let done = try await client.get(try #require(more.location))
            #expect(Self.doneLine(done) == "+1,200 points, 1,325 in total.")
            #expect(Self.balance(done, "points") == "1325")
            #expect(done.text.contains("Enough points for: Croissant."))
        }
    }

    @Test(arguments: [
        ("-5", "The amount cannot be negative."), ("12.505", "At most two decimals: 12.50, not 12.505."),
        ("douze", "This is not an amount. Write it like 12.50 or 12,50."), ("", "Type the purchase amount in euros, for example 12.50."),
        ("2000000", "The amount must be from 0.01 to 1,000,000 euros."),
    ])
    func aBadAmountIsSaidAndChangesNothing(amount: String, words: String) async throws {
        try await withTestApp { app, _ in
            let (counter, cashier) = try await Self.counter(app)
            var client = cashier
            let refused = try await Self.operation(&client, counter, "points_earn", extra: ["amount": amount])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.alertText == words)
            #expect(Self.balance(refused, "points") == "0")
            #expect(try await Self.rows(app, counter).isEmpty)
        }
    }

    @Test func aRewardIsRedeemedWithPointsAndStampsAndNotEnoughIsSaid() async throws {
        try await withTestApp { app, clock in
            let (counter, cashier) = try await Self.counter(app)
            var client = cashier
            _ = try await Self.operation(&client, counter, "points_earn", extra: ["amount": "20"])
            let page = try await Self.open(&client, counter)
            let reward = try #require(try await RewardModel.query(on: app.db).filter(\.$program.$id == counter.program.id!).first())
            #expect(page.text.contains("formaction=\"/store/terminal?reward=\(reward.id!.uuidString)\""))
            let redeemed = try await Self.operation(&client, counter, "points_redeem", path: "/store/terminal?reward=\(reward.id!.uuidString)")
            #expect(redeemed.status == .seeOther)
            let done = try await client.get(try #require(redeemed.location))
            #expect(Self.doneLine(done) == "Reward redeemed: Croissant — 50 points left.")
            #expect(done.text.contains("Not enough points for a reward yet."))
            let short = try await Self.operation(&client, counter, "points_redeem", extra: ["reward": reward.id!.uuidString])
            #expect(short.status == .conflict)
            #expect(short.alertText == "Not enough points: the card has 50, 150 are needed.")

            for _ in 0..<3 {
                _ = try await Self.operation(&client, counter, "stamp")
                clock.advance(by: 16 * 60)
            }
            let full = try await Self.open(&client, counter)
            #expect(full.text.contains("Reward ready: Free coffee."))
            let given = try await Self.operation(&client, counter, "stamp_redeem")
            let after = try await client.get(try #require(given.location))
            #expect(Self.doneLine(after) == "Reward given: Free coffee — 0 of 3 stamps left.")
            #expect(Self.balance(after, "stamps") == "0")
        }
    }

    @Test func aWrongPinSaysTheAttemptsLeftAndALockSaysWhenItOpens() async throws {
        try await withTestApp { app, clock in
            let (counter, cashier) = try await Self.counter(app)
            var client = cashier
            let wrong = try await Self.operation(&client, counter, "stamp", extra: ["pin": "0000"])
            #expect(wrong.alertText == "Wrong PIN. 4 attempts left before PIN entry locks.")
            var last = wrong
            for _ in 0..<4 { last = try await Self.operation(&client, counter, "stamp", extra: ["pin": "0000"]) }
            let unlocks = Self.clock(clock.now.addingTimeInterval(30 * 60))
            let locked = try await Self.operation(&client, counter, "stamp")
            #expect(
                locked.alertText == "PIN entry is locked after too many wrong PINs. It unlocks at \(unlocks), or a manager unlocks it.",
                "\(last.alertText ?? "")")
            #expect(try await Self.rows(app, counter).isEmpty)
        }
    }

    @Test func theDailyLimitIsShownBeforeTheTapAndRefused() async throws {
        try await withTestApp { app, _ in
            let rules = ProgramRules(
                loyaltyType: .stamps, stampsTarget: 10, stampsRewardDescription: "Free coffee", cooldownMinutes: 0, maxDailyStamps: 2)
            let (counter, cashier) = try await Self.counter(app, rules: rules)
            var client = cashier
            _ = try await Self.operation(&client, counter, "stamp")
            _ = try await Self.operation(&client, counter, "stamp")
            let page = try await Self.open(&client, counter)
            #expect(page.text.contains("2 of 2 stamps today: the next one from 00:00."))
            // A stamps program offers no points operations.
            #expect(!page.text.contains("name=\"amount\""))
            let refused = try await Self.operation(&client, counter, "stamp")
            #expect(refused.alertText == "2 of 2 stamps today: no more stamps until 00:00.")
            #expect(try await Self.rows(app, counter).count == 2)
        }
    }

    @Test func theLastOperationsCanBeVoidedAndTheBalanceComesBack() async throws {
        try await withTestApp { app, clock in
            let (counter, cashier) = try await Self.counter(app)
            var client = cashier
            _ = try await Self.operation(&client, counter, "points_earn", extra: ["amount": "5"])
            let stamped = try await Self.operation(&client, counter, "stamp")
            let page = try await client.get(try #require(stamped.location))
            let stamp = try #require(try await Self.rows(app, counter, .stampEarned).first)
            #expect(page.text.contains("name=\"transaction_id\" value=\"\(stamp.id!.uuidString)\""))

            let form = ["card": counter.card.cardNumber, "transaction_id": stamp.id!.uuidString, "pin": Counter.pinCode,
                "idempotency_key": try Self.key(in: page, form: "data-void-form")]
            let voided = try await client.post("/store/terminal/void", form: form)
            #expect(voided.status == .seeOther)
            _ = try await client.post("/store/terminal/void", form: form)  // a double tap
            #expect(try await Self.rows(app, counter, .stampVoided).count == 1)
            let after = try await client.get(try #require(voided.location))
            #expect(Self.balance(after, "stamps") == "0")
            #expect(Self.balance(after, "points") == "50")
            #expect(Self.doneLine(after) == "Cancelled: the card has 0 of 3 stamps again.")
            #expect(after.text.contains("Cancelled</span>"))

            // Tomorrow the row is outside a cashier's window (today only): refused in words.
            clock.advance(by: 86_400)
            client = try await PageClient.signedIn(app, as: counter.cashier)  // yesterday's session has timed out
            let points = try #require(try await Self.rows(app, counter, .pointsEarned).first)
            let late = try await client.post(
                "/store/terminal/void",
                form: ["card": counter.card.cardNumber, "transaction_id": points.id!.uuidString, "pin": Counter.pinCode, "idempotency_key": "late"])
            #expect(late.status == .forbidden)
            #expect(late.alertText == "A cashier can cancel only today's operations. Ask a manager.")
            #expect(try await Self.rows(app, counter, .pointsVoided).isEmpty)
            // Yesterday's operations are no longer this terminal's last ones.
            #expect(!(try await Self.open(&client, counter)).text.contains("data-void-form"))
        }
    }

    @Test func aPostWithoutTheFormTokenChangesNothing() async throws {
        try await withTestApp { app, _ in
            let (counter, cashier) = try await Self.counter(app)
            var client = cashier
            let page = try await Self.open(&client, counter)
            let forged = try await client.post(
                "/store/terminal",
                form: ["card": counter.card.cardNumber, "operation": "stamp", "pin": Counter.pinCode, "idempotency_key": try Self.key(in: page)],
                csrf: false)
            #expect(forged.status == .forbidden)
            let stamp = try await Self.operation(&client, counter, "stamp")
            let row = try #require(try await Self.rows(app, counter).first)
            let forgedVoid = try await client.post(
                "/store/terminal/void", form: ["transaction_id": row.id!.uuidString, "pin": Counter.pinCode], csrf: false)
            #expect(forgedVoid.status == .forbidden)
            #expect(stamp.status == .seeOther)
            #expect(try await Self.rows(app, counter).count == 1)
        }
    }

    @Test func anotherTenantsCardIsNotFoundAndNeverShown() async throws {
        try await withTestApp { app, _ in
            let (counter, cashier) = try await Self.counter(app)
            let other = try await Counter.make(in: app)
            var client = cashier
            for card in [other.card.cardNumber, other.card.qrToken] {
                let page = try await client.get("/store/terminal?card=\(card)")
                #expect(page.status == .notFound)
                #expect(!page.text.contains("data-balance"))
                #expect(!page.text.contains("value=\"\(other.card.cardNumber)\""))
                let posted = try await client.post(
                    "/store/terminal", form: ["card": card, "operation": "stamp", "pin": Counter.pinCode, "idempotency_key": "k-\(card.prefix(8))"])
                #expect(posted.status == .notFound)
                #expect(posted.alertText?.hasPrefix("No card with this number or code here.") == true)
                #expect(!posted.text.contains(card))
            }
            #expect(try await TransactionModel.query(on: app.db).filter(\.$card.$id == other.cardID).count() == 0)
            _ = counter
        }
    }

    @Test func aBlockedCardSaysSoAndOffersNoOperation() async throws {
        try await withTestApp { app, _ in
            let (counter, cashier) = try await Self.counter(app)
            var client = cashier
            let card = try #require(try await CardModel.find(counter.cardID, on: app.db))
            card.blockedAt = Date()
            card.blockedReason = "lost"
            try await card.save(on: app.db)
            let page = try await Self.open(&client, counter)
            #expect(page.alertText == "This card is blocked. Ask a manager.")
            #expect(!page.text.contains("name=\"operation\""))
            let refused = try await Self.operation(&client, counter, "stamp")
            #expect(refused.status == .conflict)
            #expect(try await Self.rows(app, counter).isEmpty)
        }
    }

    @Test func theTerminalSpeaksEachLanguage() async throws {
        try await withTestApp { app, _ in
            let (counter, cashier) = try await Self.counter(app)
            var client = cashier
            for (lang, words) in [("fr", "Scannez la carte"), ("de", "Karte scannen"), ("lb", "Kaart scannen"), ("en", "Scan the card")] {
                let page = try await Self.open(&client, counter, lang: lang)
                #expect(page.htmlLang == lang)
                #expect(page.text.contains(words))
            }
        }
    }
}
