import Fluent
import Foundation
import LoyaltyCore
import QRCodes
import Vapor

/// `/store/poster?size=a4|a6`, for managers and owners: a printable poster inviting customers
/// to enroll, with a large QR code of the store's absolute enrollment address
/// (`<base>/enroll/<STORE_CODE>`, see `Request.publicBaseURL`). Each size has a stylesheet of
/// its own with its `@page` size, so the browser's own print command prints it right too.
struct StorePosterPage: RouteCollection {
    enum Size: String, CaseIterable, Sendable {
        case a4, a6
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("poster", use: show)
    }

    struct PosterPage: Encodable, Sendable {
        struct SizeLink: Encodable, Sendable {
            let label: String
            let url: String
            let current: Bool
        }

        let size: String
        let sizeStylesheet: String
        let storeName: String
        let enrollURL: String
        let qrSVG: String
        let reward: String
        let sizes: [SizeLink]
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let asked = req.query[String.self, at: "size"]
        guard let size = Size(rawValue: (asked ?? "a4").lowercased()) else {
            throw APIError.validationFailed(["size": "must be a4 or a6"])
        }
        guard let store = try await StoreModel.find(req.store.storeID, on: req.db) else { throw APIError.notFound("The store") }
        let enrollURL = Self.enrollmentURL(base: req.publicBaseURL, storeCode: store.code)
        let program = try await ProgramModel.query(on: req.db).filter(\.$merchant.$id == req.store.merchantID).first()
        var reward = ""
        if let program, program.loyaltyType.collectsStamps, let description = program.stampsRewardDescription, !description.isEmpty {
            reward = req.t("store.poster_reward", req.storeFormat.number(program.stampsTarget), description)
        }
        let page = PosterPage(
            size: size.rawValue, sizeStylesheet: req.application.staticAssets.url("poster-\(size.rawValue).css"), storeName: store.name,
            enrollURL: enrollURL,
            // Quartile correction: a poster gets scuffed, folded and photographed at an angle.
            qrSVG: StoreQRCode.svg(enrollURL, label: req.t("store.poster_qr_label", store.name), correction: .quartile),
            reward: reward,
            sizes: Size.allCases.map {
                PosterPage.SizeLink(label: $0.rawValue.uppercased(), url: "/store/poster?size=" + $0.rawValue, current: $0 == size)
            })
        return try await req.renderPage("store/poster", title: "store.poster_title", page, stylesheet: "store.css", script: "store.js")
    }

    /// The absolute address the poster's code opens: the store's public enrollment page.
    static func enrollmentURL(base: String, storeCode: String) -> String {
        base + "/enroll/" + (storeCode.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? storeCode)
    }
}
