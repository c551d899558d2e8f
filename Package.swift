// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Wharf",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wharfd", targets: ["wharfd"]),
        .executable(name: "wharf", targets: ["wharf"]),
        // The targets the fuzz package (Fuzz/) reaches the parsers through; not an API for anyone else.
        .library(name: "WharfParsers", targets: ["WharfModel", "WharfImageAPI", "WharfAccess", "WharfHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The release and the git commit it was built from (the GitCommit plugin records it at build time).
        .target(name: "WharfVersion", swiftSettings: strict, plugins: ["GitCommit"]),
        .plugin(name: "GitCommit", capability: .buildTool()),
        // Value types and rules.
        .target(name: "WharfModel", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // Storage protocols, records and in-memory implementations.
        .target(name: "WharfStorage", dependencies: [
            "WharfModel",
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: strict),
        // The behaviour suite every backend must pass.
        .target(name: "WharfStorageConformance", dependencies: ["WharfStorage", .product(name: "NIOCore", package: "swift-nio")], swiftSettings: strict),
        .target(name: "BlobStoreFilesystem", dependencies: [
            "WharfStorage", "CWharfSystem",
            .product(name: "_NIOFileSystem", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // Blobs on S3-compatible object storage: the store, the S3 calls it needs, and their SigV4 signer.
        .target(name: "BlobStoreS3", dependencies: [
            "WharfModel", "WharfStorage",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: strict),
        .target(name: "MetadataStoreSQLite", dependencies: [
            "WharfStorage",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strict),
        .target(name: "MetadataStorePostgres", dependencies: [
            "WharfStorage", "WharfModel",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: strict),
        // Use cases.
        .target(name: "WharfAccess", dependencies: [
            "WharfModel", "WharfStorage",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: strict),
        .target(name: "WharfImageAPI", dependencies: ["WharfModel", "WharfStorage"], swiftSettings: strict),
        .target(name: "WharfRegistry", dependencies: ["WharfModel", "WharfStorage", "WharfImageAPI", .product(name: "NIOCore", package: "swift-nio")], swiftSettings: strict),
        // HTTP edge.
        .target(name: "WharfHTTP", dependencies: [
            "WharfModel", "WharfVersion", "WharfStorage", "WharfImageAPI", "WharfRegistry", "WharfAccess",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ], swiftSettings: strict),
        // Composition root.
        .target(name: "WharfServer", dependencies: [
            "WharfHTTP", "WharfRegistry", "WharfImageAPI", "WharfStorage", "WharfAccess",
            "BlobStoreFilesystem", "BlobStoreS3", "MetadataStoreSQLite", "MetadataStorePostgres",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], swiftSettings: strict),
        .target(name: "CWharfSystem"),
        .executableTarget(name: "wharfd", dependencies: [
            "WharfServer", "WharfHTTP", "WharfAccess", "WharfModel", "CWharfSystem", "WharfVersion",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // The client side: a typed HTTP client, and the CLI on top of it.
        .target(name: "WharfClient", dependencies: [
            "WharfModel",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: strict),
        .executableTarget(name: "wharf", dependencies: [
            "WharfClient", "WharfModel", "WharfVersion",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // Test harness: a real server on an ephemeral port.
        .target(name: "WharfTesting", dependencies: [
            "WharfServer",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ], swiftSettings: strict),

        .testTarget(name: "WharfModelTests", dependencies: ["WharfModel"], swiftSettings: strict),
        .testTarget(name: "WharfStorageTests", dependencies: ["WharfStorage", "WharfStorageConformance"], swiftSettings: strict),
        .testTarget(name: "BlobStoreS3Tests", dependencies: ["BlobStoreS3", "WharfModel", "WharfStorage", "WharfStorageConformance", .product(name: "Crypto", package: "swift-crypto"),
                                                            .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")],
                    exclude: ["aws4_testsuite"], swiftSettings: strict),
        .testTarget(name: "BlobStoreFilesystemTests", dependencies: ["BlobStoreFilesystem", "CWharfSystem", "WharfStorageConformance", .product(name: "NIOCore", package: "swift-nio")], swiftSettings: strict),
        .testTarget(name: "MetadataStorePostgresTests", dependencies: ["MetadataStorePostgres", "WharfStorageConformance", "WharfStorage", "WharfModel",
                                                                   .product(name: "PostgresNIO", package: "postgres-nio"),
                                                                   .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .testTarget(name: "MetadataStoreSQLiteTests", dependencies: ["MetadataStoreSQLite", "WharfStorageConformance", "WharfModel"], swiftSettings: strict),
        .testTarget(name: "WharfAccessTests", dependencies: [
            "WharfAccess", "WharfModel", "WharfStorage", .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .testTarget(name: "WharfRegistryTests", dependencies: [
            "WharfRegistry", "WharfImageAPI", "WharfModel", "WharfStorage", .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: strict),
        .testTarget(name: "WharfImageAPITests", dependencies: ["WharfImageAPI", "WharfModel", "WharfStorage"], swiftSettings: strict),
        .testTarget(name: "WharfHTTPTests", dependencies: [
            "WharfTesting", "WharfModel", "WharfServer", "WharfHTTP", "WharfAccess", "WharfVersion",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
    ]
)
