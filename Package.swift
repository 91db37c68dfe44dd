// swift-tools-version:6.0
import CompilerPluginSupport
import PackageDescription

// LinAlg, Constrained and the programs build without swift-syntax: a release build of
// swift-syntax takes about 8 minutes on a 2-core machine, and a numeric library must not
// impose that on every user. The macros (`@Layer`) are an opt-in product,
// `ConstrainedLayerMacros`: only a graph that contains it compiles swift-syntax (SwiftPM
// still fetches the package when resolving, but builds only what a product needs).
let package = Package(
    name: "Constrained",
    products: [
        .library(name: "LinAlg", targets: ["LinAlg"]),
        .library(name: "Constrained", targets: ["Constrained"]),
        .library(name: "ConstrainedLayerMacros", targets: ["ConstrainedLayerMacros"]),
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
        // Only for the opt-in macro product and its tests.
        .package(url: "https://github.com/swiftlang/swift-syntax", exact: "603.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLAPACK",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // Elementwise kernels on SLEEF (libsleef-dev), one copy per instruction set, chosen at
        // run time; LinAlg falls back to its own Swift kernels where none applies.
        .target(name: "CVectorMath", linkerSettings: [.linkedLibrary("sleef")]),
        .target(
            name: "LinAlg",
            dependencies: [
                "CLAPACK",
                "CVectorMath",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        .target(name: "Constrained", dependencies: ["LinAlg"]),
        // What `@Layer` and its markers expand to: a plain target, so that its tests do not
        // depend on a macro target (which would build every test target for the host, where
        // the demo's executable module is not available to `@testable import`).
        .target(
            name: "ConstrainedMacroExpansions",
            dependencies: [
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxBuilder", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
            ]
        ),
        // The compiler plugin: only the entry point.
        .macro(
            name: "ConstrainedMacros",
            dependencies: [
                "ConstrainedMacroExpansions",
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
            ]
        ),
        // The public macro declarations: `import ConstrainedLayerMacros` opts in.
        .target(name: "ConstrainedLayerMacros", dependencies: ["Constrained", "ConstrainedMacros"]),
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
        .testTarget(
            name: "ConstrainedMacrosTests",
            dependencies: [
                "ConstrainedMacroExpansions",
                "ConstrainedLayerMacros",
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacrosGenericTestSupport", package: "swift-syntax"),
            ]
        ),
        .testTarget(name: "ConstrainedDemoTests", dependencies: ["ConstrainedDemo", "Constrained"]),
    ],
    swiftLanguageModes: [.v6]
)
