import Fluent
import FluentSQL
import Foundation
import LoyaltyCore
import Vapor

/// `loyalty generate --merchants M --cards N --transactions T`: realistic data in bulk for
/// trying the back office and for the benchmark (docs/decisions/0031-data-generator.md).
struct GenerateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "merchants", help: "Merchants to create (each with a program, rewards, 2-3 stores, staff and PINs)")
        var merchants: String?
        @Option(name: "cards", help: "Cards (with their customers) in total, spread over the merchants")
        var cards: String?
        @Option(name: "transactions", help: "Ledger rows in total, spread over the cards and the last 400 days")
        var transactions: String?
        @Option(name: "seed", help: "Seed of the random choices: the same seed and --until give the same data (default 1)")
        var seed: String?
        @Option(name: "until", help: "Last day of the history, YYYY-MM-DD (default: today, UTC)")
        var until: String?
        @Flag(name: "append", help: "Add to a database that already has merchants")
        var append: Bool
    }

    var help: String { "Generates merchants, stores, staff, cards and ledger rows in bulk (verify-ledger accepts them)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try DemoCommand.refuseInProduction(app.config)
        let plan: GenerationPlan
        do throws(GenerationPlanError) {
            plan = try GenerationPlan(merchants: signature.merchants, cards: signature.cards, transactions: signature.transactions)
        } catch { throw ConfigError("loyalty generate: \(error.description)") }
        guard let seed = UInt64(signature.seed ?? "1") else { throw ConfigError("loyalty generate: --seed must be a whole number ≥ 0.") }
        let end = try Self.end(of: signature.until)
        try await app.autoMigrate()
        let existing = try await MerchantModel.query(on: app.db).count()
        guard existing == 0 || signature.append else {
            throw ConfigError(
                "loyalty generate: the database already has \(existing) merchants; pass --append to add to them, or use an empty database.")
        }
        let started = Date()
        let generator = DataGenerator(
            database: app.db, plan: plan, seed: seed, end: end, passwordHash: try await app.passwordHashing.hash(DataGenerator.password),
            pinHasher: app.pinHasher, progress: GeneratorProgress())
        try await Self.ensureAdmin(on: app.db, passwordHash: generator.passwordHash)
        let summary = try await generator.run(firstIndex: existing)
        // What the daily `loyalty.compact_rollups` would do: the generated past, summed per
        // merchant and day (the rollups' write reset them).
        try await MerchantDays.compact(now: app.clock(), on: app.db, writeGate: app.writeGate)
        let analyze = Date()
        context.console.error("generate: ANALYZE (the query planner's statistics; VACUUM ANALYZE on PostgreSQL)…", newLine: true)
        // The planner's statistics, as after any bulk load. SQLite's are sampled (at most 1,000
        // rows per index, as `PRAGMA optimize` does): a full ANALYZE read the whole 9 GB file at
        // a few MB/s and had not finished after 5 minutes. On PostgreSQL (which samples anyway) a
        // VACUUM too: it marks the new pages all-visible, which index-only scans need.
        if app.db.isSQLite {
            try await app.db.withConnection { connection in
                try await connection.sql.raw("PRAGMA analysis_limit = 1000").run()
                try await connection.sql.raw("ANALYZE").run()
            }
        } else {
            try await app.db.sql.raw("VACUUM ANALYZE").run()
        }
        let seconds = Date().timeIntervalSince(started)
        context.console.print(
            """
            Generated \(summary.merchants) merchants, \(summary.cards) cards and \(summary.rows) ledger rows in \(String(format: "%.1f", seconds)) s \
            (ANALYZE \(String(format: "%.1f", Date().timeIntervalSince(analyze))) s).
            Every generated account has the password "\(DataGenerator.password)": \(DataGenerator.adminEmail) (platform admin), \
            \(summary.ownerEmails.first ?? "") (owner of the largest merchant), manager1@m1.generate.test, cashier1@m1.generate.test; \
            PINs at store N of each merchant: manager \(DataGenerator.pin(store: 1, offset: 0)) + 10×(N-1), cashier that + 1.
            """)
    }

    /// The end of the history: the end of `until` (UTC), or now.
    static func end(of until: String?) throws -> Date {
        guard let until else { return LedgerEntry.wholeMilliseconds(Date()) }
        guard let day = CalendarDate(until), day.isValid,
            let start = Calendar(identifier: .gregorian).date(
                from: DateComponents(timeZone: .gmt, year: day.year, month: day.month, day: day.day))
        else { throw ConfigError("loyalty generate: --until must be a date YYYY-MM-DD, not \"\(until)\".") }
        return start.addingTimeInterval(86_399)
    }

    /// A platform admin to sign in with, unless one with that e-mail exists.
    static func ensureAdmin(on database: any Database, passwordHash: String) async throws {
        guard try await UserModel.query(on: database).filter(\.$email == DataGenerator.adminEmail).first() == nil else { return }
        try await UserModel(
            email: DataGenerator.adminEmail, passwordHash: passwordHash, name: "Generated Admin", role: .platformAdmin, merchantID: nil,
            storeID: nil
        ).create(on: database)
    }
}
