import ApplePasses
import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// What the program editor's template shows: the form's values (as saved, or as typed when the
/// form comes back with errors or a warning), each field's error in the page's words, the
/// warning about issued cards, and the card's preview.
struct ProgramEditorPage: Encodable, Sendable {
    struct Option: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct RewardRow: Encodable, Sendable {
        let index: Int
        let id: String
        let name: String
        let pointsCost: String
        let active: Bool
        /// What it costs the merchant, in euros.
        let cost: String
        var nameError: String?
        var costError: String?
        var merchantCostError: String?
    }

    /// Every field's error, `nil` where the field is right.
    struct Errors: Encodable, Sendable {
        var loyaltyType: String?
        var stampsTarget: String?
        var stampsRewardDescription: String?
        var stampsRewardCost: String?
        var pointsPerEuro: String?
        var cooldownMinutes: String?
        var maxDailyStamps: String?
        var pointsExpirationDays: String?
        var cardName: String?
        var cardColor: String?
        var logoURL: String?
        var rewards: String?
    }

    var isNew = false
    var types: [Option] = []
    var stampsTarget = ""
    var stampsRewardDescription = ""
    var stampsRewardCost = ""
    var pointsPerEuro = ""
    var cooldownMinutes = ""
    var maxDailyStamps = ""
    var requireStaffPin = true
    var pointsExpirationDays = ""
    var cardName = ""
    var cardColor = ""
    var logoURL = ""
    var rewards: [RewardRow] = []
    var errors = Errors()
    /// The summary above the form when something is wrong.
    var error: String?
    var done: String?
    /// What the change does to issued cards, one sentence each; empty: no warning.
    var warnings: [String] = []
    /// The program changed under the owner's confirmation: the warning is shown again.
    var stale = false
    var version = ""
    /// The platform operator's word on PINs, when it overrides the program's.
    var pinPolicyNote: String?
    var preview: CardPreview

    /// Rows offered blank for new rewards.
    static let blankRows = 2
}

/// The card as the wallets show it: the title, the colour with the text colour that reads on
/// it (the passes' rule, `PassColor.readableText`), a stamp grid or a points balance, and the
/// next reward. The template draws it; `program-editor.js` redraws it as the owner types.
struct CardPreview: Encodable, Sendable {
    struct Cell: Encodable, Sendable {
        let filled: Bool
    }

    let title: String
    let monogram: String
    let background: String
    /// `light` text on a dark card, `dark` on a light one.
    let tone: String
    let showsStamps: Bool
    let showsPoints: Bool
    let stampsText: String
    let cells: [Cell]
    let pointsText: String
    let nextReward: String
    let logoHost: String
    /// The passes' colour when the program names none.
    let defaultColor = CardPreview.hex(LoyaltyPassDesign.defaultBackground)

    /// A sample holder: three stamps and 120 points, so the grid and the balance show something.
    static let sampleStamps = 3
    static let samplePoints = 120
    /// Beyond this target the grid would not fit a card: the count alone shows.
    static let maximumCells = 20

    static func hex(_ color: PassColor) -> String { "#" + [color.red, color.green, color.blue].hexEncoded }

    init(merchantName: String, face: ProgramFace) {
        let rules = face.rules
        title = face.cardName ?? merchantName
        monogram = String(title.trimmingCharacters(in: .whitespaces).prefix(1)).uppercased()
        let color = face.cardColor.flatMap(PassColor.init(hex:)) ?? LoyaltyPassDesign.defaultBackground
        background = Self.hex(color)
        tone = color.readableText == .white ? "light" : "dark"
        showsStamps = rules.loyaltyType.collectsStamps
        showsPoints = rules.loyaltyType.collectsPoints
        let target = max(1, rules.stampsTarget)
        let stamps = min(Self.sampleStamps, target)
        stampsText = "\(stamps) / \(target)"
        cells = target <= Self.maximumCells ? (0..<target).map { Cell(filled: $0 < stamps) } : []
        pointsText = "\(Self.samplePoints)"
        let cheapest = face.rewards.filter(\.isActive).min { $0.pointsCost < $1.pointsCost }
        if rules.loyaltyType.collectsStamps, let reward = rules.stampsRewardDescription {
            nextReward = reward
        } else if rules.loyaltyType.collectsPoints, let cheapest {
            nextReward = "\(cheapest.name) · \(cheapest.pointsCost)"
        } else {
            nextReward = ""
        }
        logoHost = face.logoURL.flatMap { URL(string: $0)?.host } ?? ""
    }
}

extension ProgramEditorPage {
    /// The editor filled from a program (saved, or proposed by the form).
    init(face: ProgramFace, merchantName: String, req: Request) {
        let rules = face.rules
        preview = CardPreview(merchantName: merchantName, face: face)
        types = Self.typeOptions(selected: rules.loyaltyType.rawValue, req: req)
        stampsTarget = String(rules.stampsTarget)
        stampsRewardDescription = rules.stampsRewardDescription ?? ""
        stampsRewardCost = face.stampsRewardCostCents.map(Self.euros) ?? ""
        pointsPerEuro = String(rules.pointsPerEuro)
        cooldownMinutes = String(rules.cooldownMinutes)
        maxDailyStamps = String(rules.maxDailyStamps)
        requireStaffPin = rules.requireStaffPin
        pointsExpirationDays = rules.pointsExpirationDays.map(String.init) ?? ""
        cardName = face.cardName ?? ""
        cardColor = face.cardColor ?? ""
        logoURL = face.logoURL ?? ""
        rewards = face.rewards.enumerated().map { index, reward in
            RewardRow(
                index: index, id: reward.id?.uuidString ?? "", name: reward.name, pointsCost: String(reward.pointsCost),
                active: reward.isActive, cost: reward.costCents.map(Self.euros) ?? "")
        }
        appendBlankRows()
    }

