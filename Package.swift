// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Herald",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "herald", targets: ["herald"]),
        .library(name: "HeraldCore", targets: ["HeraldCore"]),
        .library(name: "HeraldJOSE", targets: ["HeraldJOSE"]),
        // For the libFuzzer drivers of Fuzz/Package.swift (`make fuzz`); not part of herald.
        .library(name: "HeraldFuzzHarness", targets: ["HeraldFuzzHarness"]),
        // The relying-party library an API links (docs/verify-agents.md); never the issuer.
        .library(name: "HeraldVerifier", targets: ["HeraldVerifier"]),
        // The example relying party of Examples/RelyingParty (`make example-rp`).
        .executable(name: "herald-example-rp", targets: ["herald-example-rp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // TLS on the listeners (HummingbirdTLS is built on it): certificates, keys, reload.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        // The PostgreSQL store (HeraldPostgres): PostgresClient, its connection pool.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .target(
            name: "HeraldCore",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "HeraldJOSE",
            dependencies: [
                "HeraldCore", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA public keys (RS256) of upstream identity providers' JWKS: verify only.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HeraldFederation",
            dependencies: ["HeraldCore", "HeraldJOSE"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HeraldVerifier",
            // A relying party links this; it must never depend on the issuer targets
            // (HeraldServer, HeraldStore, HeraldAPI).
            dependencies: [
                "HeraldCore", "HeraldJOSE",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        // `scripts/bench-verifier.sh`: Agent-Signature verifications per second through
        // AgentTrustMiddleware vs raw ES256 verifications (release build, in-process).
        .executableTarget(
            name: "herald-verifier-bench",
            dependencies: [
                "HeraldVerifier", "HeraldCore", "HeraldJOSE",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/HeraldVerifierBench",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HeraldStore",
            dependencies: [
                // Only for StoreBackends.standard, which also opens postgres:// (HeraldPostgres).
                "HeraldCore", "HeraldPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The PostgreSQL store behind the same seam as HeraldStore (issue 14): same schema,
        // same sealed keys, same audit chain.
        .target(
            name: "HeraldPostgres",
            dependencies: [
                "HeraldCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // `scripts/bench-gate.sh`: seeds a throw-away data directory's store with N agents and
        // their passports through SQLiteStore's own calls (bench only; not part of herald).
        .executableTarget(
            name: "herald-bench-seed",
            dependencies: ["HeraldStore", "HeraldCore"],
            path: "Sources/HeraldBenchSeed",
            swiftSettings: swiftSettings
        ),
        .systemLibrary(name: "CLDAP", path: "Sources/CLDAP", providers: [.apt(["libldap2-dev"])]),
        .target(
            name: "HeraldDirectory",
            dependencies: ["HeraldCore", "CLDAP", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HeraldAPI",
            dependencies: [
                "HeraldCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Domain services (grants, lifecycle, keys, federation, passports, realms, directory
        // resolution): no HTTP types, so they never throw an HTTP error (ServiceError instead).
        .target(
            name: "HeraldServices",
            dependencies: [
                "HeraldCore", "HeraldJOSE", "HeraldStore", "HeraldAPI", "HeraldDirectory", "HeraldVerifier",
                "HeraldFederation",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP side: routes, body decoding, the one mapping of ServiceError to OAuthError,
        // and the composition root.
        .target(
            name: "HeraldServer",
            dependencies: [
                "HeraldCore", "HeraldJOSE", "HeraldStore", "HeraldAPI", "HeraldDirectory", "HeraldVerifier",
                "HeraldFederation", "HeraldServices",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // A relying party as an API owner writes one: HeraldVerifier and Hummingbird only.
        .executableTarget(
            name: "herald-example-rp",
            dependencies: ["HeraldVerifier", "HeraldCore", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Examples/RelyingParty",
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "herald",
            dependencies: [
                "HeraldServer", "HeraldServices", "HeraldAPI", "HeraldJOSE", "HeraldStore", "HeraldCore", "HeraldVerifier",
                "HeraldFederation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HeraldTesting",
            dependencies: [
                "HeraldCore", "HeraldJOSE", "HeraldStore", "HeraldAPI", "HeraldServer", "HeraldServices",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        // What every fuzz target feeds its parser and checks: shared by the libFuzzer drivers
        // (Fuzz/) and the corpus replay test, so a fixed crash stays fixed.
        .target(
            name: "HeraldFuzzHarness",
            dependencies: [
                "HeraldCore", "HeraldJOSE", "HeraldFederation", "HeraldDirectory", "HeraldAPI", "HeraldServer", "HeraldServices",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HeraldCoreTests", dependencies: ["HeraldCore", "HeraldTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HeraldJOSETests",
            dependencies: ["HeraldJOSE", "HeraldTesting", .product(name: "_CryptoExtras", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HeraldVerifierTests",
            dependencies: [
                "HeraldVerifier", "HeraldTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HeraldDirectoryTests", dependencies: ["HeraldDirectory", "HeraldTesting"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "HeraldFederationTests", dependencies: ["HeraldFederation"], swiftSettings: swiftSettings),
        .testTarget(name: "HeraldStoreTests", dependencies: ["HeraldStore", "HeraldTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HeraldPostgresTests",
            dependencies: ["HeraldPostgres", "HeraldTesting", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "heraldTests",
            dependencies: ["herald", "HeraldTesting", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HeraldFuzzHarnessTests", dependencies: ["HeraldFuzzHarness"], swiftSettings: swiftSettings),
        .testTarget(name: "HeraldAPITests", dependencies: ["HeraldAPI", "HeraldTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HeraldServerTests",
            dependencies: [
                "HeraldServer", "HeraldServices", "HeraldTesting", "HeraldVerifier",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
