import Foundation

extension LoadedConfig {
  /// The `*.conf` drop-ins of a unit (`inlet.service.d`), one after the other; empty when none.
  public static func dropInText(_ folder: String) -> String {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return files.filter { $0.hasSuffix(".conf") }.sorted().compactMap {
      try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8)
    }.joined(separator: "\n")
  }

  /// A path of the config that the installed service could not use under its unit's sandbox.
  public struct SandboxProblem: Sendable, Equatable {
    /// The config key (`database.path`, `mailboxes[0].ca_file`).
    public var key: String
    public var path: String
    /// What stops the service, and what to do.
    public var reason: String
  }

  /// The paths this process can use but the service, run by `unit` (the text of
  /// `inlet.service` and its drop-ins, ``dropInText(_:)``), could not: a database outside what `ProtectSystem=strict` leaves
  /// writable (`StateDirectory=`, `ReadWritePaths=`), anything under the home folders
  /// `ProtectHome=` hides, a file only its owner may read while the service is a dynamic user.
  /// `check-config` run as root would otherwise pass a config the service then fails on.
  public func pathsTheServiceCannotUse(unit: String) -> [SandboxProblem] {
    pathsTheServiceCannotUse(SystemdUnit(text: unit))
  }

  /// The same, for a unit already read.
  public func pathsTheServiceCannotUse(_ unit: SystemdUnit) -> [SandboxProblem] {
    func within(_ path: String, _ folders: [String]) -> Bool {
      folders.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }
    let homes = ["/home", "/root", "/run/user"]
    var problems: [SandboxProblem] = []
    let database = (databasePath as NSString).deletingLastPathComponent
    if unit.strict, !within(database, unit.writable) {
      problems.append(
        SandboxProblem(
          key: "database.path", path: databasePath,
          reason: "the service may write only in \(unit.writable.joined(separator: ", ")) "
            + "(ProtectSystem=strict): put the database there (/var/lib/inlet/inlet.sqlite), or "
            + "add ReadWritePaths=\(database) to a drop-in"))
    }
    var read: [(key: String, path: String)] = [("channels_dir", channelsDir.path)]
    for (index, mailbox) in mailboxes.enumerated() {
      if let caFile = mailbox.caFile { read.append(("mailboxes[\(index)].ca_file", caFile)) }
    }
    if unit.homesHidden {
      for (key, path) in [("database.path", databasePath)] + read where within(path, homes) {
        problems.append(
          SandboxProblem(
            key: key, path: path,
            reason: "home folders are hidden from the service (ProtectHome=): move it out"))
      }
    }
    if unit.dynamicUser {
      for (key, path) in read where key.hasSuffix("ca_file") && !Self.othersCanRead(path) {
        problems.append(
          SandboxProblem(
            key: key, path: path,
            reason: "the service runs as a dynamic user and cannot read it: a CA certificate "
              + "is no secret, make it readable (chmod 644)"))
      }
    }
    return problems
  }
}
