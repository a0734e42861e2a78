// swift-tools-version:6.0
// LoadGate's fuzz targets, kept out of the main package so `swift build` and `swift test` never
// build them. No dependencies: Sources/LoadGate and Sources/CCurl are symbolic links to the main
// package's own sources. Built and run by scripts/fuzz with -sanitize=fuzzer (libFuzzer).
import PackageDescription

let package = Package(
    name: "LoadGateFuzz",
    targets: [
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl"),
        .systemLibrary(name: "CFuzzer", path: "Sources/CFuzzer"),
        .target(name: "LoadGate", dependencies: ["CCurl"], path: "Sources/LoadGate",
                swiftSettings: [.unsafeFlags(["-enable-testing"])]),
        .executableTarget(name: "LoadGateFuzz", dependencies: ["LoadGate", "CFuzzer"], path: "Sources/LoadGateFuzz",
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    ],
    swiftLanguageModes: [.v6]
)
