import ArgumentParser
import InletDaemon
import Logging

struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the daemon: the webhook listener, the API and the health endpoints.")

  @OptionGroup var options: ConfigOption

  @Option(
    name: .long,
    help: "Log lines as `text` (journald priorities under systemd) or `json`; default: the config.")
  var logFormat: LogFormat?

  func run() async throws {
    let loaded = try options.load()
    LoggingSetup.bootstrap(
      level: loaded.config.logging.level,
      format: logFormat ?? LogFormat(rawValue: loaded.config.logging.format) ?? .text)
    let logger = Logger(label: "inlet")
    try await InletServer(loaded: loaded, logger: logger).run()
  }
}

extension LogFormat: ExpressibleByArgument {}
