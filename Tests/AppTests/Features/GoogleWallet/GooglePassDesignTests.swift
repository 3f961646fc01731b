import Foundation
import GoogleWallet
import LoyaltyCore
import Testing

@testable import App

@Suite struct GooglePassDesignTests {
    let design = GooglePassDesign(issuerID: "3388000000012345678", fallbackLogoURL: "https://loyalty.example.test/static/icon-512.png")
    let programID = UUID()
    let cardID = UUID()

    func program(_ type: LoyaltyType = .hybrid, rewards: [GooglePassDesign.ProgramFacts.Reward] = []) -> GooglePassDesign.ProgramFacts {
        GooglePassDesign.ProgramFacts(
            programID: programID, merchantName: "Café Lumière", cardName: "Lumière Club", cardColor: "#4F46E5", logoURL: nil,
            configuredClassID: nil, loyaltyType: type, stampsTarget: 10, stampsRewardDescription: "A free coffee", rewards: rewards)
    }

    func card(stamps: Int = 7, points: Int = 120, blocked: Bool = false, language: CustomerLocale = .english) -> GooglePassDesign.CardFacts {
        GooglePassDesign.CardFacts(
            cardID: cardID, printedNumber: "1234 5678 9012 3456", qrToken: "qr-token", holderName: "Ada", language: language,
            stampCount: stamps, pointsBalance: points, isBlocked: blocked)
    }

    @Test func idsAreTheIssuersAndNeverTheCardNumber() {
        #expect(design.objectID(cardID: cardID) == "3388000000012345678.card-\(cardID.uuidString.lowercased())")
        #expect(design.classID(program()) == "3388000000012345678.loyalty-\(programID.uuidString.lowercased())")
        var configured = program()
        configured.configuredClassID = "3388000000012345678.lumiere_club"
        #expect(design.classID(configured) == "3388000000012345678.lumiere_club")
        // Another issuer's class could not hold this issuer's objects.
        configured.configuredClassID = "1111.lumiere"
        #expect(design.classID(configured) == "3388000000012345678.loyalty-\(programID.uuidString.lowercased())")
        #expect(GooglePassDesign.isValidID(design.objectID(cardID: cardID)))
        #expect(!GooglePassDesign.isValidID("3388.card 1"))
    }

    @Test func aHybridCardShowsPointsAndStamps() {
        let object = design.loyaltyObject(card(), program: program())
        #expect(object.state == .active)
        #expect(object.accountId == "1234 5678 9012 3456")
        #expect(object.accountName == "Ada")
        #expect(object.barcode == Barcode(value: "qr-token", alternateText: "1234 5678 9012 3456"))
        #expect(object.loyaltyPoints == LoyaltyPoints(label: "Points", balance: .int(120)))
        #expect(object.secondaryLoyaltyPoints == LoyaltyPoints(label: "Stamps", balance: .string("7/10")))
        #expect(object.messages == nil && object.notifyPreference == nil)
    }

    @Test func aStampCardShowsRewardsReadyAndStampsInTheHoldersLanguage() {
        let object = design.loyaltyObject(card(stamps: 23, language: .french), program: program(.stamps))
        #expect(object.loyaltyPoints == LoyaltyPoints(label: "Récompenses", balance: .int(2)))
        #expect(object.secondaryLoyaltyPoints == LoyaltyPoints(label: "Tampons", balance: .string("23/10")))
    }

    @Test func aPointsCardHasNoStamps() {
        let object = design.loyaltyObject(card(), program: program(.points))
        #expect(object.loyaltyPoints?.balance == .int(120))
        #expect(object.secondaryLoyaltyPoints == nil)
    }

    @Test func aBlockedCardIsInactive() {
        #expect(design.loyaltyObject(card(blocked: true), program: program()).state == .inactive)
    }

    @Test func rewardsReadyCountsFullCardsAndAffordableRewards() {
        let rewards: [GooglePassDesign.ProgramFacts.Reward] = [.init(name: "Espresso", pointsCost: 100), .init(name: "Cake", pointsCost: 250)]
        #expect(design.rewardsReady(card(stamps: 10, points: 120), program: program(.hybrid, rewards: rewards)) == 2)
        #expect(design.rewardsReady(card(stamps: 9, points: 99), program: program(.hybrid, rewards: rewards)) == 0)
        #expect(design.rewardsReady(card(stamps: 20, points: 300), program: program(.stamps, rewards: rewards)) == 2)
        let notice = design.rewardMessage(card(stamps: 10), program: program(.stamps), at: Date(timeIntervalSince1970: 100))
        #expect(notice.header == "Reward earned")
        #expect(notice.body.hasPrefix("A free coffee."))
    }

    @Test func theClassCarriesTheProgramAndNeedsALogo() throws {
        let rewards: [GooglePassDesign.ProgramFacts.Reward] = [.init(name: "Espresso", pointsCost: 100)]
        let loyaltyClass = try #require(design.loyaltyClass(program(rewards: rewards)))
        #expect(loyaltyClass.issuerName == "Café Lumière")
        #expect(loyaltyClass.programName == "Lumière Club")
        #expect(loyaltyClass.reviewStatus == "UNDER_REVIEW")
        #expect(loyaltyClass.hexBackgroundColor == "#4F46E5")
        #expect(loyaltyClass.programLogo.sourceUri.uri == "https://loyalty.example.test/static/icon-512.png")
        #expect(loyaltyClass.textModulesData?.map(\.body) == ["A free coffee", "Espresso: 100 points"])
        let noLogo = GooglePassDesign(issuerID: "3388000000012345678", fallbackLogoURL: nil)
        #expect(noLogo.loyaltyClass(program()) == nil)
        var withLogo = program()
        withLogo.logoURL = "https://cdn.example.com/logo.png"
        #expect(noLogo.loyaltyClass(withLogo)?.programLogo.sourceUri.uri == "https://cdn.example.com/logo.png")
    }

    @Test func theVersionIgnoresTheNotice() throws {
        let plain = design.loyaltyObject(card(), program: program())
        var noticed = plain
        noticed.messages = [design.rewardMessage(card(), program: program(), at: Date())]
        noticed.notifyPreference = "NOTIFY_ON_UPDATE"
        #expect(try GoogleWalletSync.hash(plain) == GoogleWalletSync.hash(noticed))
        #expect(try GoogleWalletSync.hash(plain) != GoogleWalletSync.hash(design.loyaltyObject(card(stamps: 8), program: program())))
    }

    @Test func classIDRule() {
        #expect(ProgramRules.googleClassIDProblem("3388000000012345678.lumiere", issuerID: "3388000000012345678") == nil)
        #expect(ProgramRules.googleClassIDProblem("1234.lumiere", issuerID: "3388000000012345678") != nil)
        #expect(ProgramRules.googleClassIDProblem("lumiere", issuerID: nil) != nil)
        #expect(ProgramRules.googleClassIDProblem("1234.lumi ère", issuerID: nil) != nil)
        #expect(ProgramRules.googleClassIDProblem("1234.lumiere", issuerID: nil) == nil)
    }
}
