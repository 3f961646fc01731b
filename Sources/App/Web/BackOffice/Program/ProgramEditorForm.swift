import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// The program editor's form as the browser sends it: every field as typed, so a page can show
/// it back with the errors beside it. It becomes the API's `ProgramRequest`; the service checks it.
struct ProgramEditorForm: Content {
    struct RewardRow: Content {
        var id: String?
        var name: String?
        var pointsCost: String?
        var active: String?
        /// What the reward costs the merchant, in euros as typed (`2.40`, `2,40`).
        var cost: String?

        enum CodingKeys: String, CodingKey {
            case id, name, active, cost
            case pointsCost = "points_cost"
        }

        /// A row left blank adds nothing (the form offers blank rows for new rewards).
        var isBlank: Bool {
            (id ?? "").isEmpty && (name ?? "").trimmingCharacters(in: .whitespaces).isEmpty
                && (pointsCost ?? "").trimmingCharacters(in: .whitespaces).isEmpty
        }
    }

    var loyaltyType: String?
    var stampsTarget: String?
    var stampsRewardDescription: String?
    var stampsRewardCost: String?
    var pointsPerEuro: String?
    var cooldownMinutes: String?
    var maxDailyStamps: String?
    var requireStaffPin: String?
    var pointsExpirationDays: String?
    var cardName: String?
    var cardColor: String?
    var logoUrl: String?
    /// Rows keyed by their position in the form (`rewards[0][name]`).
    var rewards: [String: RewardRow]?
    /// The fingerprints the warning was shown for (`ProgramChangeImpact`), and the owner's yes.
    var version: String?
    var confirm: String?

    enum CodingKeys: String, CodingKey {
        case loyaltyType = "loyalty_type"
        case stampsTarget = "stamps_target"
        case stampsRewardDescription = "stamps_reward_description"
        case stampsRewardCost = "stamps_reward_cost"
        case pointsPerEuro = "points_per_euro"
        case cooldownMinutes = "cooldown_minutes"
        case maxDailyStamps = "max_daily_stamps"
        case requireStaffPin = "require_staff_pin"
        case pointsExpirationDays = "points_expiration_days"
        case cardName = "card_name"
        case cardColor = "card_color"
        case logoUrl = "logo_url"
        case rewards, version, confirm
    }

    /// The reward rows in form order, blank rows dropped, with the key each came from.
    var rewardRows: [(key: String, row: RewardRow)] {
        (rewards ?? [:]).filter { !$0.value.isBlank }
            .sorted { (Int($0.key) ?? Int.max, $0.key) < (Int($1.key) ?? Int.max, $1.key) }
            .map { (key: $0.key, row: $0.value) }
    }

    /// The API request this form stands for, with the keys it names (all of the editor's: an
    /// emptied text clears the value), and the number fields left empty or not whole numbers.
    ///
    /// A stamps-only program sends no catalog: its rewards stay as they are (the API refuses a
    /// catalog there).
    func request() -> (ProgramRequest, presentKeys: Set<String>, notNumbers: Set<String>) {
        var notNumbers = Set<String>()
        func number(_ text: String?, _ field: String, required: Bool = true) -> Int? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
                if required { notNumbers.insert(field) }
                return nil
            }
            guard let value = Int(text) else {
                notNumbers.insert(field)
                return nil
            }
            return value
        }
        // Euros as typed become the API's cents; empty: no cost.
        func cents(_ text: String?, _ field: String) -> Int? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = try? EuroAmount.cents(from: text) else {
                notNumbers.insert(field)
                return nil
            }
            return value
        }
        func text(_ value: String?) -> String? {
            guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
            return value
        }
        var request = ProgramRequest()
        request.loyaltyType = loyaltyType
        request.stampsTarget = number(stampsTarget, "stamps_target")
        request.stampsRewardDescription = text(stampsRewardDescription)
        request.stampsRewardCostCents = cents(stampsRewardCost, "stamps_reward_cost_cents")
        request.pointsPerEuro = number(pointsPerEuro, "points_per_euro")
        request.cooldownMinutes = number(cooldownMinutes, "cooldown_minutes")
        request.maxDailyStamps = number(maxDailyStamps, "max_daily_stamps")
        request.requireStaffPin = requireStaffPin != nil
        request.pointsExpirationDays = number(pointsExpirationDays, "points_expiration_days", required: false)
        request.cardName = text(cardName)
        request.cardColor = text(cardColor)
        request.logoUrl = text(logoUrl)
        var keys: Set<String> = ["stamps_reward_description", "stamps_reward_cost_cents", "points_expiration_days", "card_name", "card_color", "logo_url"]
        if LoyaltyType(rawValue: loyaltyType ?? "")?.collectsPoints != false {
            keys.insert("rewards")
            request.rewards = rewardRows.enumerated().map { index, entry in
                let row = entry.row
                return RewardInput(
                    id: (row.id ?? "").isEmpty ? nil : UUID(uuidString: row.id ?? "") ?? UUID(uuidString: "00000000-0000-0000-0000-000000000000"),
                    name: row.name ?? "", pointsCost: number(row.pointsCost, "rewards[\(index)].points_cost"), active: row.active != nil,
                    costCents: cents(row.cost, "rewards[\(index)].cost_cents"))
            }
        }
        return (request, keys, notNumbers)
    }
}
