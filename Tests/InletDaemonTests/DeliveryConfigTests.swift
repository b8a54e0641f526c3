import Foundation
import InletDaemon
import Testing

/// The `delivery:` section's keys.
@Suite("Delivery config")
struct DeliveryConfigTests {
  func load(_ delivery: String) throws -> LoadedConfig {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-delivery-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("channels"), withIntermediateDirectories: true)
    try "s3cret\n".write(
      to: folder.appendingPathComponent("delivery-secret"), atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("inlet.yaml").path
    try "delivery:\n\(delivery)\n".write(toFile: path, atomically: true, encoding: .utf8)
    return try ConfigLoader(environment: [:]).load(path: path)
  }

  @Test("durations, attempts and the secret are read")
  func keys() throws {
    let loaded = try load(
      """
        url: https://crm.example.ru/hs/leads
        secret_file: delivery-secret
        max_attempts: 5
        timeout: 1500ms
        backoff: 2s
        max_backoff: 5m
      """)
    let delivery = try #require(loaded.config.delivery)
    #expect(delivery.maxAttempts == 5)
    #expect(delivery.timeout == .milliseconds(1500))
    #expect(delivery.backoff == .seconds(2))
    #expect(delivery.maxBackoff == .seconds(300))
    #expect(loaded.deliverySecret == "s3cret")
  }

  @Test("a bad duration or attempt count names its key")
  func errors() throws {
    for (yaml, key) in [
      ("  url: http://x\n  timeout: soon", "timeout"),
      ("  url: http://x\n  max_attempts: 0", "max_attempts"),
    ] {
      #expect {
        _ = try load(yaml)
      } throws: { error in
        "\(error)".contains(key)
      }
    }
  }
}
