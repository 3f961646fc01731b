import Foundation
import GoogleWallet
import LoyaltyCore

/// How a program and a card look in Google Wallet: plain values in, Google's LoyaltyClass and
/// LoyaltyObject out. No database, no HTTP: the rules of the card's face live here.
struct GooglePassDesign: Sendable {
    /// What the class shows: the program as the merchant set it up.
    struct ProgramFacts: Sendable, Equatable {
        var programID: UUID
        var merchantName: String
        var cardName: String?
        var cardColor: String?
        var logoURL: String?
        /// The program's own class id (`google_class_id`), when the merchant was given one.
        var configuredClassID: String?
        var loyaltyType: LoyaltyType
        var stampsTarget: Int
        var stampsRewardDescription: String?
        /// Active points rewards, cheapest first.
        var rewards: [Reward]

        struct Reward: Sendable, Equatable {
            var name: String
            var pointsCost: Int
        }
    }

    /// What the object shows: the card and its holder.
    struct CardFacts: Sendable, Equatable {
        var cardID: UUID
        var printedNumber: String
        var qrToken: String
        var holderName: String?
        var language: CustomerLocale
        var stampCount: Int
        var pointsBalance: Int
        var isBlocked: Bool
    }

    let issuerID: String
    /// The logo a class shows when the program has none: Google needs a public https image.
    let fallbackLogoURL: String?

    /// `<issuer>.loyalty-<program id>`, or the program's configured id when it is one of this
    /// issuer's (an id of another issuer could not hold this issuer's objects).
    func classID(_ program: ProgramFacts) -> String {
        classID(programID: program.programID, configured: program.configuredClassID)
    }

    func classID(programID: UUID, configured: String?) -> String {
        if let configured, configured.hasPrefix(issuerID + "."), Self.isValidID(configured) { return configured }
        return "\(issuerID).loyalty-\(programID.uuidString.lowercased())"
    }

    /// `<issuer>.card-<card id>`: the card's id, not its number, which the customer's phone
    /// would otherwise carry in every save link.
    func objectID(cardID: UUID) -> String {
        "\(issuerID).card-\(cardID.uuidString.lowercased())"
    }

    /// Google's id rule: `issuer.suffix`, the suffix of letters, digits, `.`, `_` and `-`.
    static func isValidID(_ id: String) -> Bool {
        guard let dot = id.firstIndex(of: "."), dot != id.startIndex else { return false }
        let suffix = id[id.index(after: dot)...]
        return !suffix.isEmpty && suffix.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    /// The class; `nil` when no logo can be named (Google requires one).
    func loyaltyClass(_ program: ProgramFacts) -> LoyaltyClass? {
        guard let logo = program.logoURL ?? fallbackLogoURL else { return nil }
        let title = program.cardName ?? program.merchantName
        var loyaltyClass = LoyaltyClass(
            id: classID(program), issuerName: program.merchantName, programName: title,
            programLogo: Image(uri: logo, description: LocalizedString(title, language: "en")))
        loyaltyClass.hexBackgroundColor = program.cardColor
        loyaltyClass.accountIdLabel = "Card number"
        loyaltyClass.accountNameLabel = "Member"
        loyaltyClass.multipleDevicesAndHoldersAllowedStatus = "ONE_USER_ALL_DEVICES"
        var modules: [TextModule] = []
        if program.loyaltyType.collectsStamps, let reward = program.stampsRewardDescription {
            modules.append(TextModule(id: "stamps_reward", header: "\(program.stampsTarget) stamps", body: reward))
        }
        if program.loyaltyType != .stamps, !program.rewards.isEmpty {
            let lines = program.rewards.map { "\($0.name): \($0.pointsCost) points" }
            modules.append(TextModule(id: "points_rewards", header: "Rewards", body: lines.joined(separator: "\n")))
        }
        loyaltyClass.textModulesData = modules.isEmpty ? nil : modules
        return loyaltyClass
    }

    /// The object as it should be now. `message` is the reward notice, when one is due.
    func loyaltyObject(_ card: CardFacts, program: ProgramFacts, message: Message? = nil) -> LoyaltyObject {
        let words = Self.words(card.language)
        var object = LoyaltyObject(id: objectID(cardID: card.cardID), classId: classID(program), state: card.isBlocked ? .inactive : .active)
        object.accountId = card.printedNumber
        // Empty rather than absent: a PATCH leaves out what it does not name, and an erased
        // holder's name must leave Google's copy too.
        object.accountName = card.holderName ?? ""
        object.barcode = Barcode(value: card.qrToken, alternateText: card.printedNumber)
        switch program.loyaltyType {
        case .points, .hybrid:
            object.loyaltyPoints = LoyaltyPoints(label: words.points, balance: .count(card.pointsBalance))
        case .stamps:
            object.loyaltyPoints = LoyaltyPoints(label: words.rewardsReady, balance: .count(rewardsReady(card, program: program)))
        }
        if program.loyaltyType.collectsStamps {
            object.secondaryLoyaltyPoints = LoyaltyPoints(
                label: words.stamps, balance: .string("\(card.stampCount)/\(program.stampsTarget)"))
        }
        object.messages = message.map { [$0] }
        return object
    }

    /// Rewards the holder could take now: full stamp cards, and points rewards within reach.
    func rewardsReady(_ card: CardFacts, program: ProgramFacts) -> Int {
        let rules = ProgramRules(loyaltyType: program.loyaltyType, stampsTarget: program.stampsTarget)
        let stampRewards = program.loyaltyType.collectsStamps ? rules.rewardsAvailable(stampCount: card.stampCount) : 0
        let pointRewards = program.loyaltyType == .stamps ? 0 : program.rewards.filter { $0.pointsCost <= card.pointsBalance }.count
        return stampRewards + pointRewards
    }

    /// The notice shown (and notified, within Google's daily limit) when a reward became ready.
    func rewardMessage(_ card: CardFacts, program: ProgramFacts, at now: Date) -> Message {
        let words = Self.words(card.language)
        let reward =
            program.loyaltyType.collectsStamps && card.stampCount >= program.stampsTarget
            ? program.stampsRewardDescription : program.rewards.last { $0.pointsCost <= card.pointsBalance }?.name
        return Message(
            id: "reward-\(Int(now.timeIntervalSince1970))", header: words.rewardHeader,
            body: reward.map { "\($0). \(words.rewardBody)" } ?? words.rewardBody)
    }

    struct Words {
        let points, stamps, rewardsReady, rewardHeader, rewardBody: String
    }

    /// The object's labels in the holder's language (the class is the merchant's words).
    static func words(_ language: CustomerLocale) -> Words {
        switch language {
        case .english:
            Words(
                points: "Points", stamps: "Stamps", rewardsReady: "Rewards ready", rewardHeader: "Reward earned",
                rewardBody: "Show this card at the counter to redeem it.")
        case .french:
            Words(
                points: "Points", stamps: "Tampons", rewardsReady: "Récompenses", rewardHeader: "Récompense gagnée",
                rewardBody: "Présentez cette carte en caisse pour en profiter.")
        case .german:
            Words(
                points: "Punkte", stamps: "Stempel", rewardsReady: "Prämien bereit", rewardHeader: "Prämie verdient",
                rewardBody: "Zeigen Sie diese Karte an der Kasse, um sie einzulösen.")
        case .luxembourgish:
            Words(
                points: "Punkten", stamps: "Stempelen", rewardsReady: "Belounungen", rewardHeader: "Belounung verdéngt",
                rewardBody: "Weist dës Kaart un der Keess, fir se anzeléisen.")
        }
    }
}
