// swift-tools-version:6.0
// The libFuzzer driver for Herald's hand-written parsers (`make fuzz`, scripts/fuzz.sh).
// A package of its own so that `swift build` of Herald never builds it: it only links
// with `-sanitize=fuzzer`, which scripts/fuzz.sh passes to every module (so the parsers
// in the Herald package are instrumented for coverage, not just this driver).
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name, whatever the clone is called.
let heraldDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "HeraldFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: heraldDirectory.path)],
    targets: [
        .target(name: "CLibFuzzer"),
        .executableTarget(
            name: "herald-fuzz",
            dependencies: ["CLibFuzzer", .product(name: "HeraldFuzzHarness", package: heraldDirectory.lastPathComponent)]
        ),
    ]
)
