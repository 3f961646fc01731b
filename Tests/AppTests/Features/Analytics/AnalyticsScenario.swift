import Fluent
import Foundation
import LoyaltyCore
import Testing
import Vapor
import VaporTesting

@testable import App

/// A merchant with two stores whose cards went through every kind of operation: stamps, a
/// stamp reward, points earned and redeemed, a void, a wrong PIN, a store hop, an
/// enrollment at the second store, a second day, and (optionally) the expiry job.
struct AnalyticsScenario {
    let counter: Counter
    let storeB: StoreModel
    let cashierBToken: String
    let pinB: StaffPinModel
    let admin: UserModel
    let adminToken: String
    let enrolledCardID: UUID
    let firstDay: CalendarDate

    static let minute: TimeInterval = 60
    static let luxembourg = TimeZone(identifier: "Europe/Luxembourg")!

    static func make(_ app: Application, _ clock: TestClock, expire: Bool) async throws -> AnalyticsScenario {
        let counter = try await Counter.make(
            in: app,
            rules: ProgramRules(
                loyaltyType: .hybrid, stampsTarget: 3, stampsRewardDescription: "Free coffee", pointsPerEuro: 10, cooldownMinutes: 15,
                maxDailyStamps: 5, requireStaffPin: true, pointsExpirationDays: 30))
        let firstDay = CalendarDate(clock.now, in: luxembourg)!
        let storeB = try await app.makeStore(of: counter.merchant)
        let cashierB = try await app.makeUser(.storeStaff, merchant: counter.merchant, store: storeB)
        let pinB = try await app.makePin("7391", in: storeB, name: "Luc")
        let admin = try await app.makeUser(.platformAdmin)
        let scenario = AnalyticsScenario(
            counter: counter, storeB: storeB, cashierBToken: try await app.token(for: cashierB), pinB: pinB, admin: admin,
            adminToken: try await app.token(for: admin), enrolledCardID: UUID(), firstDay: firstDay)
        let card = counter.cardID.uuidString

        // Three stamps fill the card (target 3): a reward earned, then redeemed.
        for _ in 0..<3 {
            try expectOK(try await app.stamp(counter))
            clock.advance(by: 16 * minute)
        }
        try expectOK(try await app.counterRequest(counter, .POST, "/stamp/redeem", json: ["card_id": .string(card), "staff_pin": .string(Counter.pinCode)]))
        // 200 points, 150 of them for the croissant.
        try expectOK(
            try await app.counterRequest(
                counter, .POST, "/points/earn",
                json: ["card_id": .string(card), "staff_pin": .string(Counter.pinCode), "purchase_amount_cents": .int(2_000)]))
        let reward = try #require(try await RewardModel.query(on: app.db).filter(\.$program.$id == counter.program.id!).first())
        try expectOK(
            try await app.counterRequest(
                counter, .POST, "/points/redeem",
                json: ["card_id": .string(card), "staff_pin": .string(Counter.pinCode), "reward_id": .string(reward.id!.uuidString)]))
        // A stamp given by mistake and voided.
        let mistaken = try await app.stamp(counter)
        try expectOK(mistaken)
        let transactionID = try #require(try mistaken.json["transaction_id"]?.string)
        try expectOK(
            try await app.counterRequest(
                counter, .POST, "/stamp/void",
                json: ["transaction_id": .string(transactionID), "reason": .string("wrong card"), "staff_pin": .string(Counter.pinCode)]))
        // A wrong PIN, counted against the signed-in cashier.
        #expect(try await app.stamp(counter, pin: "0000").status == .forbidden)

        // Sixteen minutes later the same card at store B: a hop.
        clock.advance(by: 16 * minute)
        let atB: HTTPHeaders = [:]
        try expectOK(
            try await app.send(
                .POST, "/api/v1/store/loyalty/stamp", token: scenario.cashierBToken, headers: atB,
                json: ["card_id": .string(card), "staff_pin": .string("7391")]))
        // A new customer enrolls at store B.
        let customer = try await app.makeCustomer(of: counter.merchant, email: "new@customer.test")
        let enrolled = try await app.send(
            .POST, "/api/v1/store/loyalty/cards/enroll", token: scenario.cashierBToken,
            json: ["customer_id": .string(customer.id!.uuidString)])
        #expect(enrolled.status == .created, "\(enrolled.body.string)")
        let enrolledID = try #require(UUID(uuidString: try enrolled.json["id"]?.string ?? ""))
        try expectOK(
            try await app.send(
                .POST, "/api/v1/store/loyalty/points/earn", token: scenario.cashierBToken,
                json: ["card_id": .string(enrolledID.uuidString), "staff_pin": .string("7391"), "purchase_amount_cents": .int(990)]))

        // The next day: one more stamp at store A.
        clock.advance(by: 86_400)
        try expectOK(try await app.stamp(counter))

        if expire {
            clock.advance(by: 31 * 86_400)
            _ = try await app.pointsExpiry.expireAll()
        }
        return AnalyticsScenario(
            counter: counter, storeB: storeB, cashierBToken: scenario.cashierBToken, pinB: pinB, admin: admin,
            adminToken: scenario.adminToken, enrolledCardID: enrolledID, firstDay: firstDay)
    }

