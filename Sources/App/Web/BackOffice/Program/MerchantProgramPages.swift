import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// The owner's program editor, stores and settings pages: issue #11, program area.
///
/// `/merchant/program` edits the program through the same service as the API's
/// `PATCH /merchants/loyalty/program` (or creates it, as `POST` does, when there is none). A
/// change that touches issued cards (`ProgramChangeImpact`, decision 0028) is shown first with
/// the number of cards it touches; only the confirmed form saves, and only if the program is
/// still the one the warning was about.
struct MerchantProgramPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("program", use: editor)
        routes.post("program", use: save)
        try routes.register(collection: MerchantStoresPage())
        try routes.register(collection: MerchantSettingsPage())
    }

    static let template = "backoffice/program/editor"
    static let title = "program.title"
    static let script = "program-editor.js"

    @Sendable
    func editor(req: Request) async throws -> Response {
        let merchant = try await Self.merchant(req)
        let merchantID = try merchant.requireID()
        let face: ProgramFace
        let isNew: Bool
        if let program = try await Self.activeProgram(req, merchantID: merchantID) {
            face = try await req.programs.face(of: program)
            isNew = false
        } else {
            let defaults = ProgramSettings.defaults(req.application.config.antiFraud)
            face = ProgramFace(rules: defaults.rules, cardName: nil, cardColor: nil, logoURL: nil, rewards: [])
            isNew = true
        }
        var page = ProgramEditorPage(face: face, merchantName: merchant.name, req: req)
        page.isNew = isNew
        if req.query[String.self, at: "done"] == "saved" { page.done = req.t("program.saved") }
        page.pinPolicyNote = try await Self.pinPolicyNote(req, merchantID: merchantID)
        return try await req.renderBackOffice(Self.template, title: Self.title, page, script: Self.script)
    }

    @Sendable
    func save(req: Request) async throws -> Response {
        try await review(req, form: try req.content.decode(ProgramEditorForm.self))
    }

    /// Checks the form, warns about issued cards, or saves.
    private func review(_ req: Request, form: ProgramEditorForm) async throws -> Response {
        let merchant = try await Self.merchant(req)
        let merchantID = try merchant.requireID()
        let (request, keys, notNumbers) = form.request()
        guard let program = try await Self.activeProgram(req, merchantID: merchantID) else {
            return try await create(req, form: form, request: request, keys: keys, notNumbers: notNumbers, merchant: merchant)
        }
        let current = try await req.programs.face(of: program)
        let proposed: ProgramFace
        do {
            proposed = try await req.programs.proposedFace(request, presentKeys: keys, current: program, face: current)
            if !notNumbers.isEmpty { throw APIError.validationFailed(Dictionary(uniqueKeysWithValues: notNumbers.map { ($0, "") })) }
        } catch let error as APIError where error.code == "validation_failed" {
            return try await showErrors(req, error, notNumbers: notNumbers, form: form, merchant: merchant, face: current)
        }

        let base = ProgramService.fingerprint(current)
        let version = base + "." + ProgramService.fingerprint(proposed)
        let confirmed = form.confirm != nil && form.version == version
        // A confirmation given for another state of the program is not a yes to this one.
        let stale = form.confirm != nil && form.version?.hasPrefix(base + ".") != true
        var warnings: [String] = []
        for effect in ProgramChangeImpact.effects(from: current, to: proposed) {
            let cards = try await req.programs.count(effect.audience, merchantID: merchantID)
            if cards > 0 { warnings.append(Self.words(for: effect, cards: cards, req: req)) }
        }
        if stale || (!warnings.isEmpty && !confirmed) {
            var page = ProgramEditorPage(
                form: form, merchantName: merchant.name, preview: CardPreview(merchantName: merchant.name, face: proposed), req: req)
            page.warnings = warnings
            page.version = version
            page.stale = stale
            page.pinPolicyNote = try await Self.pinPolicyNote(req, merchantID: merchantID)
            return try await req.renderBackOffice(Self.template, title: Self.title, page, status: stale ? .conflict : .ok, script: Self.script)
        }
        do {
            _ = try await req.programs.update(request, presentKeys: keys, merchantID: merchantID) { now in
                guard ProgramService.fingerprint(now) == base else { throw APIError.programChangedMeanwhile }
            }
        } catch let error as APIError where error.code == APIError.programChangedMeanwhile.code {
            // Changed between the warning's count and the save: review again from the new state.
            var again = form
            again.confirm = "yes"
            again.version = "changed"
            return try await review(req, form: again)
        } catch let error as APIError where error.code == "validation_failed" {
            return try await showErrors(req, error, notNumbers: [], form: form, merchant: merchant, face: proposed)
        }
        req.logger.info("program changed on the editor page", metadata: ["merchant_id": "\(merchantID)"])
        return req.redirect(to: "/merchant/program?done=saved", redirectType: .normal)
    }

    /// The first program of a merchant: `POST /program`'s path. No card exists yet, so no warning.
    private func create(
        _ req: Request, form: ProgramEditorForm, request: ProgramRequest, keys: Set<String>, notNumbers: Set<String>,
        merchant: MerchantModel
    ) async throws -> Response {
        let merchantID = try merchant.requireID()
        do {
            if !notNumbers.isEmpty {
                // The other fields are still checked, so every wrong field shows at once.
                _ = try request.applied(to: .defaults(req.application.config.antiFraud), presentKeys: keys)
                throw APIError.validationFailed([:])
            }
            _ = try await req.programs.create(request, presentKeys: keys, merchantID: merchantID)
        } catch let error as APIError where error.code == "validation_failed" {
            let defaults = ProgramSettings.defaults(req.application.config.antiFraud)
            let face = ProgramFace(rules: defaults.rules, cardName: nil, cardColor: nil, logoURL: nil, rewards: [])
            var page = try await errorPage(req, error, notNumbers: notNumbers, form: form, merchant: merchant, face: face)
            page.isNew = true
            return try await req.renderBackOffice(Self.template, title: Self.title, page, status: .unprocessableEntity, script: Self.script)
        }
        return req.redirect(to: "/merchant/program?done=saved", redirectType: .normal)
    }

    private func showErrors(
        _ req: Request, _ error: APIError, notNumbers: Set<String>, form: ProgramEditorForm, merchant: MerchantModel, face: ProgramFace
    ) async throws -> Response {
        let page = try await errorPage(req, error, notNumbers: notNumbers, form: form, merchant: merchant, face: face)
        return try await req.renderBackOffice(Self.template, title: Self.title, page, status: .unprocessableEntity, script: Self.script)
    }

    private func errorPage(
        _ req: Request, _ error: APIError, notNumbers: Set<String>, form: ProgramEditorForm, merchant: MerchantModel, face: ProgramFace
    ) async throws -> ProgramEditorPage {
        var fields = notNumbers
        if case .object(let named)? = error.details["fields"] { fields.formUnion(named.keys) }
        var page = ProgramEditorPage(form: form, merchantName: merchant.name, preview: CardPreview(merchantName: merchant.name, face: face), req: req)
        page.show(fieldErrors: fields.sorted(), req: req)
        page.pinPolicyNote = try await Self.pinPolicyNote(req, merchantID: try merchant.requireID())
        return page
    }

    /// One sentence per effect, with the number of cards it touches.
    static func words(for effect: ProgramChangeImpact.Effect, cards: Int, req: Request) -> String {
        let format = StorePageFormat(language: req.language, timeZone: .gmt)
        let count = format.number(cards)
        switch effect {
        case .stampsTargetLowered(_, let to): return req.t("program.warn_target_lowered", count, format.number(to))
        case .stampsTargetRaised(let from, let to): return req.t("program.warn_target_raised", count, format.number(to), format.number(from))
        case .stampsNoLongerCollected: return req.t("program.warn_no_stamps", count)
        case .pointsNoLongerCollected: return req.t("program.warn_no_points", count)
        case .rewardDeactivated(let name, _): return req.t("program.warn_reward_deactivated", count, name)
        case .rewardCostRaised(let name, _, let to): return req.t("program.warn_reward_dearer", count, name, format.number(to))
        case .pointsExpiryShortened(_, let to): return req.t("program.warn_expiry", count, format.number(to))
        case .walletPassesUpdated: return req.t("program.warn_passes", count)
        }
    }

    /// The signed-in owner's merchant.
    static func merchant(_ req: Request) async throws -> MerchantModel {
        guard let merchantID = req.staff.merchantID, let merchant = try await MerchantModel.find(merchantID, on: req.db) else {
            throw APIError.notFound("The merchant")
        }
        return merchant
    }

    static func activeProgram(_ req: Request, merchantID: UUID) async throws -> ProgramModel? {
        do {
            return try await req.programs.activeProgram(merchantID: merchantID)
        } catch let error as APIError where error.status == .notFound {
            return nil
        }
    }

    /// When the platform operator decides about PINs, the program's own choice does not count.
    static func pinPolicyNote(_ req: Request, merchantID: UUID) async throws -> String? {
        switch try await SettingsService.settings(of: merchantID, on: req.db).staffPinPolicy {
        case .required: req.t("program.pin_always")
        case .disabled: req.t("program.pin_never")
        case .programDecides: nil
        }
    }
}
