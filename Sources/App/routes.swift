import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Every route of the app, grouped by who may call it. Authorization is decided here, once per
/// group, by the middleware each group carries; handlers only read the identity it leaves.
func routes(_ app: Application) throws {
    try app.register(collection: HealthController())
    try app.register(collection: OpenAPIController())
    try app.register(collection: MetricsController())

    let api = app.grouped("api", "v1")

    // Anyone: sign-in.
    try api.register(collection: AuthController())

    // Platform admin.
    let admin = api.grouped("admin").grouped(StaffAuthMiddleware([.platformAdmin]))
    try admin.register(collection: AdminMerchantsController())
    try admin.grouped("loyalty").register(collection: AdminLoyaltyController())

    // Merchant owner, for its own merchant.
    let merchant = api.grouped("merchants").grouped(StaffAuthMiddleware([.merchantOwner]))
    try merchant.register(collection: OwnMerchantController())
    let ownMerchant = OwnMerchantController.ownMerchant
    let merchantLoyalty = merchant.grouped("loyalty")
    try merchantLoyalty.register(collection: ProgramsController(merchantID: ownMerchant))
    try merchantLoyalty.register(collection: MerchantLoyaltyController(merchantID: ownMerchant))
    try merchantLoyalty.register(collection: CardLifecycleController(merchantID: ownMerchant, storeID: { _ in nil }))
    try merchantLoyalty.register(collection: CustomerDataController(merchantID: ownMerchant))
    try merchantLoyalty.register(collection: StaffPinsController(scope: { PinScope(merchantID: try await ownMerchant($0)) }, isWritable: true))

    // Store endpoints: staff of one store, or an owner naming one of its stores in X-Store-Id.
    let store = api.grouped("store")
        .grouped(StaffAuthMiddleware([.merchantOwner, .storeManager, .storeStaff]))
        .grouped(StoreScopeMiddleware())
    try store.register(collection: CurrentStoreController())
    try store.register(collection: StoreCustomersController())
    let loyalty = store.grouped("loyalty")
    try loyalty.register(collection: ProgramsController(merchantID: { $0.store.merchantID }))
    try loyalty.register(collection: CardsController())
    try loyalty.grouped(StaffRoleMiddleware([.merchantOwner, .storeManager]))
        .register(collection: CardLifecycleController(merchantID: { $0.store.merchantID }, storeID: { $0.store.storeID }))
    try loyalty.register(collection: StampsController())
    try loyalty.register(collection: PointsController())
    try loyalty.grouped(StaffRoleMiddleware([.merchantOwner, .storeManager]))
        .register(collection: StaffPinsController(scope: { PinScope($0.store) }, isWritable: true))
    try loyalty.register(collection: StatsController())

    // Customers of a merchant, in their own realm.
    let storefront = api.grouped("storefront")
    try storefront.register(collection: StorefrontAuthController())
    try storefront.grouped("loyalty").grouped(CustomerAuthMiddleware()).register(collection: StorefrontLoyaltyController())

    // Anyone: program pages, enrollment without an account, private card links.
    try api.grouped("loyalty").register(collection: PublicLoyaltyController())

    // Apple Wallet: pass downloads (the serial is the credential) and the web service Wallet
    // calls (the pass's own token, or the device library identifier, is the credential).
    try api.grouped("loyalty").register(collection: ApplePassDownloadController())
    try api.grouped("loyalty").register(collection: AppleWebServiceController())
}
