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
    var environment: String?
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
        credentials.append(String(value.prefix { $0 != ":" }))
      case "ExecStart": command = value.isEmpty ? nil : value  // an empty one resets the list
      case "Environment":
        for word in Self.words(value) where word.hasPrefix("INLET_CONFIG=") {
          environment = String(word.dropFirst("INLET_CONFIG=".count))
        }
      default: break
      }
    }
    guard let command else { return }
    let arguments = Self.words(String(command.drop { "-@+!:".contains($0) }))
    var path: String?
    for (index, word) in arguments.enumerated() {
      if word == "--config", index + 1 < arguments.count { path = arguments[index + 1] }
      if word.hasPrefix("--config=") { path = String(word.dropFirst("--config=".count)) }
    }
    configPath =
      URL(fileURLWithPath: path ?? environment ?? "/etc/inlet/inlet.yaml")
      .standardizedFileURL.path
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
