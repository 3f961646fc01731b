// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "loyalty",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "loyalty", targets: ["loyalty"])
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/vapor/routing-kit.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.0"),
        // jwt-kit 5 needs swift-crypto 4.
        .package(url: "https://github.com/apple/swift-crypto.git", "4.1.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.0"),
        // `/metrics`: Vapor reports requests through swift-metrics; Prometheus' text format.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
    ],
    targets: [
        // Pure domain rules: Foundation only. No Vapor, no Fluent, no I/O.
        .target(name: "LoyaltyCore", swiftSettings: swiftSettings),
        // Apple Wallet passes: pass.json, the manifest, the PKCS#7 signature and the .pkpass
        // archive. No Vapor, no database: the App target feeds it plain values.
        .target(
            name: "ApplePasses",
            dependencies: [
                .target(name: "LoyaltyCore"),  // hex, for the manifest
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        // Google Wallet: the service account, its OAuth token, the REST client, the loyalty
        // class and object bodies and the save link. No Vapor, no database.
        .target(
            name: "GoogleWallet",
            dependencies: [
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // libqrencode, the C QR code encoder (docs/decisions/0023-qr-codes.md).
        .systemLibrary(
            name: "CQRencode",
            pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]
        ),
        // QR codes as Swift values and SVG: Foundation and libqrencode only, no Vapor.
        .target(
            name: "QRCodes",
            dependencies: [.target(name: "CQRencode")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "App",
            dependencies: [
                .target(name: "LoyaltyCore"),
                .target(name: "ApplePasses"),
                .target(name: "GoogleWallet"),
                .target(name: "QRCodes"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [
                .copy("Resources/openapi.json"),
                .copy("Resources/Views"),
                .copy("Resources/Public"),
                .copy("Resources/Localization"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "loyalty",
            dependencies: [.target(name: "App")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoyaltyCoreTests",
            dependencies: [.target(name: "LoyaltyCore")],
            swiftSettings: swiftSettings
        ),
        // Test-only: a throwaway Apple-shaped PKI and openssl checks, shared by both test targets.
        .target(
            name: "WalletTestSupport",
            dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")],
            path: "Tests/WalletTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ApplePassesTests",
            dependencies: [.target(name: "ApplePasses"), .target(name: "WalletTestSupport")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GoogleWalletTests",
            dependencies: [.target(name: "GoogleWallet"), .target(name: "LoyaltyCore"), .target(name: "WalletTestSupport")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QRCodesTests",
            dependencies: [.target(name: "QRCodes"), .target(name: "LoyaltyCore")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AppTests",
            dependencies: [
                .target(name: "App"),
                .target(name: "LoyaltyCore"),
                .target(name: "ApplePasses"),
                .target(name: "GoogleWallet"),
                .target(name: "WalletTestSupport"),
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "RoutingKit", package: "routing-kit"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

var swiftSettings: [SwiftSetting] {
    [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ]
}
