import ApplePasses
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOPosix
import Vapor

/// Configures the app from the process environment (see `AppConfig.load`).
public func configure(_ app: Application) async throws {
    let config = try AppConfig.load(
        from: ProcessInfo.processInfo.environment,
        isProduction: app.environment == .production
    )
    try await configure(app, config: config)
}

/// Configures the app from an explicit configuration; tests call this directly.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.config = config
    useSnakeCaseJSON()
    // Before the first request: Vapor reports every request to swift-metrics' backend.
    PlatformMetrics.bootstrap()

    app.http.server.configuration.hostname = config.hostname
    app.http.server.configuration.port = config.port
    app.routes.defaultMaxBodySize = ByteCount(value: config.maxBodyBytes)

    // Outermost first: the log line sees the status the error middleware chose.
    app.http.server.configuration.shutdownTimeout = .seconds(Int64(config.shutdownGrace))
    app.middleware = Middlewares()
    app.middleware.use(InFlightRequestsMiddleware(requests: app.inFlightRequests))
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(APIErrorMiddleware())

    try await useDatabase(config, in: app)
    let bcryptPool = NIOThreadPool(numberOfThreads: config.bcryptThreads)
    bcryptPool.start()
    app.passwordHashing = try PasswordHashing(cost: config.bcryptCost, threadPool: bcryptPool, maxWaiting: config.bcryptMaxWaiting)
    app.lifecycle.use(PasswordHashingLifecycle())
    app.pinHasher = PinHasher(secretKey: config.secretKey)
    app.appleWallet = try AppleWalletIssuer.load(config)
    if let issuer = app.appleWallet {
        let transport = try APNsClient(wallet: config.wallet, topic: issuer.signer.passTypeIdentifier, eventLoopGroup: app.eventLoopGroup)
        app.walletPushes = WalletPushNotifier(transport: transport, issuer: issuer, database: { [app] in app.db }, logger: app.logger)
        app.lifecycle.use(WalletPushLifecycle())
    }
    app.googleWallet = try await GoogleWalletIssuer.load(config, now: { [app] in app.clock() })
    if let issuer = app.googleWallet {
        app.googleWalletSync = GoogleWalletSync(
            issuer: issuer, database: { [app] in app.db }, logger: app.logger, now: { [app] in app.clock() })
        app.lifecycle.use(GoogleWalletLifecycle())
    }
    // After the wallets' handlers: handlers stop in reverse order, so the scheduler stops first.
    app.lifecycle.use(JobSchedulerLifecycle())
    // Last, so it runs first at shutdown: stop serving before jobs, pushes and databases close.
    app.lifecycle.use(GracefulShutdownLifecycle())
    app.migrations.add(AppMigrations.all)

    app.asyncCommands.use(CreateAdminCommand(), as: "create-admin")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(VerifyLedgerCommand(), as: "verify-ledger")
    app.asyncCommands.use(GenerateCommand(), as: "generate")
    app.asyncCommands.use(RunJobCommand(), as: "run-job")

    try app.useWebPages()
    try routes(app)
    try webRoutes(app)
    app.routeMethodIndex = RouteMethodIndex(app.routes)
    app.loggedPaths = LoggedPaths(app.routes)
}

/// Runs pending migrations when the command is `serve` (or none, which means serve), so a new
/// version starts on an up-to-date schema without a separate step.
public func migrateIfServing(_ app: Application) async throws {
    guard app.isServing else { return }
    try await app.autoMigrate()
}

extension Application {
    /// Whether this process was started to serve (`serve`, or no command), not for a one-off command.
    var isServing: Bool {
        let command = environment.commandInput.arguments.first
        return command == nil || command == "serve"
    }
}

/// API.md: JSON uses snake_case, times are RFC 3339 in UTC.
private func useSnakeCaseJSON() {
    ContentConfiguration.global.use(encoder: APIJSON.makeEncoder(), for: .json)
    ContentConfiguration.global.use(decoder: APIJSON.makeDecoder(), for: .json)
}

private func useDatabase(_ config: AppConfig, in app: Application) async throws {
    // Owner-only data on disk (DataFilePermissions): the data folder (a development key may be
    // there whatever the engine), then the SQLite files.
    for change in try config.dataDirectory.map({ try DataFilePermissions.secureFolder($0, create: false) }) ?? [] {
        app.logger.warning("Data file permissions: \(change)")
    }
    switch config.database {
    case .sqlite(let settings):
        let directory = URL(fileURLWithPath: settings.path).deletingLastPathComponent().path
        // Created owner-only; an existing folder other than the data folder may be shared: its files are tightened instead.
        try DataFilePermissions.secureFolder(directory, create: true, tightenExisting: false)
        for change in try DataFilePermissions.secureSQLiteFiles(settings.path) { app.logger.warning("Data file permissions: \(change)") }
        app.databases.use(.sqlite(.file(settings.path), sqlLogLevel: .trace), as: .sqlite)
        app.writeGate = AsyncGate(reportUsers: PlatformMetrics.writeGateUsers)
        try await SQLiteConnectionSetup.prepareEveryConnection(of: app, settings: settings)
    case .postgres(let url):
        var configuration = try SQLPostgresConfiguration(url: url)
        // A client that dies or hangs inside a transaction must not hold a card's lock: the
        // server ends such a session, and a waiter gives up instead of queueing forever.
        configuration.coreConfiguration.options.additionalStartupParameters += [
            ("lock_timeout", "\(config.postgresLockTimeoutMilliseconds)ms"),
            ("idle_in_transaction_session_timeout", "\(config.postgresIdleInTransactionTimeoutMilliseconds)ms"),
        ]
        app.databases.use(
            .postgres(
                configuration: configuration, maxConnectionsPerEventLoop: config.postgresConnectionsPerEventLoop, sqlLogLevel: .trace),
            as: .psql)
        app.writeGate = nil
    }
}
