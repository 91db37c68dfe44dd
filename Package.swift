// swift-tools-version:6.0
import PackageDescription

// LinAlg, Constrained and the programs build without swift-syntax: a release build of
// swift-syntax takes about 8 minutes on a 2-core machine, and a numeric library must not
// impose that on every user. The macro target will arrive as an opt-in product.
let package = Package(
    name: "Constrained",
    products: [
        .library(name: "LinAlg", targets: ["LinAlg"]),
        .library(name: "Constrained", targets: ["Constrained"]),
        .executable(name: "constrained-bench", targets: ["ConstrainedBenchmarks"]),
        .executable(name: "constrained-demo", targets: ["ConstrainedDemo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // A build-tool plugin only (`make docs`); no target depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // Tests only: property-based checks of the manifold catalogue (random shapes and seeds).
        .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLAPACK",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(
            name: "LinAlg",
            dependencies: [
                "CLAPACK",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        .target(name: "Constrained", dependencies: ["LinAlg"]),
        .executableTarget(
            name: "ConstrainedBenchmarks",
            dependencies: [
                "Constrained",
                "CLAPACK",  // openblas_set_num_threads: the benchmark states its thread count
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "ConstrainedDemo",
            dependencies: [
                "Constrained",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "LinAlgTests",
            dependencies: ["LinAlg"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ConstrainedTests",
            dependencies: ["Constrained", .product(name: "PropertyBased", package: "swift-property-based")],
            resources: [.copy("Fixtures")]
        ),
        // Tests of the demo's data and plot logic: SwiftPM lets a test target import an
        // executable target (`@testable import ConstrainedDemo`), so no extra library is needed.
        .testTarget(name: "ConstrainedDemoTests", dependencies: ["ConstrainedDemo", "Constrained"]),
    ],
    swiftLanguageModes: [.v6]
)