    static func expectOK(_ response: TestingHTTPResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == .ok || response.status == .created, "\(response.body.string)", sourceLocation: sourceLocation)
    }

    /// The owner's GET under `/api/v1/merchants/loyalty`.
    func owner(_ app: Application, _ path: String) async throws -> TestingHTTPResponse {
        try await app.send(.GET, "/api/v1/merchants/loyalty" + path, token: counter.ownerToken)
    }
}

/// What the ledger says, computed from its rows without the rollups' rules.
struct LedgerFigures: Equatable {
    var activeCards = 0
    var visits = 0
    var stampsGiven = 0
    var stampsRedeemed = 0
    var stampsVoided = 0
    var pointsGiven = 0
    var pointsRedeemed = 0
    var pointsVoided = 0
    var pointsExpired = 0
    var rewardsRedeemed = 0
    var outstandingStamps = 0
    var outstandingPoints = 0

    static func of(_ rows: [TransactionModel]) -> LedgerFigures {
        var figures = LedgerFigures()
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0.id!, $0) })
        let voided = Set(rows.compactMap(\.voidsTransactionID))
        var activeDays = Set<String>()
        var visitDays = Set<String>()
        for row in rows {
            figures.outstandingStamps += row.stampsDelta
            figures.outstandingPoints += row.pointsDelta
            let key = "\(row.$card.id) \(row.businessDay ?? "")"
            if row.type != .pointsExpired { activeDays.insert(key) }
            if [.stampEarned, .stampRedeemed, .pointsEarned, .pointsRedeemed].contains(row.type) { visitDays.insert(key) }
            let kept = !voided.contains(row.id!)
            switch row.type {
            case .stampEarned where kept: figures.stampsGiven += row.stampsDelta
            case .stampRedeemed where kept:
                figures.stampsRedeemed -= row.stampsDelta
                figures.rewardsRedeemed += 1
            case .pointsEarned where kept: figures.pointsGiven += row.pointsDelta
            case .pointsRedeemed where kept:
                figures.pointsRedeemed -= row.pointsDelta
                figures.rewardsRedeemed += 1
            case .stampVoided: figures.stampsVoided += abs(row.stampsDelta)
            case .pointsVoided: figures.pointsVoided += abs(row.pointsDelta)
            case .pointsExpired: figures.pointsExpired -= row.pointsDelta
            default: break
            }
            _ = byID
        }
        figures.activeCards = activeDays.count
        figures.visits = visitDays.count
        return figures
    }

    init() {}

    init(_ measures: JSONValue, outstandingStamps: Int, outstandingPoints: Int) {
        activeCards = measures["active_cards"]?.int ?? -1
        visits = measures["visits"]?.int ?? -1
        stampsGiven = measures["stamps_given"]?.int ?? -1
        stampsRedeemed = measures["stamps_redeemed"]?.int ?? -1
        stampsVoided = measures["stamps_voided"]?.int ?? -1
        pointsGiven = measures["points_given"]?.int ?? -1
        pointsRedeemed = measures["points_redeemed"]?.int ?? -1
        pointsVoided = measures["points_voided"]?.int ?? -1
        pointsExpired = measures["points_expired"]?.int ?? -1
        rewardsRedeemed = measures["rewards_redeemed"]?.int ?? -1
        self.outstandingStamps = outstandingStamps
        self.outstandingPoints = outstandingPoints
    }
}
