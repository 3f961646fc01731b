import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// Every route of the app, grouped by who may call it. Authorization is decided here, once per
/// group, by the middleware each group carries; handlers only read the identity it leaves.
func routes(_ app: Application) throws {
    try app.register(collection: HealthController())
    try app.register(collection: OpenAPIController())

    let api = app.grouped("api", "v1")

    // Anyone: sign-in.
    try api.register(collection: AuthController())

    // Platform admin.
    let admin = api.grouped("admin").grouped(StaffAuthMiddleware([.platformAdmin]))
    try admin.register(collection: AdminMerchantsController())

    // Merchant owner, for its own merchant.
    let merchant = api.grouped("merchants").grouped(StaffAuthMiddleware([.merchantOwner]))
    try merchant.register(collection: OwnMerchantController())

    // Store endpoints: staff of one store, or an owner naming one of its stores in X-Store-Id.
    let store = api.grouped("store")
        .grouped(StaffAuthMiddleware([.merchantOwner, .storeManager, .storeStaff]))
        .grouped(StoreScopeMiddleware())
    try store.register(collection: CurrentStoreController())
    try store.register(collection: StoreCustomersController())
    let loyalty = store.grouped("loyalty")
    try loyalty.register(collection: ProgramsController())
    try loyalty.register(collection: CardsController())
    try loyalty.register(collection: StampsController())
    try loyalty.register(collection: PointsController())
    try loyalty.register(collection: StaffPinsController())
    try loyalty.register(collection: StatsController())

    // Customers of a merchant, in their own realm.
    try api.grouped("storefront").register(collection: StorefrontAuthController())
}
