import Fluent
import FluentSQL
import Foundation
import SQLKit
import Vapor

/// The merchants list of the admin pages: searched by name or contact e-mail, case-insensitive
/// on both databases (`LOWER(...) LIKE`, with the pattern's own `%`, `_` and `\` escaped).
struct MerchantDirectory: Sendable {
    let database: any Database

    func search(_ text: String?, page: Int, perPage: Int) async throws -> (merchants: [MerchantModel], total: Int) {
        let base = MerchantModel.query(on: database)
        guard let text, !text.isEmpty else {
            let total = try await base.copy().count()
            let rows = try await base.copy().sort(\.$name).sort(\.$id).offset((page - 1) * perPage).limit(perPage).all()
            return (rows, total)
        }
        let escaped = text.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        let pattern = "%" + escaped + "%"
        let matches = SQLQueryString(
            "(LOWER(name) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(contact_email) LIKE \(bind: pattern) ESCAPE '\\')")
        struct Total: Decodable { let n: Int }
        let total = try await database.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(MerchantModel.schema).where(matches).first(decoding: Total.self)?.n ?? 0
        let rows = try await database.sql.select().column("*").from(MerchantModel.schema).where(matches)
            .orderBy("name").orderBy("id").offset((page - 1) * perPage).limit(perPage)
            .all(decodingFluent: MerchantModel.self)
        return (rows, total)
    }
}
