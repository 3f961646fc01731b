import Crypto
import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import SQLKit
import Vapor

/// What a change of the program does to the cards already issued (decision 0028): the
/// program as `ProgramChangeImpact` compares it, a fingerprint of it for the editor's
/// confirmation, and the count of the cards each effect touches.
extension ProgramService {
    /// The program and its whole catalog (retired rewards too), in the catalog's order.
    func face(of program: ProgramModel, on db: (any Database)? = nil) async throws -> ProgramFace {
        let rewards = try await RewardModel.query(on: db ?? database)
            .filter(\.$program.$id == program.requireID())
            .sort(\.$createdAt).sort(\.$id)
            .all()
        return ProgramFace(
            rules: program.rules, cardName: program.cardName, cardColor: program.cardColor, logoURL: program.logoURL,
            rewards: rewards.map { .init(id: $0.id, name: $0.name, pointsCost: $0.pointsCost, isActive: $0.isActive, costCents: $0.costCents) },
            stampsRewardCostCents: program.stampsRewardCostCents)
    }

    /// The program as `request` would leave it, checked as `update` checks it; nothing is saved.
    func proposedFace(_ request: ProgramRequest, presentKeys: Set<String>, current program: ProgramModel, face: ProgramFace) async throws -> ProgramFace {
        let settings = try request.applied(to: try await currentSettings(of: program, on: database), presentKeys: presentKeys)
        // As `update` would refuse it: a reward id that is not one of this program's.
        let known = Set(face.rewards.compactMap(\.id))
        for (index, reward) in (settings.rewards ?? []).enumerated() where reward.id.map(known.contains) == false {
            throw APIError.validationFailed(["rewards[\(index)].id": "is not a reward of this program"])
        }
        return ProgramFace(
            rules: settings.rules, cardName: settings.cardName, cardColor: settings.cardColor, logoURL: settings.logoURL,
            rewards: settings.rewards.map {
                $0.map { .init(id: $0.id, name: $0.name, pointsCost: $0.pointsCost, isActive: $0.isActive, costCents: $0.costCents) }
            } ?? face.rewards,
            stampsRewardCostCents: settings.stampsRewardCostCents)
    }

    /// A short digest of everything the editor shows: equal digests, same program.
    static func fingerprint(_ face: ProgramFace) -> String {
        let rules = face.rules
        var parts: [String] = [
            rules.loyaltyType.rawValue, "\(rules.stampsTarget)", rules.stampsRewardDescription ?? "\u{0}", "\(rules.pointsPerEuro)",
            "\(rules.cooldownMinutes)", "\(rules.maxDailyStamps)", "\(rules.requireStaffPin)",
            rules.pointsExpirationDays.map(String.init) ?? "\u{0}", face.cardName ?? "\u{0}", face.cardColor ?? "\u{0}",
            face.logoURL ?? "\u{0}", face.stampsRewardCostCents.map(String.init) ?? "\u{0}",
        ]
        for reward in face.rewards {
            parts += [
                reward.id?.uuidString ?? "new", reward.name, "\(reward.pointsCost)", "\(reward.isActive)",
                reward.costCents.map(String.init) ?? "\u{0}",
            ]
        }
        // Each part is length-prefixed, so no two programs share a text.
        let text = parts.map { "\($0.utf8.count):\($0)" }.joined()
        return String(SHA256.hash(data: Data(text.utf8)).hexEncoded.prefix(32))
    }

    /// How many live cards of the merchant `audience` names: one range count on the index
    /// `loyalty_cards(merchant_id, stamp_count)` or `(merchant_id, points_balance)`, never the ledger.
    func count(_ audience: ProgramChangeImpact.Audience, merchantID: UUID) async throws -> Int {
        let live = CardModel.query(on: database).filter(\.$merchant.$id == merchantID).filter(\.$blockedAt == nil)
        switch audience {
        case .allCards: return try await live.count()
        case .stampsAtLeast(let stamps): return try await live.filter(\.$stampCount >= stamps).count()
        case .pointsAtLeast(let points): return try await live.filter(\.$pointsBalance >= points).count()
        case .pointsInRange(let from, let below):
            return try await live.filter(\.$pointsBalance >= from).filter(\.$pointsBalance < below).count()
        }
    }

    func lockForUpdate(_ program: ProgramModel, on tx: any Database) async throws {
        // SQLKit drops `FOR UPDATE` on SQLite, whose writers the gate already queues.
        _ = try await tx.sql.select().column("id").from(ProgramModel.schema).where("id", .equal, program.requireID()).for(.update).all()
    }
}

/// The confirmed change was made against a program someone else has changed since.
extension APIError {
    static let programChangedMeanwhile = APIError(
        .conflict, code: "program_changed", message: "The program was changed meanwhile; review the change and confirm it again.")
}
