// swift-tools-version:6.1
// libFuzzer targets for every parser of untrusted bytes. They build only with the fuzzer and address sanitizers,
// through `scripts/fuzz`:
//
//     swift build --package-path Fuzz --scratch-path .build-fuzz -c debug \
//         -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing --product FuzzDigests
//
// Each target is an executable whose `<Target>_main` (the name SwiftPM links as `main` on Linux) hands libFuzzer's
// driver the target's `LLVMFuzzerTestOneInput`. The parsers are reached with `@testable import`, hence
// `-enable-testing`. Seed corpora are in Fuzz/Corpus/<Target>.
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .unsafeFlags(["-parse-as-library"]),
]

/// One fuzz target per parser family.
let targets = ["FuzzDigests", "FuzzManifests", "FuzzRanges", "FuzzBodies", "FuzzPatches", "FuzzSelectors", "FuzzDurations", "FuzzAuth"]

let package = Package(
    name: "WharfFuzz",
    platforms: [.macOS(.v15)],
    products: targets.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(name: "Wharf", path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: [
            "CLibFuzzer",
            .product(name: "WharfParsers", package: "Wharf"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: [.enableUpcomingFeature("ExistentialAny")]),
    ] + targets.map { name in
        .executableTarget(name: name, dependencies: [
            "CLibFuzzer", "FuzzSupport",
            .product(name: "WharfParsers", package: "Wharf"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: settings)
    }
)
