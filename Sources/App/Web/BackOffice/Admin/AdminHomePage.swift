import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/admin`: the programs dashboard, where the platform admin lands after signing in. Every
/// merchant's program with its cards and today's activity, a page at a time
/// (`ProgramsOverview` reads a page in four queries, from the statistics rollups).
struct AdminHomePage: RouteCollection {
    static let perPage = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: dashboard)
    }

    struct DashboardPage: Encodable, Sendable {
        struct Program: Encodable, Sendable {
            let merchantID: String
            let merchantName: String
            let programName: String
            let type: String
            let isActive: Bool
            let hasProgram: Bool
            let cards: String
            let activeCards: String
            let stampsToday: String
            let pointsToday: String
            let enrolledToday: String
        }
        var programs: [Program] = []
        var summary = ""
        var day = ""
        var previousURL = ""
        var nextURL = ""
    }

    @Sendable
    func dashboard(req: Request) async throws -> Response {
        let pageNumber = max(1, min(req.query[Int.self, at: "page"] ?? 1, PageRequest.maximumPage))
        let now = req.application.clock()
        let timeZone = AdminFormat.platformTimeZone
        // Safe: every Gregorian instant has a calendar day in a valid time zone.
        let today = CalendarDate(now, in: timeZone)!
        let (rows, total) = try await ProgramsOverview(database: req.db).rows(page: pageNumber, perPage: Self.perPage, now: now, today: today)
        let format = AdminFormat.format(req)
        var page = DashboardPage()
        page.programs = try rows.map { row in
            let program = row.program
            return DashboardPage.Program(
                merchantID: try row.merchant.requireID().uuidString, merchantName: row.merchant.name,
                programName: program?.cardName ?? row.merchant.name,
                type: program.map { req.t(AdminFormat.typeKey($0.loyaltyType)) } ?? req.t("admin.no_program"),
                isActive: program?.isActive ?? false, hasProgram: program != nil,
                cards: format.number(row.cards), activeCards: format.number(row.activeCards30Days),
                stampsToday: format.number(row.today.stampsGiven) + " / " + format.number(row.today.stampsRedeemed),
                pointsToday: format.number(row.today.pointsGiven) + " / " + format.number(row.today.pointsRedeemed),
                enrolledToday: format.number(row.today.cardsEnrolled))
        }
        page.summary = req.t("admin.merchants_count", format.number(total))
        page.day = req.t("admin.today_is", format.date(now))
        if pageNumber > 1 { page.previousURL = "/admin?page=\(pageNumber - 1)" }
        if pageNumber * Self.perPage < total { page.nextURL = "/admin?page=\(pageNumber + 1)" }
        return try await req.renderBackOffice("backoffice/admin", title: "admin.title", page)
    }
}

/// How the admin pages write numbers and dates: the store pages' formatting, in the
/// platform's time zone (the admin has no store; the platform's shops are in Luxembourg).
enum AdminFormat {
    // Safe: a zone name of the tz database every supported system ships.
    static let platformTimeZone = TimeZone(identifier: CreateStoreRequest.defaultTimezone)!

    /// A program type's words (spelled out so the catalog test sees every key used).
    static func typeKey(_ type: LoyaltyType) -> String {
        switch type {
        case .stamps: "admin.type_stamps"
        case .points: "admin.type_points"
        case .hybrid: "admin.type_hybrid"
        }
    }

    static func pinPolicyKey(_ policy: StaffPinPolicy) -> String {
        switch policy {
        case .required: "admin.pin_policy_required"
        case .programDecides: "admin.pin_policy_optional"
        case .disabled: "admin.pin_policy_disabled"
        }
    }

    static func format(_ req: Request) -> StorePageFormat {
        StorePageFormat(language: req.language, timeZone: platformTimeZone)
    }
}
