// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Tidemark",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tidemark", targets: ["tidemark"]),
        .library(name: "TidemarkPolicy", targets: ["TidemarkPolicy"]),
        .library(name: "TidemarkSchedule", targets: ["TidemarkSchedule"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.25.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
    ],
    targets: [
        .target(
            name: "TidemarkPolicy",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "TidemarkSchedule",
            dependencies: ["TidemarkPolicy"]
        ),
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "TidemarkGit",
            dependencies: ["CGit2", "TidemarkPolicy"]
        ),
        .target(name: "TidemarkJSON"),
        .target(name: "TidemarkProviderModel", dependencies: ["TidemarkPolicy", "TidemarkJSON"]),
        .target(
            name: "TidemarkProviders",
            dependencies: [
                "TidemarkProviderModel", "TidemarkPolicy", "TidemarkSchedule", "TidemarkJSON", "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TidemarkReconcile",
            dependencies: [
                "TidemarkPolicy", "TidemarkSchedule", "TidemarkProviderModel", "TidemarkProviders", "TidemarkJSON",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TidemarkController",
            dependencies: [
                "TidemarkPolicy", "TidemarkSchedule", "TidemarkProviderModel", "TidemarkProviders", "TidemarkReconcile", "CMalloc",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "TidemarkEmulator",
            dependencies: [
                "TidemarkPolicy",
                "TidemarkJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "tidemark",
            dependencies: [
                "TidemarkPolicy",
                "TidemarkSchedule",
                "TidemarkProviders",
                "TidemarkReconcile",
                "TidemarkEmulator",
                "TidemarkGit",
                "TidemarkController",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.embedInCode("Resources/tidemark.schema.json")],
            plugins: ["BuildCommit"]
        ),
        .plugin(name: "BuildCommit", capability: .buildTool()),
        .executableTarget(
            name: "tidemark-bench",
            dependencies: [
                "TidemarkPolicy", "TidemarkSchedule", "TidemarkProviderModel", "TidemarkProviders", "TidemarkReconcile", "TidemarkEmulator",
                "TidemarkJSON",
                "TidemarkGit", "TestSupport", "TidemarkController", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/tidemark-bench"
        ),
        .testTarget(name: "TidemarkPolicyTests", dependencies: ["TidemarkPolicy", "TidemarkProviders", "TestSupport"]),
        .testTarget(name: "TidemarkScheduleTests", dependencies: ["TidemarkSchedule", "TidemarkPolicy", "TestSupport"]),
        .target(
            name: "TestSupport",
            dependencies: [
                "TidemarkEmulator", "TidemarkPolicy", "TidemarkProviderModel", "TidemarkProviders", "TidemarkReconcile", "TidemarkJSON",
            ],
            path: "Tests/TestSupport"),
        .testTarget(name: "TidemarkGitTests", dependencies: ["TidemarkGit", "TidemarkPolicy", "TestSupport"]),
        .testTarget(
            name: "TidemarkControllerTests",
            dependencies: [
                "TidemarkController", "TidemarkEmulator", "TidemarkProviders", "TidemarkPolicy", "TidemarkSchedule", "TidemarkReconcile",
                "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "TidemarkEmulatorTests", dependencies: ["TidemarkEmulator", "TidemarkJSON", "TestSupport"]),
        .testTarget(
            name: "TidemarkProvidersTests",
            dependencies: [
                "TidemarkProviderModel", "TidemarkProviders", "TidemarkEmulator", "TidemarkPolicy", "TidemarkSchedule", "TidemarkJSON",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "TidemarkReconcileTests",
            dependencies: [
                "TidemarkReconcile", "TidemarkEmulator", "TidemarkProviderModel", "TidemarkProviders", "TidemarkPolicy", "TidemarkJSON",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "TidemarkCLITests",
            dependencies: ["tidemark", "TidemarkEmulator", "TidemarkJSON", "TidemarkPolicy", "TidemarkSchedule", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
