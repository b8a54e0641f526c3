import ArgumentParser
import Foundation
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
    // Run as root, every secret file is readable; the service (a dynamic user) reads only
    // what LoadCredential= hands it.
    if getuid() == 0 {
      // The installed unit's sandbox, when this is the config it runs.
      let unitPath = "/etc/systemd/system/inlet.service"
      if let unit = try? String(contentsOfFile: unitPath, encoding: .utf8),
        unit.contains("--config \(loaded.file.path)")
      {
        let dropIns = LoadedConfig.dropInText(unitPath + ".d")
        for problem in loaded.pathsTheServiceCannotUse(unit: unit + "\n" + dropIns) {
          FileHandle.standardError.write(
            Data(
              ("inlet: warning: \(problem.key): the service cannot use \(problem.path): "
                + "\(problem.reason)\n").utf8))
        }
      }
      for (name, path) in loaded.secretsTheServiceCannotRead() {
        // A credential's name has no `/`, and the service looks a bare name up in
        // $CREDENTIALS_DIRECTORY: a secret configured by its path is renamed in the config.
        let credential = (path as NSString).lastPathComponent
        let rename =
          name.contains("/")
          ? "write it as `\(credential)` (a bare name) in the config, and " : ""
        FileHandle.standardError.write(
          Data(
            ("inlet: warning: the service cannot read \(path) (root only): \(rename)add "
              + "`LoadCredential=\(name.contains("/") ? credential : name):\(path)` to "
              + "/etc/systemd/system/inlet.service.d/credentials.conf\n").utf8))
      }
    }
  }
}
