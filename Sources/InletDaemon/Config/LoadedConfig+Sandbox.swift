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
    var writable: [String] = []
    var strict = false
    var homesHidden = false
    var dynamicUser = false
    for line in unit.split(whereSeparator: \.isNewline) {
      let text = line.trimmingCharacters(in: .whitespaces)
      guard let equals = text.firstIndex(of: "="), !text.hasPrefix("#") else { continue }
      let key = text[..<equals].trimmingCharacters(in: .whitespaces)
      let value = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
      let words = value.split(separator: " ").map(String.init)
      switch key {
      case "StateDirectory": writable += words.map { "/var/lib/" + $0 }
      case "ReadWritePaths":
        writable += words.map { $0.drop { "-+".contains($0) } }.map(String.init)
      case "ProtectSystem": strict = value == "strict"
      case "ProtectHome": homesHidden = ["yes", "true", "tmpfs"].contains(value)
      case "DynamicUser": dynamicUser = ["yes", "true"].contains(value)
      default: break
      }
    }
    func within(_ path: String, _ folders: [String]) -> Bool {
      folders.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }
    let homes = ["/home", "/root", "/run/user"]
    var problems: [SandboxProblem] = []
    let database = (databasePath as NSString).deletingLastPathComponent
    if strict, !within(database, writable) {
      problems.append(
        SandboxProblem(
          key: "database.path", path: databasePath,
          reason: "the service may write only in \(writable.joined(separator: ", ")) "
            + "(ProtectSystem=strict): put the database there (/var/lib/inlet/inlet.sqlite), or "
            + "add ReadWritePaths=\(database) to a drop-in"))
    }
    var read: [(key: String, path: String)] = [("channels_dir", channelsDir.path)]
    for (index, mailbox) in mailboxes.enumerated() {
      if let caFile = mailbox.caFile { read.append(("mailboxes[\(index)].ca_file", caFile)) }
    }
    if homesHidden {
      for (key, path) in [("database.path", databasePath)] + read where within(path, homes) {
        problems.append(
          SandboxProblem(
            key: key, path: path,
            reason: "home folders are hidden from the service (ProtectHome=): move it out"))
      }
    }
    if dynamicUser {
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
