import ArgumentParser
import Foundation
import InletCore
import InletDaemon
import InletStore

/// `inlet directory`: the client directory that inquiries are matched against.
struct Directory: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Load the CRM's clients, contacts and interests that inquiries are matched against.",
    subcommands: [DirectoryImport.self, DirectoryBenchMatch.self])
}

/// The configured database, opened with the configured directory settings for a directory
/// command, and whether a running daemon uses it too.
func openDirectoryDatabase(_ configPath: String) throws -> (
  database: InletDatabase, besideDaemon: Bool
) {
  let config: InletConfig
  let path: String
  do {
    let (decoded, file) = try ConfigLoader.asTheService(configPath: configPath).decode(
      path: configPath)
    config = decoded
    path = ConfigLoader.databasePath(decoded, file: file)
  } catch {
    throw fail("config error: \(error)")
  }
  do {
    let command = try WritingCommand(path: path, settings: config.directorySettings)
    return (command.database, command.besideDaemon)
  } catch let error as ServerError {
    throw fail(error.description)
  }
}
