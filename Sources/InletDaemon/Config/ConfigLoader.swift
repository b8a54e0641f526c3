import Foundation
import InletCore
import InletHTTP
import InletStore
import Yams

/// Reads the config file, applies `INLET_<SECTION>_<KEY>` overrides, resolves paths and secrets,
/// and builds the channel instances from their definitions.
public struct ConfigLoader: Sendable {
  public var environment: [String: String]
  public var schemes: AuthSchemeRegistry
  /// For a reload: the configuration the daemon runs with. What a reload does not apply (the
  /// listener's `http`, `phone`) is checked against the running values, not the file's: a
  /// channel needing `http.public_url` is refused when the daemon runs without one, and
  /// `mail.own_phones` are read with the running `phone.default_country`.
  public var running: InletConfig?
  /// `check-config` on the config the unit runs: secrets the unit hands over are read where
  /// the service will get them (``SystemdUnit/credentialSources``).
  public var unitCredentials: [String: String?]?

  public init(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    schemes: AuthSchemeRegistry = .builtIn, running: InletConfig? = nil
  ) {
    self.environment = environment
    self.schemes = schemes
    self.running = running
  }

  /// Keys at the top level that an override may set whole.
  static let topLevelScalars: Set<String> = ["channels_dir", "secrets_dir"]
  /// Sections whose scalar keys overrides may set.
  static let sections: Set<String> = [
    "database", "http", "phone", "api", "delivery", "logging", "mail", "matching", "retention",
  ]

