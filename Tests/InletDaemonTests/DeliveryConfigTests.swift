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

  @Test("by default the retries outlast a CRM's maintenance window (at least 3 hours)")
  func defaultRetrySpan() throws {
    let delivery = try #require(try load("  url: https://crm.example.ru/hs/leads").config.delivery)
    func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) }
    // The shortest span: every wait at the low end of its jitter (half).
    var shortest = 0.0
    for attempt in 1..<delivery.maxAttempts {
      let wait = min(
        seconds(delivery.maxBackoff), seconds(delivery.backoff) * pow(2, Double(attempt - 1)))
      shortest += wait / 2
    }
    #expect(shortest >= 3 * 3600, "\(shortest) s")
  }

  /// The password of delivery.url's user from a file; in the URL it is a warning of
  /// `check-config` (the config file is readable by every local user).
  @Test func passwordFile() throws {
    let loaded = try load(
      """
        url: https://inlet@crm.example.ru/hs/leads
        password_file: delivery-secret
      """)
    #expect(loaded.deliveryPassword == "s3cret")
    #expect(!loaded.deliveryURLHoldsPassword)
    #expect(try load("  url: https://inlet:pw@crm.example.ru/hs/leads").deliveryURLHoldsPassword)
    for (yaml, problem) in [
      ("  url: https://crm.example.ru/x\n  password_file: delivery-secret", "name the user"),
      ("  url: https://u:pw@crm.example.ru/x\n  password_file: delivery-secret", "file only"),
      ("  url: https://u@crm.example.ru/x\n  password_file: missing", "password_file"),
    ] {
      #expect {
        _ = try load(yaml)
      } throws: { error in
        "\(error)".contains(problem)
      }
    }
  }

  @Test("a bad duration or attempt count names its key")
  func errors() throws {
    for (yaml, key) in [
      ("  url: http://x\n  timeout: soon", "timeout"),
      ("  url: http://x\n  max_attempts: 0", "max_attempts"),
      ("  url: http://x\n  timeout: 0s", "timeout"),
      ("  url: http://x\n  backoff: 0ms", "backoff"),
      ("  url: http://x\n  timeout: 2600000h", "timeout"),
      ("  url: not a url", "url"),
      ("  url: crm.example.ru/hs/leads", "url"),
      ("  url: ftp://crm.example.ru/leads", "url"),
    ] {
      #expect {
        _ = try load(yaml)
      } throws: { error in
        "\(error)".contains(key)
      }
    }
  }
}
