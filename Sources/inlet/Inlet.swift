import ArgumentParser
import Foundation
import InletDaemon

/// The `inlet` command: the daemon and its administration.
@main
struct Inlet: AsyncParsableCommand {
  /// This release, as `inlet --version` prints it.
  static let version = "0.13.0"

  static let configuration = CommandConfiguration(
    commandName: "inlet",
    abstract: "Lead intake daemon: every letter, call, form and chat message becomes one inquiry.",
    version: version,
    subcommands: [
      Serve.self, CheckConfig.self, Poll.self, Inquiries.self, ReplayCommand.self,
      Directory.self, Status.self, Backup.self, Restore.self, BenchMail.self,
    ])
}

/// `--config FILE`, shared by every subcommand.
struct ConfigOption: ParsableArguments {
  @Option(name: .long, help: "The configuration file.")
  var config: String =
    ProcessInfo.processInfo.environment["INLET_CONFIG"] ?? "/etc/inlet/inlet.yaml"
}

extension ConfigOption {
  /// Loads and resolves the configuration, or exits with the first problem and its key path.
  func load(mailOnly: Bool = false) throws -> LoadedConfig {
    do {
      return try ConfigLoader.asTheService(configPath: config).load(
        path: config, mailOnly: mailOnly)
    } catch {
      throw fail("config error: \(error)")
    }
  }
}

/// Prints a configuration error the way administrators grep for it, and exits non-zero.
func fail(_ message: String) -> ExitCode {
  FileHandle.standardError.write(Data("inlet: \(message)\n".utf8))
  return ExitCode(1)
}
