// swift-tools-version:6.0
// LoadGate's fuzz targets, kept out of the main package so `swift build` and `swift test` never
// build them. No dependencies: Sources/LoadGate, CCurl, CZlib and CNet are symbolic links to the
// main package's own sources. Built and run by scripts/fuzz with -sanitize=fuzzer (libFuzzer).
import PackageDescription

let package = Package(
    name: "LoadGateFuzz",
    targets: [
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib"),
        .systemLibrary(name: "CNet", path: "Sources/CNet"),
        .systemLibrary(name: "CFuzzer", path: "Sources/CFuzzer"),
        .target(name: "LoadGate", dependencies: ["CCurl", "CZlib", "CNet"], path: "Sources/LoadGate",
                swiftSettings: [.unsafeFlags(["-enable-testing"])]),
        .executableTarget(name: "LoadGateFuzz", dependencies: ["LoadGate", "CFuzzer", "CNet"], path: "Sources/LoadGateFuzz",
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    ],
    swiftLanguageModes: [.v6]
)
