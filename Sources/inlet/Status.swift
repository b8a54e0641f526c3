import ArgumentParser
import Foundation
import InletDaemon

struct Status: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Health of the daemon and every channel; exits non-zero when something fails.")

  @OptionGroup var options: ConfigOption
  @Flag(help: "Print the report as JSON.") var json = false

  func run() async throws {
    let loaded = try options.load()
    let report = await StatusReport.collect(loaded: loaded)
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
