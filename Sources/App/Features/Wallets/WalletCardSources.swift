import Fluent
import Foundation

/// A card with the rows a wallet pass shows besides the card itself.
struct WalletCardSource: Sendable {
    let card: CardModel
    let program: ProgramModel
    let merchant: MerchantModel
    let customer: CustomerModel
    /// The program's points rewards, cheapest first; loaded only when asked for.
    let rewards: [RewardModel]
}

/// Loads what the wallet passes of many cards show in a fixed number of reads (programs,
/// merchants, holders, and rewards when asked), so a batch of one card or of five hundred costs
/// the same round trips.
enum WalletCardSources {
    static func load(_ cards: [CardModel], withRewards: Bool = false, on database: any Database) async throws -> [UUID: WalletCardSource] {
        guard !cards.isEmpty else { return [:] }
        let programIDs = Array(Set(cards.map { $0.$program.id }))
        let merchantIDs = Array(Set(cards.map { $0.$merchant.id }))
        let customerIDs = Array(Set(cards.map { $0.$customer.id }))
        async let programRows = ProgramModel.query(on: database).filter(\.$id ~~ programIDs).all()
        async let merchantRows = MerchantModel.query(on: database).filter(\.$id ~~ merchantIDs).all()
        async let customerRows = CustomerModel.query(on: database).filter(\.$id ~~ customerIDs).all()
        async let rewardRows =
            withRewards
            ? RewardModel.query(on: database).filter(\.$program.$id ~~ programIDs).filter(\.$isActive == true)
                .sort(\.$pointsCost).sort(\.$name).all() : []
        let programs = try byID(await programRows)
        let merchants = try byID(await merchantRows)
        let customers = try byID(await customerRows)
        let rewards = Dictionary(grouping: try await rewardRows, by: { $0.$program.id })
        var sources: [UUID: WalletCardSource] = [:]
        for card in cards {
            guard let program = programs[card.$program.id], let merchant = merchants[card.$merchant.id],
                let customer = customers[card.$customer.id]
            else { continue }
            sources[try card.requireID()] = WalletCardSource(
                card: card, program: program, merchant: merchant, customer: customer, rewards: rewards[card.$program.id] ?? [])
        }
        return sources
    }

    private static func byID<M: Model>(_ rows: [M]) throws -> [UUID: M] where M.IDValue == UUID {
        Dictionary(try rows.map { (try $0.requireID(), $0) }, uniquingKeysWith: { first, _ in first })
    }
}
