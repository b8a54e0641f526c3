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

  /// Why the daemon does not start (the config, the database, the port) is one error line of
  /// its log — with its journald priority, or as JSON — not ArgumentParser's `Error: …`.
  func run() async throws {
    let loaded: LoadedConfig
    do {
      loaded = try ConfigLoader().load(path: options.config)
    } catch {
      // The format asked for, or the file's when it decodes (a secret it cannot read).
      let logging = (try? ConfigLoader().decode(path: options.config))?.0.logging
      LoggingSetup.bootstrap(
        level: "info",
        format: logFormat ?? logging.flatMap { LogFormat(rawValue: $0.format) } ?? .text)
      Logger(label: "inlet").error(
        "config error: \(error)", metadata: ["config": "\(options.config)"])
      throw ExitCode(1)
    }
    LoggingSetup.bootstrap(
      level: loaded.config.logging.level,
      format: logFormat ?? LogFormat(rawValue: loaded.config.logging.format) ?? .text)
    let logger = Logger(label: "inlet")
    do {
      try await InletServer(loaded: loaded, logger: logger).run()
    } catch {
      logger.error("\(StartupFailure.describe(error, http: loaded.config.http))")
      throw ExitCode(1)
    }
  }
}

extension LogFormat: ExpressibleByArgument {}
