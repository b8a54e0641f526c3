import ArgumentParser
import InletDaemon

struct CheckConfig: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check-config",
    abstract: "Validate the configuration and every channel definition; exit 0 when usable.")

  @OptionGroup var options: ConfigOption

  func run() throws {
    let loaded = try options.load()
    let channels = loaded.channels.map { "\($0.name) (\($0.definition.name))" }
    print("config OK: \(loaded.file.path)")
    print("  database: \(loaded.databasePath)")
    print("  listener: \(loaded.config.http.host):\(loaded.config.http.port)")
    print("  channels: \(channels.isEmpty ? "none" : channels.joined(separator: ", "))")
    print("  definitions from: \(loaded.channelsDir.path)")
    print("  API tokens: \(loaded.apiTokens.map(\.name).joined(separator: ", "))")
  }
}
