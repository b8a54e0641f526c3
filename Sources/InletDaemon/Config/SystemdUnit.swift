import Foundation

/// What `check-config` needs of the systemd unit that runs the daemon, read once from the unit
/// and its drop-ins (`UNIT.d/*.conf`, after it): its sandbox, the credentials it hands over and
/// the config it runs.
public struct SystemdUnit: Sendable {
  /// Folders `StateDirectory=` and `ReadWritePaths=` leave writable.
  public var writable: [String] = []
  /// `ProtectSystem=strict`.
  public var strict = false
  /// `ProtectHome=` hides the home folders.
  public var homesHidden = false
  /// `DynamicUser=yes`: the service runs as a user of its own making.
  public var dynamicUser = false
  /// The credential names `LoadCredential=` and its kin hand over (a trailing `*`: a glob).
  public var credentials: [String] = []
  /// For each credential handed over, the absolute file `LoadCredential=ID:/PATH` reads it
  /// from; `nil` where this process cannot read what the service will get (an encrypted or
  /// inline credential, one imported or looked up in the credential store).
  public var credentialSources: [String: String?] = [:]
  /// The `INLET_*` variables `Environment=` and `EnvironmentFile=` give the service.
  public var environment: [String: String] = [:]
  /// `PrivateUsers=yes`: no capability reaches the host's network namespace.
  public var privateUsers = false
  /// `AmbientCapabilities=` grants `CAP_NET_BIND_SERVICE` (ports below 1024).
  public var bindsPrivilegedPorts = false

  /// Where `scripts/install` puts the unit.
  public static let installed = "/etc/systemd/system/inlet.service"
  /// The config file its last `ExecStart=` runs (`--config PATH`, `--config=PATH`, else
  /// `Environment=INLET_CONFIG=`, else the default), standardised; nil when it starts nothing.
  public var configPath: String?

  /// The unit at `path` with its drop-ins; empty (nothing set) when there is none.
  public init(path: String) {
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    self.init(text: text + "\n" + LoadedConfig.dropInText(path + ".d"))
  }

  /// The settings of a unit's text (drop-ins appended after it).
  public init(text: String) {
    var command: String?
    // systemd's order: `EnvironmentFile=` values over `Environment=` ones whatever the lines'
    // order, an empty setting resetting its list, `UnsetEnvironment=` last.
    var assignments: [String] = []
    var files: [String] = []
    var unset: [String] = []
    var fallbacks: Set<String> = []  // `SetCredential=`: used when the file is missing
    for line in text.split(whereSeparator: \.isNewline) {
      let text = line.trimmingCharacters(in: .whitespaces)
      guard !text.hasPrefix("#"), !text.hasPrefix(";"), let equals = text.firstIndex(of: "=")
      else { continue }
      let key = text[..<equals].trimmingCharacters(in: .whitespaces)
      let value = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
      let yes = ["yes", "true", "1", "on"].contains(value)
      switch key {
      case "StateDirectory": writable += Self.words(value).map { "/var/lib/" + $0 }
      case "ReadWritePaths":
        writable += Self.words(value).map { String($0.drop { "-+".contains($0) }) }
      case "ProtectSystem": strict = value == "strict"
      case "ProtectHome": homesHidden = yes || value == "tmpfs"
      case "DynamicUser": dynamicUser = yes
      case "LoadCredential", "LoadCredentialEncrypted", "SetCredential", "SetCredentialEncrypted",
        "ImportCredential":
        let name = String(value.prefix { $0 != ":" })
        credentials.append(name)
        if key.hasPrefix("SetCredential") { fallbacks.insert(name) }
        let source = Self.expand(String(value.drop { $0 != ":" }.dropFirst()))
        // A relative or bare source is looked up in systemd's credential store.
        if key == "LoadCredential", let source, source.hasPrefix("/") {
          credentialSources[name] = source
        } else if credentialSources[name] == nil || key != "SetCredential" {
          credentialSources[name] = String?.none
        }
      case "ExecStart": command = value.isEmpty ? nil : value  // an empty one resets the list
      case "Environment":
        if value.isEmpty { assignments = [] }
        assignments += Self.words(value)
      case "EnvironmentFile":
        if value.isEmpty { files = [] } else { files.append(value) }
      case "UnsetEnvironment": unset += Self.words(value)
      case "PrivateUsers": privateUsers = yes || value == "self" || value == "identity"
      case "AmbientCapabilities":
        if value.isEmpty { bindsPrivilegedPorts = false }
        if Self.words(value).contains("CAP_NET_BIND_SERVICE") { bindsPrivilegedPorts = true }
      default: break
      }
    }
    // A file source systemd falls back from (`SetCredential=` of the same name) may be missing.
    for name in fallbacks where credentialSources[name] != nil {
      credentialSources[name] = String?.none
    }
    for file in files {
      // `-PATH`: a file that may be missing (or that this user may not read).
      guard let path = Self.expand(String(file.drop { $0 == "-" })),
        let content = try? String(contentsOfFile: path, encoding: .utf8)
      else { continue }
      for line in content.split(whereSeparator: \.isNewline) {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard !text.hasPrefix("#"), !text.hasPrefix(";") else { continue }
        let word = Self.words(text).joined(separator: " ")
        assignments.append(word.hasPrefix("export ") ? String(word.dropFirst(7)) : word)
      }
    }
    var configEnvironment: String?
    for word in assignments {
      guard word.hasPrefix("INLET_"), let equals = word.firstIndex(of: "=") else { continue }
      let key = String(word[..<equals])
      // A value with a specifier this process cannot know (`%d`, `%i`) is left out.
      guard !unset.contains(key),
        let value = Self.expand(String(word[word.index(after: equals)...]))
      else { continue }
      if key == "INLET_CONFIG" { configEnvironment = value } else { environment[key] = value }
    }
    guard let command else { return }
    let arguments = Self.words(String(command.drop { "-@+!:".contains($0) }))
    var path: String?
    for (index, word) in arguments.enumerated() {
      if word == "--config", index + 1 < arguments.count { path = arguments[index + 1] }
      if word.hasPrefix("--config=") { path = String(word.dropFirst("--config=".count)) }
    }
    configPath =
      URL(
        fileURLWithPath: path.flatMap(Self.expand) ?? configEnvironment ?? "/etc/inlet/inlet.yaml"
      )
      .standardizedFileURL.path
  }

