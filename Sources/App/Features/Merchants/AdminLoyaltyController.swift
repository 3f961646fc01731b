import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// A program in the platform admin's list.
struct ProgramSummaryResponse: Content {
    let id: UUID
    let merchantId: UUID
    let merchantName: String
    let loyaltyType: LoyaltyType
    let isActive: Bool
    let cardsTotal: Int
    let createdAt: Date?
}

/// Which wallet integrations are configured on this platform, and for Google how far its
/// objects are from the cards.
struct WalletStatusResponse: Content {
    struct Apple: Content {
        let configured: Bool
        @NullEncoded var passTypeId: String?
        @NullEncoded var teamId: String?
        let wwdrCertificateReadable: Bool
        let signerCertificateReadable: Bool
        let signerKeyReadable: Bool
    }

    let google: GoogleWalletStatus
    let apple: Apple

    /// "Configured" means loaded at start-up (`Application.appleWallet`, `.googleWallet`);
    /// the readability flags say whether the files are still there.
    static func load(_ application: Application, on db: any Database) async throws -> WalletStatusResponse {
        let wallet = application.config.wallet
        let readable = { (path: String?) in path.map { FileManager.default.isReadableFile(atPath: $0) } ?? false }
        let certificates = [wallet.appleWWDRCertificatePath, wallet.appleSignerCertificatePath, wallet.appleSignerKeyPath].map(readable)
        return WalletStatusResponse(
            google: try await GoogleWalletStatus.load(application, on: db),
            apple: Apple(
                configured: application.appleWallet != nil,
                passTypeId: wallet.applePassTypeID, teamId: wallet.appleTeamID, wwdrCertificateReadable: certificates[0],
                signerCertificateReadable: certificates[1], signerKeyReadable: certificates[2]))
    }
}

/// The platform admin's loyalty view: `/api/v1/admin/loyalty` (every program, platform
/// statistics, wallet health) and, per merchant, the merchant's data plus its settings.
struct AdminLoyaltyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("programs", use: programs)
        routes.get("programs", ":program_id", use: program)
        routes.get("programs", ":program_id", "stats", use: programStats)
        routes.get("stats", use: platformStats)
        try routes.register(collection: PlatformAnalyticsController())
        routes.get("wallet-status", use: walletStatus)
        try routes.register(collection: AppleWalletDebugController())
        try routes.register(collection: GoogleWalletDebugController())

        let merchant = routes.grouped("merchants", ":merchant_id")
        let merchantID = AdminMerchantsController.merchantParameter
        try merchant.register(collection: MerchantLoyaltyController(merchantID: merchantID))
        try merchant.register(collection: CustomerDataController(merchantID: merchantID))
        try merchant.register(collection: StaffPinsController(scope: { PinScope(merchantID: try await merchantID($0)) }, isWritable: false))
        merchant.patch("settings", use: updateSettings)
    }

    @Sendable
    func programs(req: Request) async throws -> Page<ProgramSummaryResponse> {
        let page = try PageRequest(from: req)
        let query = ProgramModel.query(on: req.db)
            .join(MerchantModel.self, on: \ProgramModel.$merchant.$id == \MerchantModel.$id)
            .sort(MerchantModel.self, \.$name).sort(\.$id)
        let total = try await query.copy().count()
        let rows = try await query.copy().offset((page.page - 1) * page.perPage).limit(page.perPage).all()
        var items: [ProgramSummaryResponse] = []
        for program in rows {
            let merchant = try program.joined(MerchantModel.self)
            let cards = try await ListTotals.cards(merchantID: program.$merchant.id, on: req.db)
            items.append(
                ProgramSummaryResponse(
                    id: try program.requireID(), merchantId: program.$merchant.id, merchantName: merchant.name,
                    loyaltyType: program.loyaltyType, isActive: program.isActive, cardsTotal: cards, createdAt: program.createdAt))
        }
        return Page(items: items, total: total, page: page.page, perPage: page.perPage)
    }

    @Sendable
    func program(req: Request) async throws -> ProgramResponse {
        try await req.programs.response(for: try await Self.program(req))
    }

    @Sendable
    func programStats(req: Request) async throws -> StatsResponse {
        let program = try await Self.program(req)
        let store = try await StoreModel.query(on: req.db).filter(\.$merchant.$id == program.$merchant.id).sort(\.$createdAt).first()
        return try await req.stats.stats(
            merchantID: program.$merchant.id, storeID: nil, timezone: store?.timezone ?? CreateStoreRequest.defaultTimezone)
    }

    @Sendable
    func platformStats(req: Request) async throws -> StatsResponse {
        try await req.stats.stats(merchantID: nil, storeID: nil, timezone: CreateStoreRequest.defaultTimezone)
    }

    @Sendable
    func walletStatus(req: Request) async throws -> WalletStatusResponse {
        try await WalletStatusResponse.load(req.application, on: req.db)
    }

    @Sendable
    func updateSettings(req: Request) async throws -> SettingsResponse {
        let merchantID = try await AdminMerchantsController.merchantParameter(req)
        return try await req.settings.update(try req.content.decode(SettingsRequest.self), merchantID: merchantID)
    }

    static func program(_ req: Request) async throws -> ProgramModel {
        guard let program = try await ProgramModel.find(try req.parameters.uuid("program_id"), on: req.db) else {
            throw APIError.notFound("The loyalty program")
        }
        return program
    }
}
