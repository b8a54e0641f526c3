import ArgumentParser
import Foundation
import InletDaemon

struct CheckConfig: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check-config",
    abstract: "Validate the configuration and every channel definition; exit 0 when usable.",
    discussion: """
      When the systemd unit (--unit) runs this config, the paths its sandbox would deny the \
      service and the secrets the service (a dynamic user) could not read are errors too.
      """)

  @OptionGroup var options: ConfigOption

  @Option(name: .long, help: "The unit that runs the daemon (with its drop-ins in UNIT.d).")
  var unit = "/etc/systemd/system/inlet.service"

  func run() throws {
    // The installed unit's sandbox, when this is the config it runs: what the service could
    // not use makes the config unusable, whoever runs this (as root every file is readable,
    // while the service reads only what LoadCredential= hands it). Its INLET_* variables
    // apply, and the secrets it hands over are read where the service will get them.
    let service = SystemdUnit(path: unit)
    let runsThis = service.runs(configPath: options.config)
    var loader = ConfigLoader.asTheService(configPath: options.config, unit: service)
    if runsThis { loader.unitCredentials = service.credentialSources }
    let loaded: LoadedConfig
    do {
      loaded = try loader.load(path: options.config)
    } catch {
      throw fail("config error: \(error)")
    }
    if runsThis {
      // A secret only its owner may read is the service's problem when it runs as a user of
      // its own making (DynamicUser=, as shipped); as a named user it may be the owner.
      let secrets = loaded.secretsTheServiceCannotRead(by: service)
      if !service.dynamicUser {
        for secret in secrets { report("warning", secretAdvice(secret)) }
      }
      let problems =
        loaded.pathsTheServiceCannotUse(service).map {
          "\($0.key): the service cannot use \($0.path): \($0.reason)"
        }
        + (service.dynamicUser ? secrets.map(secretAdvice) : [])
      let port = portProblem(loaded.config.http.port, service)
      if !problems.isEmpty || port != nil {
        if let port { report("error", port) }
        for problem in problems { report("error", problem) }
        let count = problems.count + (port == nil ? 0 : 1)
        let what = port == nil ? "path" : "setting"
        throw fail(
          "config error: \(unit) runs this config, and the service could not use "
            + (count == 1 ? "the \(what) above" : "the \(count) \(what)s above"))
      }
    } else if getuid() == 0 {
      // Another config: the service may never run it, so these are only worth a warning.
      for secret in loaded.secretsTheServiceCannotRead(by: service) {
        report("warning", secretAdvice(secret))
      }
    }
    for secret in loaded.secretsOthersCanRead() {
      report(
        "warning",
        "every user of this machine can read \(secret.path) (\(secret.name)): `chmod 600` it "
          + "(the service is handed it by LoadCredential=, README \"Install\")")
    }
    if loaded.deliveryURLHoldsPassword {
      report(
        "warning",
        "delivery.url holds a password, and the config file is no place for one: put it in a "
          + "file and name it in delivery.password_file (README \"Lead queue API and push delivery\")"
      )
    }
    let channels = loaded.channels.map { "\($0.name) (\($0.definition.name))" }
    print("config OK: \(loaded.file.path)")
    print("  database: \(loaded.databasePath)")
    print("  listener: \(loaded.config.http.host):\(loaded.config.http.port)")
    print("  channels: \(channels.isEmpty ? "none" : channels.joined(separator: ", "))")
    print("  definitions from: \(loaded.channelsDir.path)")
    print("  API tokens: \(loaded.apiTokens.map(\.name).joined(separator: ", "))")
  }

  /// A port below 1024 the unit's service may not bind: it holds no `CAP_NET_BIND_SERVICE`
  /// (none reaches the host's network under `PrivateUsers=yes`), unless the kernel lets every
  /// user bind it (`net.ipv4.ip_unprivileged_port_start`).
  private func portProblem(_ port: Int, _ service: SystemdUnit) -> String? {
    let start =
      (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_unprivileged_port_start", encoding: .utf8))
      .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 1024
    guard port < start, service.privateUsers || !service.bindsPrivilegedPorts else { return nil }
    return "http.port: the service cannot listen on port \(port): a port below \(start) needs "
      + "CAP_NET_BIND_SERVICE, which \(unit) does not give it"
      + (service.privateUsers ? " (and PrivateUsers=yes keeps it from the host's network)" : "")
      + "; keep the listener on 127.0.0.1:8080 behind a reverse proxy (README \"Install\")"
  }

  private func report(_ level: String, _ text: String) {
    FileHandle.standardError.write(Data("inlet: \(level): \(text)\n".utf8))
  }

  /// What to add so the service gets a secret it could not read.
  private func secretAdvice(_ secret: (name: String, path: String)) -> String {
    // A credential's name has no `/`, and the service looks a bare name up in
    // $CREDENTIALS_DIRECTORY: a secret configured by its path is renamed in the config.
    let credential = (secret.path as NSString).lastPathComponent
    let bare = secret.name.contains("/") ? credential : secret.name
    let rename =
      secret.name.contains("/")
      ? "write it as `\(credential)` (a bare name) in the config, and " : ""
    return "the service cannot read \(secret.path) (other users may not read it): \(rename)add "
      + "`LoadCredential=\(bare):\(secret.path)` to \(unit).d/credentials.conf"
  }
}
