import ArgumentParser
import Foundation
import InletDaemon
import InletStore

struct Status: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Health of the daemon and every channel; exits non-zero when something fails.")

  @OptionGroup var options: ConfigOption
  @Flag(help: "Print the report as JSON.") var json = false

  func run() async throws {
    // The config without its secrets: a monitoring user need not read the credentials.
    let config: InletConfig
    let databasePath: String
    do {
      let (decoded, file) = try ConfigLoader.asTheService(configPath: options.config).decode(
        path: options.config)
      config = decoded
      databasePath = ConfigLoader.databasePath(decoded, file: file)
    } catch {
      throw fail("config error: \(error)")
    }
    let report = await StatusReport.collect(config: config, databasePath: databasePath)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      encoder.dateEncodingStrategy = .iso8601
      // What the text says: the queue and the quarantine (from the database file, absent
      // when it cannot be read), with the daemon's own `/health` document.
      struct Output: Encodable {
        var healthy: Bool
        var daemonError: String?
        /// Inquiries by status: `new` is the queue depth.
        var queue: [String: Int]?
        /// Raw items that could not be parsed.
        var quarantine: Int?
        /// Raw items by status.
        var rawItems: [String: Int]?
        /// Pushes to the CRM pending and dead.
        var deliveries: [String: Int]?
        var health: StatusReport.HealthDocument?
        enum CodingKeys: String, CodingKey {
          case healthy
          case daemonError = "daemon_error"
          case queue, quarantine
          case rawItems = "raw_items"
          case deliveries, health
        }
      }
      let output = Output(
        healthy: report.isHealthy, daemonError: report.daemonError,
        queue: report.counts?.inquiries,
        quarantine: report.counts.map { $0.rawItems["quarantined"] ?? 0 },
        rawItems: report.counts?.rawItems, deliveries: report.counts?.deliveries,
        health: report.health)
      print(String(decoding: try encoder.encode(output), as: UTF8.self))
    } else {
      print(report.render())
    }
    if !report.isHealthy { throw ExitCode(1) }
  }
}
