import ArgumentParser
import Foundation
import InletDaemon

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
      let (decoded, file) = try ConfigLoader().decode(path: options.config)
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
      struct Output: Encodable {
        var healthy: Bool
        var daemonError: String?
        enum CodingKeys: String, CodingKey {
          case healthy
          case daemonError = "daemon_error"
          case health
        }
        var health: StatusReport.HealthDocument?
      }
      let output = Output(
        healthy: report.isHealthy, daemonError: report.daemonError, health: report.health)
      print(String(decoding: try encoder.encode(output), as: UTF8.self))
    } else {
      print(report.render())
    }
    if !report.isHealthy { throw ExitCode(1) }
  }
}
