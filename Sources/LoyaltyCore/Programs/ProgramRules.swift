import Foundation

/// The settings of a merchant's program that the rules read, with their checks.
public struct ProgramRules: Equatable, Sendable {
    public var loyaltyType: LoyaltyType
    /// Stamps that earn one reward (stamps and hybrid programs).
    public var stampsTarget: Int
    public var stampsRewardDescription: String?
    /// Points per euro spent (points and hybrid programs).
    public var pointsPerEuro: Int
    public var cooldownMinutes: Int
    public var maxDailyStamps: Int
    public var requireStaffPin: Bool
    /// Points expire after this many days without activity; `nil`: never.
    public var pointsExpirationDays: Int?

    public init(
        loyaltyType: LoyaltyType,
        stampsTarget: Int = 10,
        stampsRewardDescription: String? = nil,
        pointsPerEuro: Int = 10,
        cooldownMinutes: Int = 15,
        maxDailyStamps: Int = 5,
        requireStaffPin: Bool = true,
        pointsExpirationDays: Int? = nil
    ) {
        self.loyaltyType = loyaltyType
        self.stampsTarget = stampsTarget
        self.stampsRewardDescription = stampsRewardDescription
        self.pointsPerEuro = pointsPerEuro
        self.cooldownMinutes = cooldownMinutes
        self.maxDailyStamps = maxDailyStamps
        self.requireStaffPin = requireStaffPin
        self.pointsExpirationDays = pointsExpirationDays
    }

    public var cooldown: TimeInterval { TimeInterval(cooldownMinutes * 60) }

    /// Rewards a card with `stampCount` stamps can take now (none in a points program).
    public func rewardsAvailable(stampCount: Int) -> Int {
        loyaltyType.collectsStamps ? stampCount / max(1, stampsTarget) : 0
    }

    public static let stampsTargetRange = 1...1_000
    public static let pointsPerEuroRange = 1...10_000
    public static let cooldownMinutesRange = 0...10_080
    public static let maxDailyStampsRange = 1...1_000
    public static let pointsExpirationDaysRange = 1...3_650

    /// What is wrong with these settings, by API field name; empty when they are valid.
    ///
    /// `strict` also checks the fields this program type ignores (a stamps program's points per
    /// euro): values a request sets must be in range whatever the type, so that a later change
    /// of type cannot start from an absurd number.
    public func problems(strict: Set<String> = []) -> [String: String] {
        var problems: [String: String] = [:]
        if loyaltyType.collectsStamps || strict.contains("stamps_target") {
            if !Self.stampsTargetRange.contains(stampsTarget) { problems["stamps_target"] = "must be from 1 to 1000" }
        }
        if loyaltyType.collectsStamps, stampsRewardDescription?.trimmingCharacters(in: .whitespaces).isEmpty ?? true {
            problems["stamps_reward_description"] = "is required for a stamps program"
        }
        if loyaltyType.collectsPoints || strict.contains("points_per_euro"), !Self.pointsPerEuroRange.contains(pointsPerEuro) {
            problems["points_per_euro"] = "must be from 1 to 10000"
        }
        if !Self.cooldownMinutesRange.contains(cooldownMinutes) { problems["cooldown_minutes"] = "must be from 0 to 10080 (one week)" }
        if !Self.maxDailyStampsRange.contains(maxDailyStamps) { problems["max_daily_stamps"] = "must be from 1 to 1000" }
        if let days = pointsExpirationDays, !Self.pointsExpirationDaysRange.contains(days) {
            problems["points_expiration_days"] = "must be from 1 to 3650, or null for never"
        }
        return problems
    }

    /// `#4F46E5`-style colours for the card.
    public static func colorProblem(_ value: String) -> String? {
        let hex = value.dropFirst()
        guard value.hasPrefix("#"), hex.count == 6 || hex.count == 3, hex.allSatisfy(\.isHexDigit) else {
            return "must be a hex colour such as #4F46E5"
        }
        return nil
    }

    /// Logos are fetched by wallets from the internet: an https URL.
    /// A Google Wallet class id: `<issuer>.<suffix>`, the suffix of letters, digits, `.`, `_`
    /// and `-` (Google's rule), and the issuer the platform's objects belong to when it has one:
    /// a class of another issuer cannot hold them.
    public static func googleClassIDProblem(_ value: String, issuerID: String?) -> String? {
        let parts = value.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }), !parts[1].isEmpty,
            parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }), value.count <= 200
        else {
            return "must be <issuer id>.<suffix>, the suffix of letters, digits, '.', '_' and '-'"
        }
        if let issuerID, parts[0] != issuerID { return "must start with this platform's Google issuer id, \(issuerID)." }
        return nil
    }

    public static func logoURLProblem(_ value: String) -> String? {
        guard let url = URL(string: value), url.scheme == "https", url.host?.isEmpty == false, value.count <= 2_000 else {
            return "must be an https URL"
        }
        return nil
    }
}
