import ArgumentParser
import InletDaemon
import Logging

struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the daemon: the webhook listener, the API and the health endpoints.")

  @OptionGroup var options: ConfigOption

  func run() async throws {
    let loaded: LoadedConfig
    do {
      loaded = try ConfigLoader().load(path: options.config)
    } catch {
      throw fail("config error: \(error)")
    }
    LoggingSetup.bootstrap(level: loaded.config.logging.level)
    let logger = Logger(label: "inlet")
    try await InletServer(loaded: loaded, logger: logger).run()
  }
}
