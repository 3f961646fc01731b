import ApplePasses
import Foundation
import LoyaltyCore

/// How a loyalty card looks in Apple Wallet: plain values in, `pass.json` and the label
/// translations out. No database, no HTTP: the rules of the card's face live here.
struct LoyaltyPassDesign: Sendable {
    /// What the pass shows, gathered from the card, its program, merchant and holder.
    struct Facts: Sendable, Hashable {
        var identity: ApplePassIdentity
        var merchantName: String
        var cardName: String?
        var cardColor: String?
        var loyaltyType: LoyaltyType
        var stampsTarget: Int
        var stampsRewardDescription: String?
        var stampCount: Int
        var pointsBalance: Int
        var memberName: String?
        var printedCardNumber: String
        var qrToken: String
        var isActive: Bool
    }

    /// The default card colour: a dark slate that white text reads well on.
    static let defaultBackground = PassColor(red: 60, green: 65, blue: 76)

    let passTypeIdentifier: String
    let teamIdentifier: String
    /// Present only with an https public URL; the token travels with it or not at all.
    let webServiceURL: String?

    func pass(_ facts: Facts) -> PassJSON {
        let title = facts.cardName ?? facts.merchantName
        var pass = PassJSON(
            passTypeIdentifier: passTypeIdentifier, serialNumber: facts.identity.serialNumber, teamIdentifier: teamIdentifier,
            organizationName: facts.merchantName, description: "\(title) loyalty card",
            barcodes: [.init(qrMessage: facts.qrToken, altText: facts.printedCardNumber)], storeCard: fields(facts))
        pass.logoText = title
        if let webServiceURL {
            pass.webServiceURL = webServiceURL
            pass.authenticationToken = facts.identity.authenticationToken
        }
        let background = facts.cardColor.flatMap(PassColor.init(hex:)) ?? Self.defaultBackground
        pass.backgroundColor = background.css
        pass.foregroundColor = background.readableText.css
        pass.labelColor = background.readableLabel.css
        pass.voided = facts.isActive ? nil : true
        // The QR code is the card: a shared pass would let someone else collect on it.
        pass.sharingProhibited = true
        return pass
    }

    /// Stamps take the primary field (the big one); points sit in the header, which shows
    /// even when passes are stacked, or take the primary field on a points-only card.
    func fields(_ facts: Facts) -> PassJSON.Fields {
        var fields = PassJSON.Fields()
        let rules = ProgramRules(loyaltyType: facts.loyaltyType, stampsTarget: facts.stampsTarget)
        let stamps = PassJSON.Field(
            key: "stamps", label: "stamps_label", value: .text("\(facts.stampCount) / \(facts.stampsTarget)"),
            changeMessage: "stamps_changed")
        let points = PassJSON.Field(
            key: "points", label: "points_label", value: .number(facts.pointsBalance), changeMessage: "points_changed",
            textAlignment: "PKTextAlignmentRight")
        switch facts.loyaltyType {
        case .stamps:
            fields.primaryFields = [stamps]
        case .points:
            fields.primaryFields = [points]
        case .hybrid:
            fields.headerFields = [points]
            fields.primaryFields = [stamps]
        }
        if let member = facts.memberName {
            fields.secondaryFields.append(.init(key: "member", label: "member_label", value: .text(member)))
        }
        if facts.loyaltyType.collectsStamps {
            fields.secondaryFields.append(
                .init(
                    key: "rewards", label: "rewards_label", value: .number(rules.rewardsAvailable(stampCount: facts.stampCount)),
                    changeMessage: "rewards_changed", textAlignment: "PKTextAlignmentRight"))
            if let reward = facts.stampsRewardDescription {
                fields.backFields.append(.init(key: "reward", label: "reward_label", value: .text(reward)))
            }
        }
        fields.backFields.append(.init(key: "card_number", label: "card_number_label", value: .text(facts.printedCardNumber)))
        return fields
    }

    /// The labels and change messages in the languages of the product's pages. English also
    /// serves as the fallback for any other device language.
    static let strings: [PassStrings] = [
        PassStrings(language: "en", entries: [
            "stamps_label": "Stamps", "points_label": "Points", "member_label": "Member", "rewards_label": "Rewards ready",
            "reward_label": "Reward", "card_number_label": "Card number",
            "stamps_changed": "Stamps: %@", "points_changed": "You now have %@ points", "rewards_changed": "Rewards ready: %@",
        ]),
        PassStrings(language: "fr", entries: [
            "stamps_label": "Tampons", "points_label": "Points", "member_label": "Membre", "rewards_label": "Récompenses",
            "reward_label": "Récompense", "card_number_label": "Numéro de carte",
            "stamps_changed": "Tampons : %@", "points_changed": "Vous avez maintenant %@ points",
            "rewards_changed": "Récompenses disponibles : %@",
        ]),
        PassStrings(language: "de", entries: [
            "stamps_label": "Stempel", "points_label": "Punkte", "member_label": "Mitglied", "rewards_label": "Prämien bereit",
            "reward_label": "Prämie", "card_number_label": "Kartennummer",
            "stamps_changed": "Stempel: %@", "points_changed": "Sie haben jetzt %@ Punkte", "rewards_changed": "Prämien bereit: %@",
        ]),
        PassStrings(language: "lb", entries: [
            "stamps_label": "Stempelen", "points_label": "Punkten", "member_label": "Member", "rewards_label": "Belounungen",
            "reward_label": "Belounung", "card_number_label": "Kaartennummer",
            "stamps_changed": "Stempelen: %@", "points_changed": "Dir hutt elo %@ Punkten", "rewards_changed": "Belounungen: %@",
        ]),
    ]
}