  /// A value with systemd's specifiers for a system service's folders expanded (`%S`
  /// `/var/lib`, `%E` `/etc`, `%t` `/run`, `%C` `/var/cache`, `%L` `/var/log`, `%%`); nil
  /// when it holds another, whose value this process does not know.
  static func expand(_ value: String) -> String? {
    guard value.contains("%") else { return value }
    let folders: [Character: String] = [
      "S": "/var/lib", "E": "/etc", "t": "/run", "C": "/var/cache", "L": "/var/log", "%": "%",
    ]
    var result = ""
    var iterator = value.makeIterator()
    while let character = iterator.next() {
      guard character == "%" else {
        result.append(character)
        continue
      }
      guard let specifier = iterator.next(), let folder = folders[specifier] else { return nil }
      result += folder
    }
    return result
  }

  /// Whether the unit's `ExecStart=` runs the config at `path` (however it is written).
  public func runs(configPath path: String) -> Bool {
    configPath == URL(fileURLWithPath: path).standardizedFileURL.path
  }

  /// Whether the unit hands the credential `name` over.
  public func hands(_ name: String) -> Bool {
    credentials.contains { $0 == name || ($0.hasSuffix("*") && name.hasPrefix($0.dropLast())) }
  }

  /// A systemd command line's words, double and single quotes removed.
  static func words(_ text: String) -> [String] {
    var words: [String] = []
    var current = ""
    var quote: Character?
    var inWord = false
    for character in text {
      if let open = quote {
        if character == open { quote = nil } else { current.append(character) }
      } else if character == "\"" || character == "'" {
        quote = character
        inWord = true
      } else if character == " " || character == "\t" {
        if inWord { words.append(current) }
        current = ""
        inWord = false
      } else {
        current.append(character)
        inWord = true
      }
    }
    if inWord { words.append(current) }
    return words
  }
}

extension ConfigLoader {
  /// The loader for a command an administrator runs by hand (`status`, `backup`, `poll`,
  /// `inquiries`…): when `unit` runs the same config, the `INLET_*` variables it gives the
  /// service apply here too (a drop-in's `INLET_DATABASE_PATH` is the database the service
  /// uses); the shell's own still win.
  public static func asTheService(
    configPath: String, unit: SystemdUnit = SystemdUnit(path: SystemdUnit.installed)
  ) -> ConfigLoader {
    var environment = ProcessInfo.processInfo.environment
    if unit.runs(configPath: configPath) {
      for (key, value) in unit.environment where environment[key] == nil {
        environment[key] = value
      }
    }
    return ConfigLoader(environment: environment)
  }
}
