// swift-tools-version: 6.1
// Baseline for bench/webhook.sh: the cheapest possible Hummingbird 2 handler
// (collect the request body, answer 204). Not part of the inlet build.
import PackageDescription

let package = Package(
  name: "bare-hummingbird",
  platforms: [.macOS(.v15)],
  dependencies: [
    .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1")
  ],
  targets: [
    .executableTarget(
      name: "bare",
      dependencies: [
        .product(name: "Hummingbird", package: "hummingbird")
      ]
    )
  ],
  swiftLanguageModes: [.v6]
)
