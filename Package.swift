// swift-tools-version: 6.1
import PackageDescription

/// One set of settings for every target, tests included.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "berth",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "berth", targets: ["berth"]),
        .library(name: "BerthCore", targets: ["BerthCore"]),
        .library(name: "BerthNet", targets: ["BerthNet"]),
        .library(name: "BerthStore", targets: ["BerthStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The team server (`berth serve`) only.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // TLS for `berth serve --tls-cert` (through HummingbirdTLS) and for the client of `berth ip ... --server`.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // The dashboard's HTML templates (Sources/BerthServer/templates).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // `swift package generate-documentation` (the DocC catalogs of BerthCore and BerthStore, built by scripts/test.sh).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(name: "BerthNet", swiftSettings: swiftSettings),
        // What every berth library shares: JSONValue (the ordered value rendered objects and the
        // ledger's output are built as) and ExitStatus (the exit codes errors carry).
        .target(name: "BerthBase", swiftSettings: swiftSettings),
        .target(name: "CBerthSys"),
        // The IP ledger's databases, through their C client libraries (apt: libsqlite3-dev, libpq-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "BerthStore", dependencies: ["BerthNet", "BerthBase", "CSQLite", "CLibPQ"], swiftSettings: swiftSettings),
        // The team server: HTTP API over the ledger, tokens, metrics (`berth serve`).
        .target(
            name: "BerthServer",
            dependencies: [
                "BerthStore", "BerthNet",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("openapi.json"), .copy("templates")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BerthCore",
            dependencies: ["BerthNet", "BerthBase", "CBerthSys", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "berth",
            dependencies: [
                "BerthCore", "BerthStore", "BerthServer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // The HTTP client of `berth ip ... --server` (see RemoteLedger.swift for why not URLSession).
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ipdiff-driver", dependencies: ["BerthNet"], path: "scripts/ipdiff/driver",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "fuzz-driver", dependencies: ["BerthCore", "BerthNet"], path: "scripts/fuzz/driver",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "ledger-driver", dependencies: ["BerthStore", "BerthNet"], path: "scripts/ledger-driver",
            swiftSettings: swiftSettings),
        .testTarget(name: "BerthStoreTests", dependencies: ["BerthStore", "BerthNet", "BerthBase"], swiftSettings: swiftSettings),
        .testTarget(name: "BerthNetTests", dependencies: ["BerthNet"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BerthServerTests",
            dependencies: ["BerthServer", "BerthStore", "BerthNet", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BerthCoreTests",
            dependencies: ["BerthCore"],
            exclude: ["Fixtures", "Golden"],
            swiftSettings: swiftSettings
        ),
    ]
)
