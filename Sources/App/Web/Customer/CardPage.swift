import Fluent
import Foundation
import LoyaltyCore
import QRCodes
import Vapor

/// The card as its holder sees it, for `card.leaf`: the same page behind a private link
/// (`/card/{link_token}`) and for a signed-in customer (`/customer/card`). Everything is
/// formatted here, in the page's language; the template only places it.
struct CardPage: Encodable, Sendable {
    struct Reward: Encodable, Sendable {
        let name: String
        let cost: String
        let reachable: Bool
        /// "Within reach" or "40 more points".
        let status: String
    }

    struct HistoryLine: Encodable, Sendable {
        /// "Stamp · Café Lumière Gare"
        let what: String
        /// "14:05", or "28 Nov, 14:05" for an earlier day.
        let when: String
        /// "+1 stamp", "−150 points"; empty when nothing moved.
        let change: String
        let isGain: Bool
    }

    let programName: String
    let merchantName: String
    /// The program's card colour (`#RRGGBB`), drawn as an SVG `fill` (no inline styles).
    let color: String
    /// `ink-light` on a dark colour, `ink-dark` on a light one.
    let inkClass: String
    let initial: String
    /// The card's `qr_code_data` as an inline `<svg>` (server-drawn, escaped label).
    let qrSVG: String
    let cardNumber: String

    let hasStamps: Bool
    let stampCount: Int
    let stampsTarget: Int
    /// One entry per stamp toward the next reward: filled or not (none past `maximumSlots`:
    /// the progress bar says it alone).
    let stampSlots: [Bool]
    let stampsInRound: Int
    let stampsLine: String
    let stampsHint: String
    let rewardsReady: Int
    let rewardReadyLine: String

    let hasPoints: Bool
    let pointsBalance: Int
    let rewards: [Reward]

    let history: [HistoryLine]
    /// The `.pkpass` address the API gives; empty when Apple Wallet is not configured.
    let applePassURL: String
    let googleSaveURL: String
    /// Where the invitation to create an account leads; empty for a signed-in customer.
    let registerURL: String

    static let defaultColor = "#1f3a5f"
    static let historyLength = 10
    static let maximumSlots = 20

    static func load(_ card: CardModel, req: Request, signedIn: Bool) async throws -> CardPage {
        let program = try await PublicProgramResponse.load(merchantID: card.$merchant.id, activeOnly: false, on: req.db)
        let merchant = try await MerchantModel.find(card.$merchant.id, on: req.db)
        let stores = try await StoreModel.query(on: req.db).filter(\.$merchant.$id == card.$merchant.id).all()
        let lineage = try await CardLineage.cardIDs(endingAt: card, on: req.db)
        let rows = try await TransactionModel.query(on: req.db)
            .filter(\.$card.$id ~~ lineage)
            .sort(\.$recordedAtMilliseconds, .descending)
            .sort(\.$sequence, .descending)
            .limit(historyLength)
            .all()
        let enrolledAt = stores.first { $0.id == card.$enrolledStore.id } ?? stores.first
        let wallet = try await WalletLinks.of(card, on: req.application, database: req.db)
        return try CardPage(
            card: card, program: program, merchantName: merchant?.name ?? "", stores: stores, history: rows,
            applePassURL: wallet.applePassUrl, googleSaveURL: wallet.googleSaveUrl,
            registerURL: signedIn ? "" : "/customer/register?store=" + (enrolledAt?.code ?? "").urlQueryEncoded,
            req: req)
    }

