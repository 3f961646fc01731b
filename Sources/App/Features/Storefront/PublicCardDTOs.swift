import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// A program as customers see it: what it gives, never its anti-fraud settings.
struct PublicProgramResponse: Content {
    let loyaltyType: LoyaltyType
    let stampsTarget: Int
    @NullEncoded var stampsRewardDescription: String?
    let pointsPerEuro: Int
    let rewards: [RewardResponse]
    @NullEncoded var cardName: String?
    @NullEncoded var cardColor: String?
    @NullEncoded var logoUrl: String?

    init(_ program: ProgramModel, rewards: [RewardModel]) throws {
        loyaltyType = program.loyaltyType
        stampsTarget = program.stampsTarget
        stampsRewardDescription = program.stampsRewardDescription
        pointsPerEuro = program.pointsPerEuro
        self.rewards = try rewards.filter(\.isActive).map {
            RewardResponse(id: try $0.requireID(), name: $0.name, pointsCost: $0.pointsCost, active: true)
        }
        cardName = program.cardName
        cardColor = program.cardColor
        logoUrl = program.logoURL
    }

    /// The merchant's program; with `activeOnly: false` also a deleted one (a card holder still
    /// sees what their card was for).
    static func load(merchantID: UUID, activeOnly: Bool = true, on database: any Database) async throws -> PublicProgramResponse {
        let query = ProgramModel.query(on: database).filter(\.$merchant.$id == merchantID)
        if activeOnly { query.filter(\.$isActive == true) }
        guard let program = try await query.first() else { throw APIError.notFound("The loyalty program") }
        let rewards = try await RewardModel.query(on: database).filter(\.$program.$id == program.requireID()).sort(\.$createdAt).all()
        return try PublicProgramResponse(program, rewards: rewards)
    }
}

/// A card as its holder sees it (storefront, private link).
struct CustomerCardResponse: Content {
    let cardNumber: String
    let qrCodeData: String
    let stampCount: Int
    let stampsTarget: Int
    let rewardsAvailable: Int
    let pointsBalance: Int
    @NullEncoded var lastActivityAt: Date?
    /// `active`, or `blocked` (the shop blocked it; no wallet pass meanwhile).
    let status: CardStatus
    let program: PublicProgramResponse
    let wallet: WalletLinks

    init(_ card: CardModel, program: PublicProgramResponse, wallet: WalletLinks) {
        cardNumber = card.printedNumber
        qrCodeData = card.qrToken
        stampCount = card.stampCount
        stampsTarget = program.stampsTarget
        rewardsAvailable = ProgramRules(loyaltyType: program.loyaltyType, stampsTarget: program.stampsTarget)
            .rewardsAvailable(stampCount: card.stampCount)
        pointsBalance = card.pointsBalance
        lastActivityAt = card.lastActivityAt
        status = card.status
        self.program = program
        self.wallet = wallet
    }
}

/// Where the holder adds the card to a phone wallet; `null` for a wallet the platform lacks,
/// and for a blocked card.
struct WalletLinks: Content {
    @NullEncoded var applePassUrl: String?
    @NullEncoded var googleSaveUrl: String?

    static func of(_ card: CardModel, on application: Application, database: any Database) async throws -> WalletLinks {
        guard card.blockedAt == nil else { return WalletLinks(applePassUrl: nil, googleSaveUrl: nil) }
        return WalletLinks(
            applePassUrl: ApplePassDownloadController.url(for: card, on: application),
            googleSaveUrl: try await GoogleSaveLink.url(for: card, on: application, database: database))
    }
}

/// One line of a customer's own history: what happened, not who did it.
struct CustomerTransactionResponse: Content {
    let id: UUID
    let type: TransactionType
    let stampsDelta: Int
    let pointsDelta: Int
    let stampsBalanceAfter: Int
    let pointsBalanceAfter: Int
    @NullEncoded var purchaseAmountCents: Int?
    let createdAt: Date

    init(_ row: TransactionModel) throws {
        id = try row.requireID()
        type = row.type
        stampsDelta = row.stampsDelta
        pointsDelta = row.pointsDelta
        stampsBalanceAfter = row.stampsBalanceAfter
        pointsBalanceAfter = row.pointsBalanceAfter
        purchaseAmountCents = row.purchaseAmountCents
        createdAt = row.createdAt
    }
}

/// `GET /loyalty/programs/{store_code}`: what an enrollment page shows.
struct StoreProgramResponse: Content {
    struct Store: Content {
        let name: String
        let code: String
        @NullEncoded var city: String?
    }

    let store: Store
    let program: PublicProgramResponse
    let selfEnrollmentOpen: Bool
}

/// `POST /loyalty/enroll/{store_code}`: a card without an account.
struct PublicEnrollRequest: Content {
    var name: String?
    var email: String?
    var phone: String?
    var locale: String?
    var marketingConsent: Bool?

    func validated() throws -> CustomerProfileInput {
        var errors = FieldErrors()
        let profile = CreateCustomerRequest(name: name, email: email, phone: phone, birthday: nil, locale: locale, marketingConsent: marketingConsent)
            .validateProfile(into: &errors, emailRequired: false)
        try errors.throwIfAny()
        return profile
    }
}

/// The new card and the private link that shows it again.
struct PublicEnrollResponse: Content {
    let card: CustomerCardResponse
    /// Path of the card's private page; whoever has it sees the card, so it is shown once.
    let cardLink: String
}
