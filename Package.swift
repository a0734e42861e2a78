// swift-tools-version:6.0
// LoadGate: a load-testing and readiness gate. No Swift package dependencies by design:
// only Foundation, Dispatch and system C libraries (libcurl, zlib), so it builds in air-gapped CI.
import PackageDescription

let package = Package(
    name: "LoadGate",
    products: [
        .executable(name: "loadgate", targets: ["loadgate"]),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Header-only: epoll and socket calls Swift cannot make directly (packed structs, variadics).
        .systemLibrary(name: "CNet", path: "Sources/CNet"),
        .target(name: "LoadGate", dependencies: ["CCurl", "CZlib", "CNet"]),
        .executableTarget(name: "loadgate", dependencies: ["LoadGate"]),
        .testTarget(name: "LoadGateTests", dependencies: ["LoadGate", "loadgate"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