  /// Decodes the file with overrides, without reading secrets (enough for the CLI's reads).
  public func decode(path: String) throws(ConfigError) -> (InletConfig, URL) {
    let file = URL(fileURLWithPath: path).standardizedFileURL
    let text: String
    do {
      text = try String(contentsOf: file, encoding: .utf8)
    } catch {
      throw ConfigError(path, "cannot read the config file (\(ErrorText.plain(error)))")
    }
    // (Only comments, or nothing: a file truncated or not yet written, not a config of defaults
    // that would then complain about a channels folder.)
    let blank = text.split(whereSeparator: \.isNewline).allSatisfy { line in
      let content = line.trimmingCharacters(in: .whitespaces)
      return content.isEmpty || content.hasPrefix("#")
    }
    if blank {
      throw ConfigError(
        path,
        "the config file is empty; start from systemd/inlet.example.yaml (README \"Install\")")
    }
    let overrides = self.overrides
    // The tree decoded, overrides applied: a problem's message quotes the value found in it.
    var root = Node.mapping(Node.Mapping([]))
    do {
      root = try Yams.compose(yaml: text) ?? root
      root = try applyOverrides(overrides, to: root)
      var config = try YAMLDecoder().decode(InletConfig.self, from: root)
      // Phones in letters are read like every other phone (on a reload, as the running ones).
      let country = running?.phone.defaultCountry ?? config.phone.defaultCountry
      config.mail.defaultCountry = config.phone.defaultCountry
      let phones = PhoneNormalizer(defaultCountry: country)
      for (index, phone) in config.mail.ownPhones.enumerated() where phones.normalize(phone) == nil
      {
        throw ConfigError(
          "mail.own_phones[\(index)]",
          "`\(phone)` is not a phone number (with phone.default_country \(country))")
      }
      for (index, inn) in config.mail.ownINNs.enumerated() where MailSection.ownINN(inn) == nil {
        throw ConfigError(
          "mail.own_inns[\(index)]",
          "`\(inn)` is no valid INN (10 or 12 digits with their check digits)")
      }
      // A mailbox's login, when it is an address, is the company's without saying so: a site's script sending as sales@ is answered
      // through its Reply-To, and a letter sales@ sends itself is no lead.
      let own = config.mail.ownAddresses.map(MailSection.ownAddress)
      for mailbox in config.mailboxes where mailbox.username.contains("@") {
        let login = MailSection.ownAddress(mailbox.username)
        if !own.contains(login) && !config.mail.ownAddresses.contains(login) {
          config.mail.ownAddresses.append(login)
        }
      }
      return (config, file)
    } catch let error as ConfigError {
      throw error
    } catch let error as DecodingError {
      throw Self.problem(error, in: root, overrides: overrides)
    } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
      throw Self.duplicateKey(duplicates.first ?? "?", first: context.mark, in: text)
    } catch {
      throw ConfigError(path, "not valid YAML: \(error)")
    }
  }

  /// Decodes and resolves everything; the first problem is thrown with its key path.
  /// `mailOnly` (`inlet poll`) leaves what only the listener uses unread — the channels'
  /// definitions and secrets, the API tokens, the delivery secret: `channels` and `apiTokens`
  /// are empty, the channels' names still reserved.
  public func load(path: String, mailOnly: Bool = false) throws(ConfigError) -> LoadedConfig {
    do {
      return try loadFile(path: path, mailOnly: mailOnly)
    } catch {
      throw blamingOverrides(error)
    }
  }

  /// ``load(path:mailOnly:)``, its problems not yet blamed on the environment.
  private func loadFile(path: String, mailOnly: Bool) throws(ConfigError) -> LoadedConfig {
    let loadChannels = !mailOnly
    let (config, file) = try decode(path: path)
    let folder = file.deletingLastPathComponent()
    let channelsDir = Self.resolve(config.channelsDir, against: folder)
    var definitions: [String: ChannelDefinition] = [:]
    if loadChannels {
      do {
        definitions = try ChannelDefinitionLoader.loadDirectory(channelsDir, schemes: schemes)
      } catch {
        throw ConfigError("channels_dir", "\(error)")
      }
    }
    let secrets = SecretResolver(
      credentialsDirectory: environment["CREDENTIALS_DIRECTORY"],
      secretsDirectory: config.secretsDir.map { Self.resolve($0, against: folder) },
      configFolder: folder, unitSources: unitCredentials)

    var instances: [ChannelInstance] = []
    var seen: Set<String> = []
    for (index, entry) in config.channels.enumerated() {
      let at = "channels[\(index)]"
      guard seen.insert(entry.name).inserted else {
        throw ConfigError("\(at).name", "the channel name `\(entry.name)` is used twice")
      }
      // A webhook's key is `<channel>:<key>`; letters are keyed `mail:<Message-ID>` (and the
      // other ``MailItem/keyNamespaces``) whatever their mailbox.
      guard !MailItem.keyNamespaces.contains(entry.name) else {
        throw ConfigError(
          "\(at).name",
          "`\(entry.name)` is kept for letters' keys (`\(entry.name):…`); name the channel "
            + "otherwise")
      }
      guard loadChannels else { continue }
      guard let definition = definitions[entry.definition] else {
        let known = definitions.keys.sorted().joined(separator: ", ")
        throw ConfigError(
          "\(at).definition",
          "no definition `\(entry.definition)` in \(channelsDir.path) (found: \(known))")
      }
      var values: [String: String] = [:]
      if let tokenFile = entry.tokenFile {
        values["token"] = try secrets.read(tokenFile, keyPath: "\(at).token_file")
      }
      for (key, file) in entry.secrets.sorted(by: { $0.key < $1.key }) {
        values[String(key.dropLast("_file".count))] = try secrets.read(
          file, keyPath: "\(at).secrets.\(key)")
      }
      let scheme = schemes.scheme(named: definition.auth.scheme)
      // What the scheme checks requests with, and what the definition's replies and handshakes
      // read (VK's `{{secret.confirmation}}`, WhatsApp's verify token): all must be there.
      let schemeSecrets = scheme?.requiredSecrets ?? []
      let needed =
        schemeSecrets + definition.templateSecrets.subtracting(schemeSecrets).sorted()
      // Nothing else (a misspelt key would otherwise be ignored silently),
      for name in values.keys.sorted() where !needed.contains(name) {
        let key = name == "token" ? "token_file" : "secrets.\(name)_file"
        let known = needed.map { $0 == "token" ? "token_file" : "secrets.\($0)_file" }
        throw ConfigError(
          "\(at).\(key)",
          "definition `\(definition.name)` uses no such secret (it uses: "
            + (known.isEmpty ? "none" : known.joined(separator: ", ")) + ")")
      }
      // and all of them.
      for name in needed where values[name] == nil {
        let key = name == "token" ? "token_file" : "secrets.\(name)_file"
        let user =
          schemeSecrets.contains(name)
          ? "definition `\(definition.name)` (scheme \(definition.auth.scheme)) needs this secret"
          : "definition `\(definition.name)` reads {{secret.\(name)}} in a reply, handshake or subscription"
        throw ConfigError("\(at).\(key)", user)
      }
      // A reload keeps the listener's settings: the running public URL is the one requests use.
      let publicURL = running.map(\.http.publicURL) ?? config.http.publicURL
      let restart =
        running != nil && config.http.publicURL != nil
        ? "; the daemon runs without one: restart it to use the new value" : ""
      if definition.subscription?.needsPublicURL == true, publicURL == nil {
        throw ConfigError(
          "http.public_url",
          "channel `\(entry.name)` (definition \(definition.name)) subscribes at the provider "
            + "with its public hook URL: set it (https://leads.example.ru)"
            + restart)
      }
      if scheme?.needsPublicURL == true, publicURL == nil {
        throw ConfigError(
          "http.public_url",
          "channel `\(entry.name)` (scheme \(definition.auth.scheme)) checks signatures over "
            + "the public URL the provider calls: set it (https://leads.example.ru)"
            + restart)
      }
      for key in entry.options.keys
      where definition.options[key] == nil && !ChannelOptions.common.contains(key) {
        let known = Set(definition.options.keys).union(ChannelOptions.common).sorted()
          .joined(separator: ", ")
        throw ConfigError(
          "\(at).options.\(key)",
          "definition `\(definition.name)` has no such option (options: \(known.isEmpty ? "none" : known))"
        )
      }
      if let (key, problem) = ChannelOptions.problem(in: entry.options) {
        throw ConfigError("\(at).options.\(key)", "expected \(problem)")
      }
      instances.append(
        ChannelInstance(
          name: entry.name, definition: definition, secrets: ChannelSecrets(values),
          options: entry.options))
    }

    var tokens: [APIToken] = []
    var tokenNames: Set<String> = []
    for (index, entry) in config.api.tokens.enumerated() {
      // The API's answers and the log name a client by its token's name.
      guard tokenNames.insert(entry.name).inserted else {
        throw ConfigError(
          "api.tokens[\(index)].name",
          "the token name `\(entry.name)` is used twice; give each client its own")
      }
      guard !mailOnly else { continue }
      let value = try secrets.read(entry.tokenFile, keyPath: "api.tokens[\(index)].token_file")
      // A request is let in by the first token its value equals: two tokens of one value would
      // give the second's client the first's scope.
      if let same = tokens.first(where: { $0.token == value }) {
        throw ConfigError(
          "api.tokens[\(index)].token_file",
          "token `\(entry.name)` has the same value as `\(same.name)`; give each client a token "
            + "of its own (openssl rand -hex 32)")
      }
      tokens.append(
        APIToken(
          name: entry.name, token: value, scope: APIToken.Scope(rawValue: entry.scope) ?? .read))
    }
    var mailboxes: [MailboxSettings] = []
    for (index, section) in config.mailboxes.enumerated() {
      let settings = try MailboxSettings(
        section, at: "mailboxes[\(index)]", secrets: secrets, folder: folder)
      guard !mailboxes.contains(where: { $0.name == settings.name }) else {
        throw ConfigError(
          "mailboxes[\(index)].name", "the mailbox name `\(settings.name)` is used twice")
      }
      // `/health` and `inlet status` report channels and mailboxes by name.
      guard !seen.contains(settings.name) else {
        throw ConfigError(
          "mailboxes[\(index)].name",
          "`\(settings.name)` already names a channel; give the mailbox another name")
      }
      mailboxes.append(settings)
    }
    var deliverySecret: String?
    var deliveryPassword: String?
    if !mailOnly, let delivery = config.delivery {
      if let file = delivery.secretFile {
        deliverySecret = try secrets.read(file, keyPath: "delivery.secret_file")
      }
      if let file = delivery.passwordFile {
        deliveryPassword = try secrets.read(file, keyPath: "delivery.password_file")
      }
    }
    let databasePath = Self.resolve(config.database.path, against: folder).path
    if let problem = Self.databasePathProblem(databasePath) {
      throw ConfigError("database.path", problem)
    }
    return LoadedConfig(
      config: config, file: file,
      databasePath: databasePath,
      channelsDir: channelsDir, channels: instances, apiTokens: tokens,
      deliverySecret: deliverySecret, deliveryPassword: deliveryPassword, mailboxes: mailboxes,
      secretFiles: secrets.files.list)
  }

  /// Why `path` can never be a database file, whoever runs the daemon: it is a folder, or a
  /// folder on its way is a file (`/etc/passwd/inlet.sqlite`). Permissions are left to
  /// `serve`, whose user (the service's) may differ from the one checking.
  static func databasePathProblem(_ path: String) -> String? {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
      return isFolder.boolValue ? "\(path) is a folder; name the database file in it" : nil
    }
    guard let (ancestor, isFolder) = WritingCommand.nearestExistingAncestor(of: path), !isFolder
    else { return nil }
    return "\(ancestor) is a file, not a folder"
  }

  /// The database path alone (the CLI's read commands need no secrets).
  public func databasePath(configPath: String) throws(ConfigError) -> String {
    let (config, file) = try decode(path: configPath)
    return Self.databasePath(config, file: file)
  }

  /// `database.path` of a decoded config, absolute.
  public static func databasePath(_ config: InletConfig, file: URL) -> String {
    resolve(config.database.path, against: file.deletingLastPathComponent()).path
  }

  /// One `INLET_<SECTION>_<KEY>` variable of the environment, and the key it sets.
  struct Override {
    /// `http`; nil for a top-level key (`channels_dir`).
    var section: String?
    var key: String
    var variable: String
    var value: String

    /// `http.port`
    var keyPath: String { section.map { "\($0).\(key)" } ?? key }
  }

  /// The overrides the environment sets, in the order of their names.
  var overrides: [Override] {
    var found: [Override] = []
    for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("INLET_")
    {
      let key = name.dropFirst("INLET_".count).lowercased()
      if Self.topLevelScalars.contains(key) {
        found.append(Override(section: nil, key: key, variable: name, value: value))
        continue
      }
      guard let split = key.firstIndex(of: "_") else { continue }
      let section = String(key[..<split])
      let field = String(key[key.index(after: split)...])
      guard Self.sections.contains(section), !field.isEmpty else { continue }
      found.append(Override(section: section, key: field, variable: name, value: value))
    }
    return found
  }

  private func applyOverrides(_ overrides: [Override], to root: Node) throws -> Node {
    guard case .mapping(var top) = root else {
      throw ConfigError("(top level)", "the config file must be a mapping of sections")
    }
    for item in overrides {
      guard let section = item.section else {
        top[item.key] = Node(item.value)
        continue
      }
      var mapping = top[section]?.mapping ?? Node.Mapping([])
      mapping[item.key] = Node(item.value)
      top[section] = .mapping(mapping)
    }
    return .mapping(top)
  }

  /// The problem with the variable named that set its key, if one did: an administrator looks
  /// for `http.port` in the file in vain when `INLET_HTTP_PORT` set it.
  func blamingOverrides(_ error: ConfigError) -> ConfigError {
    guard error.variable == nil,
      let item = overrides.last(where: { $0.keyPath == error.keyPath })
    else { return error }
    var blamed = error
    blamed.variable = item.variable
    return blamed
  }

  static func resolve(_ path: String, against folder: URL) -> URL {
    if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL }
    return folder.appendingPathComponent(path).standardizedFileURL
  }
}
