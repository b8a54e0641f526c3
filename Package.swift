// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "inlet",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "inlet", targets: ["inlet"])
  ],
  dependencies: [
    .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CCurl",
      pkgConfig: "libcurl",
      providers: [.apt(["libcurl4-openssl-dev"])]
    ),
    .target(
      name: "InletCore",
      dependencies: [
        .product(name: "Yams", package: "Yams"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .target(
      name: "InletStore",
      dependencies: [
        "InletCore",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
      ]
    ),
    .target(
      name: "InletMail",
      dependencies: ["CCurl", "InletCore"]
    ),
    .target(
      name: "InletHTTP",
      dependencies: [
        "InletCore",
        "InletStore",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    .target(
      name: "InletDaemon",
      dependencies: [
        "InletCore",
        "InletStore",
        "InletHTTP",
        "InletMail",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .executableTarget(
      name: "inlet",
      dependencies: [
        "InletDaemon",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .target(
      name: "InletTestSupport",
      path: "Tests/InletTestSupport"
    ),
    .testTarget(
      name: "InletMailTests",
      dependencies: ["InletMail", "InletCore", "InletTestSupport"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "InletCoreTests",
      dependencies: ["InletCore"]
    ),
    .testTarget(
      name: "InletStoreTests",
      dependencies: ["InletStore", "InletCore"]
    ),
    .testTarget(
      name: "InletDaemonTests",
      dependencies: [
        "InletDaemon", "InletCore", "InletStore", "InletMail", "InletTestSupport",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
  ],
  swiftLanguageModes: [.v6]
)
