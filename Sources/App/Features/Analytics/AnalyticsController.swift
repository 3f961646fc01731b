import Fluent
import Foundation
import LoyaltyCore
import Vapor

/// `/analytics`, `/analytics.csv`, `/liability`, `/signals` of one merchant. Mounted by
/// `MerchantLoyaltyController`, so the owner gets them under `/api/v1/merchants/loyalty` and
/// the platform admin under `/api/v1/admin/loyalty/merchants/{merchant_id}`.
struct AnalyticsController: RouteCollection {
    let merchantID: @Sendable (Request) async throws -> UUID

    func boot(routes: any RoutesBuilder) throws {
        routes.get("analytics", use: analytics)
        routes.get("analytics.csv", use: analyticsCSV)
        routes.get("liability", use: liability)
        routes.get("signals", use: signals)
    }

    @Sendable
    func analytics(req: Request) async throws -> AnalyticsReport {
        try await report(req)
    }

    @Sendable
    func analyticsCSV(req: Request) async throws -> Response {
        let table = try Self.table(req)
        let report = try await report(req)
        return Self.csvResponse(req.analytics.csv(table, of: report), named: "analytics-\(table.rawValue)-\(report.from)-\(report.to).csv")
    }

    @Sendable
    func liability(req: Request) async throws -> LiabilityReport {
        try await req.liability.report(merchantID: try await merchantID(req))
    }

    @Sendable
    func signals(req: Request) async throws -> FraudSignalsReport {
        try await req.fraudSignals.report(merchantID: try await merchantID(req))
    }

    private func report(_ req: Request) async throws -> AnalyticsReport {
        let merchantID = try await merchantID(req)
        let storeID = try await MerchantLoyaltyController.storeFilter(req, merchantID: merchantID)
        let query = try req.query.decode(RangeQuery.self)
        let range = try req.analytics.range(
            from: query.from, to: query.to, timezone: try await req.analytics.timezone(merchantID: merchantID, storeID: storeID))
        return try await req.analytics.report(merchantID: merchantID, storeID: storeID, range: range)
    }

    struct RangeQuery: Content {
        var from: String?
        var to: String?
        var table: String?
    }

    /// `?table=` of a CSV export: `series` (default), `stores`, `staff`, `rewards`.
    static func table(_ req: Request) throws -> AnalyticsTable {
        let text = try req.query.decode(RangeQuery.self).table ?? AnalyticsTable.series.rawValue
        guard let table = AnalyticsTable(rawValue: text) else {
            throw APIError.validationFailed(["table": "must be one of " + AnalyticsTable.allCases.map(\.rawValue).joined(separator: ", ")])
        }
        return table
    }

    static func csvResponse(_ text: String, named fileName: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.add(name: .contentDisposition, value: "attachment; filename=\"\(fileName)\"")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}

/// `/api/v1/admin/loyalty/analytics` (+ `.csv`): the platform across merchants, and
/// `/api/v1/admin/loyalty/signals`: every merchant's fraud signals.
struct PlatformAnalyticsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("analytics", use: analytics)
        routes.get("analytics.csv", use: analyticsCSV)
        routes.get("signals", use: signals)
    }

    @Sendable
    func signals(req: Request) async throws -> FraudSignalsReport {
        try await req.fraudSignals.report(merchantID: nil)
    }

    @Sendable
    func analytics(req: Request) async throws -> PlatformAnalyticsReport {
        try await report(req)
    }

    @Sendable
    func analyticsCSV(req: Request) async throws -> Response {
        let table = try AnalyticsController.table(req)
        guard table == .series || table == .stores else {
            throw APIError.validationFailed(["table": "must be one of series, stores (the merchants)"])
        }
        let report = try await report(req)
        return AnalyticsController.csvResponse(
            req.analytics.csv(table, of: report), named: "platform-analytics-\(table.rawValue)-\(report.from)-\(report.to).csv")
    }

    private func report(_ req: Request) async throws -> PlatformAnalyticsReport {
        let query = try req.query.decode(AnalyticsController.RangeQuery.self)
        return try await req.analytics.platform(range: try req.analytics.range(from: query.from, to: query.to, timezone: "UTC"))
    }
}