    /// The editor showing the form as typed (after an error, or with the warning).
    init(form: ProgramEditorForm, merchantName: String, preview: CardPreview, req: Request) {
        self.preview = preview
        types = Self.typeOptions(selected: form.loyaltyType ?? "", req: req)
        stampsTarget = Self.clip(form.stampsTarget, 12)
        stampsRewardDescription = Self.clip(form.stampsRewardDescription, 500)
        stampsRewardCost = Self.clip(form.stampsRewardCost, 16)
        pointsPerEuro = Self.clip(form.pointsPerEuro, 12)
        cooldownMinutes = Self.clip(form.cooldownMinutes, 12)
        maxDailyStamps = Self.clip(form.maxDailyStamps, 12)
        requireStaffPin = form.requireStaffPin != nil
        pointsExpirationDays = Self.clip(form.pointsExpirationDays, 12)
        cardName = Self.clip(form.cardName, 100)
        cardColor = Self.clip(form.cardColor, 7)
        logoURL = Self.clip(form.logoUrl, 2_000)
        rewards = form.rewardRows.prefix(200).enumerated().map { index, entry in
            RewardRow(
                index: index, id: Self.clip(entry.row.id, 36), name: Self.clip(entry.row.name, 200),
                pointsCost: Self.clip(entry.row.pointsCost, 12), active: entry.row.active != nil, cost: Self.clip(entry.row.cost, 16))
        }
        appendBlankRows()
    }

    mutating func appendBlankRows() {
        let start = rewards.count
        rewards += (start..<start + Self.blankRows).map { RewardRow(index: $0, id: "", name: "", pointsCost: "", active: true, cost: "") }
    }

    /// Puts each of the API's field errors beside its field, in the page's words. `rewards[i]`
    /// are the rows sent, which are the rows shown (blank rows come last and are not sent).
    mutating func show(fieldErrors fields: [String], req: Request) {
        for field in fields {
            switch field {
            case "loyalty_type": errors.loyaltyType = req.t("program.error_loyalty_type")
            case "stamps_target": errors.stampsTarget = req.programText("program.error_stamps_target", Self.range(ProgramRules.stampsTargetRange))
            case "stamps_reward_description": errors.stampsRewardDescription = req.t("program.error_stamps_reward")
            case "stamps_reward_cost_cents": errors.stampsRewardCost = req.t("program.error_money")
            case "points_per_euro":
                errors.pointsPerEuro = req.programText("program.error_number", Self.range(ProgramRules.pointsPerEuroRange))
            case "cooldown_minutes":
                errors.cooldownMinutes = req.programText("program.error_number", Self.range(ProgramRules.cooldownMinutesRange))
            case "max_daily_stamps":
                errors.maxDailyStamps = req.programText("program.error_number", Self.range(ProgramRules.maxDailyStampsRange))
            case "points_expiration_days":
                errors.pointsExpirationDays = req.programText("program.error_expiry", Self.range(ProgramRules.pointsExpirationDaysRange))
            case "card_name": errors.cardName = req.t("program.error_card_name")
            case "card_color": errors.cardColor = req.t("program.error_card_color")
            case "logo_url": errors.logoURL = req.t("program.error_logo_url")
            case "rewards": errors.rewards = req.t("program.error_rewards_type")
            default:
                guard field.hasPrefix("rewards["), let close = field.firstIndex(of: "]"),
                    let index = Int(field[field.index(field.startIndex, offsetBy: 8)..<close]), rewards.indices.contains(index)
                else {
                    errors.rewards = errors.rewards ?? req.t("program.error_rewards")
                    continue
                }
                if field.hasSuffix(".cost_cents") {
                    rewards[index].merchantCostError = req.t("program.error_money")
                } else if field.hasSuffix(".points_cost") {
                    rewards[index].costError = req.programText("program.error_reward_cost", Self.range(RewardTerms.pointsCostRange))
                } else if field.hasSuffix(".name") {
                    rewards[index].nameError = req.t("program.error_reward_name")
                } else {
                    rewards[index].nameError = req.t("program.error_rewards")
                }
            }
        }
        error = req.t("program.error_summary")
    }

    static func typeOptions(selected: String, req: Request) -> [Option] {
        let labels: [LoyaltyType: String] = [.stamps: "program.type_stamps", .points: "program.type_points", .hybrid: "program.type_hybrid"]
        return LoyaltyType.allCases.map { Option(value: $0.rawValue, label: req.t(labels[$0] ?? ""), selected: $0.rawValue == selected) }
    }

    /// Cents as a form field shows euros: `2.40`, with a point, which every language's field takes back.
    static func euros(_ cents: Int) -> String { String(format: "%d.%02d", cents / 100, cents % 100) }

    static func range(_ range: ClosedRange<Int>) -> [String] { [String(range.lowerBound), String(range.upperBound)] }

    static func clip(_ text: String?, _ length: Int) -> String { String((text ?? "").prefix(length)) }
}

extension Request {
    /// A catalog text whose arguments come as a list.
    func programText(_ key: String, _ arguments: [String]) -> String {
        application.catalog.text(key, in: language, arguments)
    }
}
