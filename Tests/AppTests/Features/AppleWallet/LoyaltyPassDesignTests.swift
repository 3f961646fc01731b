import ApplePasses
import Foundation
import LoyaltyCore
import Testing

@testable import App

@Suite("How a loyalty card looks in Apple Wallet")
struct LoyaltyPassDesignTests {
    let design = LoyaltyPassDesign(
        passTypeIdentifier: "pass.test.loyalty", teamIdentifier: "TEST123456", webServiceURL: "https://l.example/api/v1/loyalty/apple")

    func facts(_ type: LoyaltyType, stamps: Int = 7, points: Int = 120) -> LoyaltyPassDesign.Facts {
        LoyaltyPassDesign.Facts(
            identity: ApplePassIdentity(serialNumber: "serial", authenticationToken: "0123456789abcdef0123"),
            merchantName: "Café Lumière", cardName: "Coffee Club", cardColor: "#1A237E", loyaltyType: type, stampsTarget: 10,
            stampsRewardDescription: "Free coffee", stampCount: stamps, pointsBalance: points, memberName: "Ada Lovelace",
            printedCardNumber: "4000 1234 5678 9010", qrToken: "QR-OPAQUE", isActive: true)
    }

    @Test func aStampCardShowsStampsUpFrontAndTheRewardOnTheBack() {
        let pass = design.pass(facts(.stamps, stamps: 23))
        #expect(pass.storeCard.primaryFields.map(\.value) == [.text("23 / 10")])
        #expect(pass.storeCard.headerFields.isEmpty)
        #expect(pass.storeCard.secondaryFields.first { $0.key == "rewards" }?.value == .number(2))
        #expect(pass.storeCard.backFields.first { $0.key == "reward" }?.value == .text("Free coffee"))
        #expect(!pass.storeCard.all.contains { $0.key == "points" })
    }

    @Test func aPointsCardShowsTheBalanceUpFront() {
        let pass = design.pass(facts(.points))
        #expect(pass.storeCard.primaryFields.map(\.value) == [.number(120)])
        #expect(!pass.storeCard.all.contains { $0.key == "stamps" || $0.key == "rewards" })
    }

    @Test func aHybridCardKeepsPointsInTheHeaderWhichShowsWhenPassesAreStacked() {
        let pass = design.pass(facts(.hybrid))
        #expect(pass.storeCard.headerFields.map(\.key) == ["points"])
        #expect(pass.storeCard.primaryFields.map(\.key) == ["stamps"])
    }

    @Test(arguments: LoyaltyType.allCases)
    func everyLayoutKeepsApplesLimits(type: LoyaltyType) {
        let fields = design.pass(facts(type)).storeCard
        let keys = fields.all.map(\.key)
        #expect(keys.count == Set(keys).count, "field keys are unique within a pass")
        #expect(fields.primaryFields.count == 1)
        #expect(fields.headerFields.count <= 3)
        #expect(fields.secondaryFields.count + fields.auxiliaryFields.count <= 4)
        let strings = LoyaltyPassDesign.strings
        for field in fields.all {
            for key in [field.label, field.changeMessage].compactMap({ $0 }) {
                #expect(strings.allSatisfy { $0.entries[key] != nil }, "\(key) is translated in every language")
            }
        }
        for message in fields.all.compactMap(\.changeMessage) {
            #expect(strings.allSatisfy { $0.entries[message]!.contains("%@") }, "\(message) shows the new value")
        }
    }

    @Test func theQRCodeIsTheOpaqueTokenAndTheNumberIsPrintedUnderIt() {
        let pass = design.pass(facts(.stamps))
        #expect(pass.barcodes == [PassJSON.Barcode(qrMessage: "QR-OPAQUE", altText: "4000 1234 5678 9010")])
        #expect(pass.sharingProhibited == true)
        #expect(pass.organizationName == "Café Lumière")
        #expect(pass.logoText == "Coffee Club")
    }

    @Test func coloursComeFromTheProgramWithReadableText() {
        let pass = design.pass(facts(.stamps))
        #expect(pass.backgroundColor == "rgb(26, 35, 126)")
        #expect(pass.foregroundColor == "rgb(255, 255, 255)")
        var plain = facts(.stamps)
        plain.cardColor = nil
        #expect(design.pass(plain).backgroundColor == LoyaltyPassDesign.defaultBackground.css)
    }

    @Test func theWebServiceAndTokenTravelTogetherOrNotAtAll() {
        let withService = design.pass(facts(.stamps))
        #expect(withService.webServiceURL == "https://l.example/api/v1/loyalty/apple")
        #expect(withService.authenticationToken == "0123456789abcdef0123")
        let offline = LoyaltyPassDesign(passTypeIdentifier: "pass.test.loyalty", teamIdentifier: "TEST123456", webServiceURL: nil)
            .pass(facts(.stamps))
        #expect(offline.webServiceURL == nil)
        #expect(offline.authenticationToken == nil)
    }

    @Test func anInactiveCardIsVoided() {
        var inactive = facts(.stamps)
        inactive.isActive = false
        #expect(design.pass(inactive).voided == true)
        #expect(design.pass(facts(.stamps)).voided == nil)
    }
}
