import Fluent
import Foundation
import LoyaltyCore
import Vapor

// The domain's refusals in the API's vocabulary (API.md's error codes and details).

extension StampError {
    var apiError: APIError {
        switch self {
        case .programCollectsNoStamps:
            APIError.conflict("program_type_mismatch", "This program does not collect stamps.")
        case .cooldownActive(let next):
            APIError.conflict(
                "cooldown_active", "This card was stamped moments ago. The next stamp is possible at \(next.formatted(.iso8601)).",
                details: ["next_stamp_available_at": .string(next.formatted(.iso8601))])
        case .dailyLimitReached(let max, let resetsAt):
            APIError.conflict(
                "daily_limit_reached", "This card has had its \(max) stamps for today.",
                details: ["max_daily_stamps": .int(max), "resets_at": .string(resetsAt.formatted(.iso8601))])
        case .insufficientStamps(let balance, let needed):
            APIError.conflict(
                "insufficient_stamps", "The card holds \(balance) stamps; \(needed) are needed.",
                details: ["balance": .int(balance), "needed": .int(needed)])
        }
    }
}

extension PointsError {
    var apiError: APIError {
        switch self {
        case .programCollectsNoPoints:
            APIError.conflict("program_type_mismatch", "This program does not collect points.")
        case .insufficientPoints(let balance, let needed):
            APIError.conflict(
                "insufficient_points", "The card holds \(balance) points; \(needed) are needed.",
                details: ["balance": .int(balance), "needed": .int(needed)])
        case .rewardUnavailable:
            APIError.conflict("reward_unavailable", "This reward is no longer offered.")
        case .adjustmentOutOfRange:
            APIError.validationFailed(["points_delta": "must be at most \(PointsRules.adjustmentRange.upperBound) either way"])
        }
    }
}

extension VoidError {
    var apiError: APIError {
        switch self {
        case .notVoidable:
            APIError.validationFailed(["transaction_id": "is not a transaction this endpoint can void"])
        case .alreadyVoided:
            APIError.conflict("already_voided", "This transaction was already voided.")
        case .insufficientStamps(let balance, let needed):
            StampError.insufficientStamps(balance: balance, needed: needed).apiError
        case .insufficientPoints(let balance, let needed):
            PointsError.insufficientPoints(balance: balance, needed: needed).apiError
        }
    }
}

extension VoidPermissionError {
    /// A 403 `forbidden` whose `details.reason` says which rule refused it.
    var apiError: APIError {
        switch self {
        case .ownerAdjustment:
            APIError(
                .forbidden, code: "forbidden", message: "Only the merchant's owner can void a manual points adjustment.",
                details: ["reason": "owner_adjustment"])
        case .otherStore:
            APIError(
                .forbidden, code: "forbidden", message: "This transaction was recorded in another store; void it there.",
                details: ["reason": "other_store"])
        case .outsideWindow(let days):
            APIError(
                .forbidden, code: "forbidden",
                message: days == 0
                    ? "Cashiers can void only transactions of the current business day; ask a manager."
                    : "Cashiers can void only transactions of the last \(days) business days; ask a manager.",
                details: ["reason": "outside_void_window", "store_void_window_days": .int(days)])
        }
    }
}
