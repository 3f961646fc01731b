import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// A merchant's one program: create, read, change, deactivate.
struct ProgramService: Sendable {
    let database: any Database
    let writeGate: AsyncGate?
    let antiFraud: AntiFraudDefaults
    /// The platform's Google Wallet issuer: a program's own class id must be one of its.
    var googleIssuerID: String? = nil
    /// Runs after a change to the program committed, with the merchant's id: every card's
    /// wallet pass shows the program.
    var afterChange: @Sendable (UUID) -> Void = { _ in }

    /// The merchant's active program, or `not_found`.
    func activeProgram(merchantID: UUID, on db: (any Database)? = nil) async throws -> ProgramModel {
        guard let program = try await ProgramModel.query(on: db ?? database)
            .filter(\.$merchant.$id == merchantID)
            .filter(\.$isActive == true)
            .first()
        else { throw APIError.notFound("The loyalty program") }
        return program
    }

    func response(for program: ProgramModel, on db: (any Database)? = nil) async throws -> ProgramResponse {
        let rewards = try await RewardModel.query(on: db ?? database)
            .filter(\.$program.$id == program.requireID())
            .sort(\.$createdAt).sort(\.$id)
            .all()
        return try ProgramResponse(program, rewards: rewards)
    }

    /// Creates the program, or reactivates a deleted one with the new settings; `already_exists`
    /// while one is active.
    func create(_ request: ProgramRequest, presentKeys: Set<String>, merchantID: UUID) async throws -> ProgramResponse {
        let settings = try request.applied(to: .defaults(antiFraud), presentKeys: presentKeys.union(Self.allKeys))
        try checkGoogleClassID(settings)
        let created = try await database.writeTransaction(gate: writeGate) { tx in
            let existing = try await ProgramModel.query(on: tx).filter(\.$merchant.$id == merchantID).first()
            if existing?.isActive == true {
                throw APIError.alreadyExists(field: "program", message: "This merchant already has a loyalty program; change it with PATCH.")
            }
            let program = existing ?? ProgramModel()
            program.$merchant.id = merchantID
            program.isActive = true
            try await save(settings, to: program, on: tx)
            return try await response(for: program, on: tx)
        }
        afterChange(merchantID)
        return created
    }

    /// `expecting` sees the program as it is inside the transaction, before the change: the
    /// editor page refuses a confirmed change when someone else changed the program meanwhile.
    func update(
        _ request: ProgramRequest, presentKeys: Set<String>, merchantID: UUID,
        expecting: (@Sendable (ProgramFace) throws -> Void)? = nil
    ) async throws -> ProgramResponse {
        let updated = try await database.writeTransaction(gate: writeGate) { tx in
            let program = try await activeProgram(merchantID: merchantID, on: tx)
            if let expecting {
                // PostgreSQL: the row is locked before it is compared, so a second confirmed
                // change waits for this one and then sees it (SQLite's writers are queued anyway).
                try await lockForUpdate(program, on: tx)
                try expecting(try await face(of: program, on: tx))
            }
            let settings = try request.applied(to: try await currentSettings(of: program, on: tx), presentKeys: presentKeys)
            if presentKeys.contains("google_class_id") { try checkGoogleClassID(settings) }
            try await save(settings, to: program, on: tx)
            return try await response(for: program, on: tx)
        }
        afterChange(merchantID)
        return updated
    }

    private func checkGoogleClassID(_ settings: ProgramSettings) throws {
        guard let classID = settings.googleClassID,
            let problem = ProgramRules.googleClassIDProblem(classID, issuerID: googleIssuerID ?? settings.googleIssuerID)
        else { return }
        throw APIError.validationFailed(["google_class_id": problem])
    }

    /// Deactivates the program: cards and history stay; operations are refused until it is created again.
    func deactivate(merchantID: UUID) async throws {
        try await database.writeTransaction(gate: writeGate) { tx in
            let program = try await activeProgram(merchantID: merchantID, on: tx)
            program.isActive = false
            try await program.save(on: tx)
        }
        afterChange(merchantID)
    }

    /// Every settable key: a new program takes each from the request or from the defaults.
    private static let allKeys: Set<String> = [
        "stamps_reward_description", "stamps_reward_cost_cents", "points_expiration_days", "card_name", "card_color", "logo_url", "google_issuer_id",
        "google_class_id", "apple_pass_type_id",
    ]

    func currentSettings(of program: ProgramModel, on tx: any Database) async throws -> ProgramSettings {
        ProgramSettings(
            rules: program.rules, stampsRewardCostCents: program.stampsRewardCostCents, cardName: program.cardName, cardColor: program.cardColor, logoURL: program.logoURL,
            googleIssuerID: program.googleIssuerID, googleClassID: program.googleClassID, applePassTypeID: program.applePassTypeID)
    }

    private func save(_ settings: ProgramSettings, to program: ProgramModel, on tx: any Database) async throws {
        program.rules = settings.rules
        program.stampsRewardCostCents = settings.stampsRewardCostCents
        program.cardName = settings.cardName
        program.cardColor = settings.cardColor
        program.logoURL = settings.logoURL
        program.googleIssuerID = settings.googleIssuerID
        program.googleClassID = settings.googleClassID
        program.applePassTypeID = settings.applePassTypeID
        try await program.save(on: tx)
        guard let rewards = settings.rewards else { return }

        // The catalog is replaced: listed rewards are updated or added, unlisted ones retired
        // (never deleted: ledger rows name them).
        let programID = try program.requireID()
        let existing = try await RewardModel.query(on: tx).filter(\.$program.$id == programID).all()
        let byID = Dictionary(uniqueKeysWithValues: existing.compactMap { reward in reward.id.map { ($0, reward) } })
        var listed = Set<UUID>()
        for (index, reward) in rewards.enumerated() {
            let model: RewardModel
            if let id = reward.id {
                guard let found = byID[id] else {
                    throw APIError.validationFailed(["rewards[\(index)].id": "is not a reward of this program"])
                }
                model = found
                listed.insert(id)
            } else {
                model = RewardModel(programID: programID, name: reward.name, pointsCost: reward.pointsCost, isActive: reward.isActive)
            }
            model.name = reward.name
            model.pointsCost = reward.pointsCost
            model.isActive = reward.isActive
            model.costCents = reward.costCents
            try await model.save(on: tx)
        }
        for reward in existing where !listed.contains(reward.id ?? UUID()) && reward.isActive {
            reward.isActive = false
            try await reward.save(on: tx)
        }
    }
}