    init(
        card: CardModel, program: PublicProgramResponse, merchantName: String, stores: [StoreModel], history: [TransactionModel],
        applePassURL: String?, googleSaveURL: String?, registerURL: String, req: Request
    ) throws {
        let name = program.cardName?.trimmingCharacters(in: .whitespaces) ?? ""
        programName = name.isEmpty ? merchantName : name
        self.merchantName = merchantName
        color = Self.safeColor(program.cardColor)
        inkClass = Self.isDark(color) ? "ink-light" : "ink-dark"
        initial = String(programName.first.map(String.init)?.uppercased() ?? "★")
        qrSVG = try QRCode(encoding: card.qrToken).svg(label: req.t("customer.qr_label"))
        cardNumber = card.printedNumber

        let rules = ProgramRules(loyaltyType: program.loyaltyType, stampsTarget: program.stampsTarget)
        let target = max(1, program.stampsTarget)
        hasStamps = program.loyaltyType.collectsStamps
        stampCount = card.stampCount
        stampsTarget = target
        let ready = rules.rewardsAvailable(stampCount: card.stampCount)
        let inRound = card.stampCount - ready * target
        rewardsReady = ready
        stampsInRound = inRound
        stampSlots = target > Self.maximumSlots ? [] : (0..<target).map { $0 < inRound }
        let reward = program.stampsRewardDescription ?? req.t("customer.stamps_reward_default")
        stampsLine = req.t("customer.stamps_of", String(stampsInRound), String(target))
        stampsHint = req.t("customer.stamps_to_go", String(target - stampsInRound), reward)
        rewardReadyLine = rewardsReady > 0 ? req.t("customer.reward_ready", reward) : ""

        hasPoints = program.loyaltyType.collectsPoints
        pointsBalance = card.pointsBalance
        rewards = program.rewards.sorted { $0.pointsCost < $1.pointsCost }.map { reward in
            let reachable = card.pointsBalance >= reward.pointsCost
            return Reward(
                name: reward.name, cost: req.t("customer.points_cost", Self.number(reward.pointsCost, req.language)), reachable: reachable,
                status: reachable
                    ? req.t("customer.within_reach")
                    : req.t("customer.points_to_go", Self.number(reward.pointsCost - card.pointsBalance, req.language)))
        }

        let storesByID = Dictionary(stores.compactMap { store in store.id.map { ($0, store) } }, uniquingKeysWith: { first, _ in first })
        let now = req.application.clock()
        self.history = history.map { row in
            let store = row.storeID.flatMap { storesByID[$0] }
            let timeZone = store.flatMap { TimeZone(identifier: $0.timezone) } ?? TimeZone(identifier: "Europe/Luxembourg") ?? .gmt
            var what = req.t(Self.historyKey(row.type))
            if let store { what += " · " + store.name }
            return HistoryLine(
                what: what, when: Self.moment(row.createdAt, now: now, timeZone: timeZone, language: req.language),
                change: Self.change(stamps: row.stampsDelta, points: row.pointsDelta, req: req),
                isGain: row.stampsDelta > 0 || row.pointsDelta > 0)
        }
        self.applePassURL = applePassURL ?? ""
        self.googleSaveURL = googleSaveURL ?? ""
        self.registerURL = registerURL
    }

    /// A colour the merchant chose, if it is one (`#RGB` or `#RRGGBB`), as `#rrggbb`.
    static func safeColor(_ value: String?) -> String {
        guard let value, ProgramRules.colorProblem(value) == nil else { return defaultColor }
        let hex = value.dropFirst().lowercased()
        return "#" + (hex.count == 3 ? hex.map { "\($0)\($0)" }.joined() : hex)
    }

    /// Whether white text reads better than near-black on `color` (WCAG relative luminance).
    static func isDark(_ color: String) -> Bool {
        let hex = Array(color.dropFirst())
        guard hex.count == 6 else { return true }
        let channels = stride(from: 0, to: 6, by: 2).map { index -> Double in
            let value = Double(Int(String(hex[index...index + 1]), radix: 16) ?? 0) / 255
            return value <= 0.03928 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
        }
        let luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
        // Contrast with white (1.05 / (L + 0.05)) against contrast with #1d232b (L ≈ 0.016).
        return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.066
    }

    static func number(_ value: Int, _ language: Language) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: language.localeIdentifier)
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    /// "14:05" today, "28 Nov, 14:05" before, in the store's time zone.
    static func moment(_ date: Date, now: Date, timeZone: TimeZone, language: Language) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let time = RefusalWording.clockTime(date, timeZone: timeZone)
        guard !calendar.isDate(date, inSameDayAs: now) else { return time }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language.localeIdentifier)
        formatter.timeZone = timeZone
        formatter.setLocalizedDateFormatFromTemplate(calendar.isDate(date, equalTo: now, toGranularity: .year) ? "dMMM" : "dMMMyyyy")
        return formatter.string(from: date) + ", " + time
    }

    /// Written out so the catalog test sees every key in use.
    static func historyKey(_ type: TransactionType) -> String {
        switch type {
        case .stampEarned: "customer.history.stamp_earned"
        case .stampRedeemed: "customer.history.stamp_redeemed"
        case .stampVoided: "customer.history.stamp_voided"
        case .pointsEarned: "customer.history.points_earned"
        case .pointsRedeemed: "customer.history.points_redeemed"
        case .pointsVoided: "customer.history.points_voided"
        case .pointsAdjusted: "customer.history.points_adjusted"
        case .pointsExpired: "customer.history.points_expired"
        case .cardTransferredOut: "customer.history.card_transferred_out"
        case .cardTransferredIn: "customer.history.card_transferred_in"
        }
    }

    static func change(stamps: Int, points: Int, req: Request) -> String {
        var parts: [String] = []
        if stamps != 0 {
            parts.append(req.t(abs(stamps) == 1 ? "customer.delta_stamp" : "customer.delta_stamps", signed(stamps, req.language)))
        }
        if points != 0 {
            parts.append(req.t(abs(points) == 1 ? "customer.delta_point" : "customer.delta_points", signed(points, req.language)))
        }
        return parts.joined(separator: ", ")
    }

    private static func signed(_ value: Int, _ language: Language) -> String {
        (value > 0 ? "+" : "−") + number(abs(value), language)
    }
}

extension Language {
    /// The locale numbers and dates are written in (Luxembourg's conventions for its languages).
    var localeIdentifier: String {
        switch self {
        case .en: "en_GB"
        case .fr: "fr_LU"
        case .de: "de_LU"
        case .lb: "lb_LU"
        }
    }
}
