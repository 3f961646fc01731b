import Foundation
import LoyaltyCore
import Vapor

/// The terminal's sentences in the page's language: eligibility, the one line after a
/// success, the last operations, and the refusals the common catalog words too generally.
struct TerminalWording {
    let req: Request

    func t(_ key: String, _ arguments: String...) -> String {
        req.application.catalog.text(key, in: req.language, arguments)
    }

    /// `1,325` / `1 325` / `1.325`: thousands grouped as each language writes them.
    func number(_ value: Int) -> String {
        let separator: String
        switch req.language {
        case .en: separator = ","
        case .fr: separator = "\u{202F}"
        case .de, .lb: separator = "."
        }
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += separator }
            grouped.append(digit)
        }
        return (value < 0 ? "−" : "") + grouped
    }

    func points(_ value: Int) -> String { t("terminal.points", number(value)) }

    private func time(_ date: Date) -> String {
        RefusalWording.clockTime(date, timeZone: req.store.timeZone)
    }

    /// "of 10 stamps", after the balance's figure.
    func stampsLine(target: Int) -> String {
        t("terminal.card.stamps_of", number(target))
    }

    /// Whether a stamp is possible now, and if not, until when.
    func stampNote(_ stamp: CounterEligibility.Stamp) -> String {
        switch stamp {
        case .notOffered: ""
        case .possible(let today, let max): t("terminal.eligible.stamp_now", number(today), number(max))
        case .cooldown(let until): t("terminal.eligible.cooldown", time(until))
        case .dailyLimitReached(let max, let resetsAt): t("terminal.eligible.daily_limit", number(max), time(resetsAt))
        }
    }

    func stampRewardNote(_ eligibility: CounterEligibility, reward: String?) -> String {
        let reward = reward ?? t("terminal.reward.default")
        if eligibility.stampRewardsAvailable > 0 { return t("terminal.eligible.stamp_reward_ready", reward) }
        return t("terminal.eligible.stamps_to_go", number(eligibility.stampsToNextReward), reward)
    }

    func rewardsNote(_ names: [String]) -> String {
        names.isEmpty ? t("terminal.eligible.no_reward") : t("terminal.eligible.enough_for", names.joined(separator: ", "))
    }

    /// The line after a success, to read aloud ("8 of 10 — 2 more for a free coffee").
    func done(_ row: TransactionModel, rules: ProgramRules, rewardName: String?) -> String {
        let target = max(1, rules.stampsTarget)
        let reward = rules.stampsRewardDescription ?? t("terminal.reward.default")
        switch row.type {
        case .stampEarned:
            let stamps = row.stampsBalanceAfter
            if rules.rewardsAvailable(stampCount: stamps) > 0 {
                return t("terminal.done.stamp_reward", number(stamps), number(target), reward)
            }
            return t("terminal.done.stamp", number(stamps), number(target), number(target - stamps % target), reward)
        case .stampRedeemed:
            return t("terminal.done.stamp_redeem", reward, number(row.stampsBalanceAfter), number(target))
        case .pointsEarned:
            return t("terminal.done.points_earn", number(row.pointsDelta), number(row.pointsBalanceAfter))
        case .pointsRedeemed:
            return t("terminal.done.points_redeem", rewardName ?? "—", number(row.pointsBalanceAfter))
        case .stampVoided:
            return t("terminal.done.void_stamps", number(row.stampsBalanceAfter), number(target))
        case .pointsVoided:
            return t("terminal.done.void_points", number(row.pointsBalanceAfter))
        case .pointsAdjusted, .pointsExpired, .cardTransferredOut, .cardTransferredIn:
            return t("terminal.done.other", number(row.stampsBalanceAfter), number(row.pointsBalanceAfter))
        }
    }

    /// What one of the last operations did, in a few words.
    func recent(_ row: TransactionModel, rewardName: String?) -> String {
        switch row.type {
        case .stampEarned: t("terminal.recent.stamp")
        case .stampRedeemed: t("terminal.recent.stamp_redeem")
        case .pointsEarned: t("terminal.recent.points_earn", number(row.pointsDelta))
        case .pointsRedeemed: t("terminal.recent.points_redeem", rewardName ?? "—")
        default: row.type.rawValue
        }
    }

    /// A service's refusal in words. The void permission refusals and a card unknown here get
    /// the terminal's own sentences; everything else the common catalog's (`req.words`).
    func refusal(_ error: APIError) -> String {
        if error.code == "forbidden", case .string(let reason)? = error.details["reason"] {
            switch reason {
            case "outside_void_window":
                if case .int(let days)? = error.details["store_void_window_days"], days > 0 {
                    return t("terminal.void.outside_window_days", number(days))
                }
                return t("terminal.void.outside_window_today")
            case "other_store": return t("terminal.void.other_store")
            case "owner_adjustment": return t("terminal.void.owner_adjustment")
            default: break
            }
        }
        return req.words(for: error, timeZone: req.store.timeZone)
    }
}
