import Foundation
import InletCore
import Testing

@testable import InletDaemon

@Suite("Configuration")
struct ConfigLoaderTests {
  /// A config folder with the repository's definitions and a token.
  struct Folder {
    let url: URL
    var config: String { url.appendingPathComponent("inlet.yaml").path }

    init(_ yaml: String, files: [String: String] = ["site-token": "s3cret\n"]) throws {
      url = FileManager.default.temporaryDirectory
        .appendingPathComponent("inlet-config-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
      for (name, content) in files {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(
          at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: file, atomically: true, encoding: .utf8)
      }
      try yaml.write(toFile: config, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
  }

  static let channels = DaemonHarness.repositoryRoot.appendingPathComponent("channels").path

  static let minimal = """
    channels_dir: \(channels)
    channels:
      - { name: site, definition: generic, token_file: site-token }
    """

  @Test("defaults fill every missing key; relative paths resolve against the config's folder")
  func defaults() throws {
    let folder = try Folder(Self.minimal)
    defer { folder.remove() }
    let loaded = try ConfigLoader(environment: [:]).load(path: folder.config)
    #expect(loaded.config.http.host == "127.0.0.1")
    #expect(loaded.config.http.port == 8080)
    #expect(loaded.config.http.maxBodyBytes == 1_048_576)
    #expect(loaded.config.phone.defaultCountry == "RU")
    #expect(loaded.databasePath == folder.url.appendingPathComponent("var/inlet.sqlite").path)
    #expect(loaded.channels.map(\.name) == ["site"])
    #expect(loaded.channels.first?.secrets["token"] == "s3cret")
    #expect(loaded.channels.first?.definition.name == "generic")
  }

  @Test("each mailbox's login, when it is an address, is one of the company's own addresses")
  func mailboxesAreOwn() throws {
    let folder = try Folder(
      Self.minimal + """

        mail: { own_addresses: ["@example.ru", "info@partner.ru"] }
        mailboxes:
          - { name: sales, url: 'imaps://x', username: ' Sales@Firma.RU ', password_file: site-token }
          - { name: info, url: 'imaps://x', username: info@partner.ru, password_file: site-token }
          - { name: local, url: 'imaps://x', username: leads, password_file: site-token }
          - { name: gmail, url: 'imaps://x', username: robot, oauth2_token_command: ./token }
        """)
    defer { folder.remove() }
    let loaded = try ConfigLoader(environment: [:]).load(path: folder.config)
    #expect(
      loaded.config.mail.ownAddresses == ["@example.ru", "info@partner.ru", "sales@firma.ru"])
    // The token command runs in the config's folder (a relative helper is found there).
    #expect(
      loaded.mailboxes.last?.credential
        == .oauth2TokenCommand("./token", directory: folder.url.path))
  }

  @Test("the company's own phones are read with phone.default_country")
  func ownPhones() throws {
    let folder = try Folder(
      Self.minimal + """

        phone: { default_country: GB }
        mail: { own_phones: ["020 7946 0958", "+7 (495) 123-45-67"] }
        """)
    defer { folder.remove() }
    let loaded = try ConfigLoader(environment: [:]).load(path: folder.config)
    #expect(loaded.config.mail.normaliserOptions.ownPhones == ["+442079460958", "+74951234567"])
  }

  @Test("the company's own INNs are read as letters' are; a wrong one is refused by its key")
  func ownINNs() throws {
    let folder = try Folder(
      Self.minimal + """

        mail: { own_inns: ["ИНН 7707083893", "5001007329/500101001"] }
        """)
    defer { folder.remove() }
    let loaded = try ConfigLoader(environment: [:]).load(path: folder.config)
    #expect(loaded.config.mail.normaliserOptions.ownINNs == ["7707083893", "5001007329"])
  }

  @Test("INLET_<SECTION>_<KEY> overrides scalar keys")
  func environmentOverrides() throws {
    let folder = try Folder(Self.minimal + "\nhttp:\n  port: 8081\n")
    defer { folder.remove() }
    let environment = [
      "INLET_HTTP_PORT": "9090", "INLET_DATABASE_PATH": "/tmp/x.sqlite",
      "INLET_HTTP_MAX_BODY_BYTES": "2048", "INLET_PHONE_DEFAULT_COUNTRY": "by",
      "INLET_MATCHING_MAX_MATCHES": "5", "INLET_UNRELATED": "ignored",
    ]
    let loaded = try ConfigLoader(environment: environment).load(path: folder.config)
    #expect(loaded.config.matching.maxMatches == 5)
    // Letters' phones are read with the same country as every other phone.
    let mail = loaded.config.mail.normaliserOptions
    #expect(mail.defaultCountry == "BY")
    #expect(mail.phoneNormalizer.normalize("8 029 123-45-67") == "+375291234567")
    #expect(loaded.config.http.port == 9090)
    #expect(loaded.databasePath == "/tmp/x.sqlite")
    #expect(loaded.config.http.maxBodyBytes == 2048)
    #expect(loaded.config.phone.defaultCountry == "BY")
  }

  @Test("an empty config, a secret that is a folder or not text: said in plain words")
  func plainWords() throws {
    for text in ["", "# nothing yet\n\n"] {
      let empty = try Folder(text)
      defer { empty.remove() }
      do {
        _ = try ConfigLoader(environment: [:]).load(path: empty.config)
        Issue.record("an empty config loaded")
      } catch {
        #expect(error.message.contains("the config file is empty"), "\(error)")
      }
    }
    let folder = try Folder(Self.minimal, files: ["site-token/readme": "x", "bin": ""])
    defer { folder.remove() }
    do {
      _ = try ConfigLoader(environment: [:]).load(path: folder.config)
      Issue.record("a folder read as a secret")
    } catch {
      #expect(error.keyPath == "channels[0].token_file")
      #expect(error.message.contains("is a folder"), "\(error)")
    }
    let token = folder.url.appendingPathComponent("site-token")
    try FileManager.default.removeItem(at: token)
    try Data([0xFF, 0xFE, 0x00]).write(to: token)
    do {
      _ = try ConfigLoader(environment: [:]).load(path: folder.config)
      Issue.record("a binary secret loaded")
    } catch {
      #expect(error.message.contains("is not UTF-8 text"), "\(error)")
    }
  }

  @Test("secrets: $CREDENTIALS_DIRECTORY first, then secrets_dir, then the config's folder")
  func secretLookup() throws {
    let folder = try Folder(
      Self.minimal + "\nsecrets_dir: secrets\n",
      files: [
        "site-token": "from-config-folder", "secrets/site-token": "from-secrets-dir",
        "creds/site-token": "from-credentials",
      ])
    defer { folder.remove() }
    let credentials = folder.url.appendingPathComponent("creds").path
    let withCredentials = try ConfigLoader(environment: ["CREDENTIALS_DIRECTORY": credentials])
      .load(path: folder.config)
    #expect(withCredentials.channels.first?.secrets["token"] == "from-credentials")
    let withoutCredentials = try ConfigLoader(environment: [:]).load(path: folder.config)
    #expect(withoutCredentials.channels.first?.secrets["token"] == "from-secrets-dir")
    try FileManager.default.removeItem(at: folder.url.appendingPathComponent("secrets"))
    let fallback = try ConfigLoader(environment: [:]).load(path: folder.config)
    #expect(fallback.channels.first?.secrets["token"] == "from-config-folder")
  }

  @Test(
    "the first problem is reported with its key path",
    arguments: [
      ("http:\n  prot: 1\n", "http.prot"),
      ("http:\n  port: 70000\n", "http.port"),
      // The kernel would pick a port: neither the clients nor `inlet status` could find it.
      ("http:\n  port: 0\n", "http.port"),
      ("http:\n  port: many\n", "http.port"),
      ("phone:\n  default_country: XX\n", "phone.default_country"),
      ("logging:\n  level: loud\n", "logging.level"),
      (
        "api:\n  tokens:\n    - { name: crm, token_file: missing-file }\n",
        "api.tokens[0].token_file"
      ),
      // Two clients under one name.
      (
        "api:\n  tokens:\n    - { name: crm, token_file: site-token }\n"
          + "    - { name: crm, token_file: site-token, scope: read-write }\n",
        "api.tokens[1].name"
      ),
      ("mailboxes:\n  - { name: m, url: 'pop3://x', username: u }\n", "mailboxes[0].url"),
      // Moving letters into the folder read would fetch them again forever.
      (
        "mailboxes:\n  - { name: m, url: 'imaps://x/Leads', username: u, password_file: site-token,"
          + " after_ingest: 'move:Leads' }\n", "mailboxes[0].after_ingest"
      ),
      (
        "mailboxes:\n  - { name: m, url: 'imaps://x', username: u, password_file: site-token,"
          + " after_ingest: 'move:inbox' }\n", "mailboxes[0].after_ingest"
      ),
      // A mailbox named like a channel: /health and `inlet status` report both by name.
      (
        "mailboxes:\n  - { name: site, url: 'imaps://x', username: u, password_file: site-token }\n",
        "mailboxes[0].name"
      ),
      ("http:\n  host: 'no such host!'\n", "http.host"),
      ("http:\n  trusted_proxies: [10.0.0.0/8]\n", "http.trusted_proxies"),
      ("http:\n  public_url: leads.example.ru\n", "http.public_url"),
      (
        "mailboxes:\n  - { name: m, url: 'imaps://x', username: u, password_file: site-token,"
          + " ca_file: /nonexistent/ca.pem }\n", "mailboxes[0].ca_file"
      ),
      // Used to trap on the multiplication.
      ("mail:\n  rate_limit_window: 9999999999999999h\n", "mail.rate_limit_window"),
      // check-config said OK, then serve could not open it.
      ("database:\n  path: /etc/passwd/inlet.sqlite\n", "database.path"),
      ("database:\n  path: /tmp\n", "database.path"),
      // 0 held every sender over the limit: every letter was ignored as rate_limited.
      ("mail:\n  rate_limit_count: 0\n", "mail.rate_limit_count"),
      ("mail:\n  own_phones: ['+7 495 123-45-67', 'reception']\n", "mail.own_phones[1]"),
      ("mail:\n  own_inns: ['7707083893', '7707083894']\n", "mail.own_inns[1]"),
    ])
  func problems(extra: String, keyPath: String) throws {
    let folder = try Folder(Self.minimal + "\n" + extra)
    defer { folder.remove() }
    #expect {
      try ConfigLoader(environment: [:]).load(path: folder.config)
    } throws: { error in
      (error as? ConfigError)?.keyPath == keyPath
    }
  }

  /// The problem `load` reports for the minimal config followed by `extra`.
  private func problem(_ extra: String, environment: [String: String] = [:]) throws
    -> ConfigError?
  {
    let folder = try Folder(Self.minimal + "\n" + extra)
    defer { folder.remove() }
    do {
      _ = try ConfigLoader(environment: environment).load(path: folder.config)
      return nil
    } catch {
      return error
    }
  }

  @Test("a value of the wrong kind is quoted, without the decoder's words for it")
  func typeMismatches() throws {
    let cases: [(String, String)] = [
      ("http:\n  port: many\n", #"http.port: expected an integer, got "many""#),
      ("http: 8080\n", #"http: expected a section of `key: value` lines, got "8080""#),
      (
        "http:\n  trusted_proxies: 127.0.0.1\n",
        #"http.trusted_proxies: expected a list, got "127.0.0.1""#
      ),
      ("http:\n  port: [1, 2]\n", "http.port: expected a single value, got a list"),
      (
        "mailboxes:\n  - { name: m, url: 'imaps://x', username: u, password_file: site-token,"
          + " idle: sometimes }\n", #"mailboxes[0].idle: expected true or false, got "sometimes""#
      ),
    ]
    for (yaml, message) in cases {
      let error = try #require(try problem(yaml), "\(yaml)")
      #expect(error.description == message)
      #expect(!error.description.contains("Scalar") && !error.description.contains("decode"))
    }
  }

  @Test("a bad INLET_* override names its variable and the value it gave, not the file's key")
  func overrideProblems() throws {
    let port = try #require(try problem("", environment: ["INLET_HTTP_PORT": "abc"]))
    #expect(port.description == #"INLET_HTTP_PORT (http.port): expected an integer, got "abc""#)
    #expect(port.keyPath == "http.port")
    #expect(port.variable == "INLET_HTTP_PORT")
    // Also when the file sets the key too, and for a value out of range.
    let zero = try #require(
      try problem("http:\n  port: 8081\n", environment: ["INLET_HTTP_PORT": "0"]))
    #expect(zero.description.hasPrefix("INLET_HTTP_PORT (http.port): a TCP port from 1 to 65535"))
    let key = try #require(try problem("", environment: ["INLET_HTTP_PROT": "1"]))
    #expect(key.description.hasPrefix("INLET_HTTP_PROT (http.prot): unknown key `prot`"))
    // Problems found after decoding too: the definitions folder the variable names.
    let channels = try #require(
      try problem("", environment: ["INLET_CHANNELS_DIR": "/nonexistent/channels"]))
    #expect(channels.description.hasPrefix("INLET_CHANNELS_DIR (channels_dir): "))
    // The file's own mistakes still name the file's key alone.
    let file = try #require(try problem("http:\n  port: abc\n"))
    #expect(file.variable == nil)
    #expect(file.description.hasPrefix("http.port: "))
  }

  @Test("a key given twice: one line naming it and the line of the second")
  func duplicateKeys() throws {
    // The minimal config takes lines 1-3.
    let section = try #require(
      try problem(
        "matching:\n  max_matches: 5\nhttp:\n  port: 8081\n\n# again\nmatching:\n"
          + "  max_matches: 6\n"))
    #expect(section.keyPath == "matching")
    #expect(
      section.description
        == "matching: given twice, at line 4 and again at line 10; merge the two into one section")
    let nested = try #require(try problem("http:\n  port: 8081\n  host: 0.0.0.0\n  port: 8082\n"))
    #expect(nested.description == "http.port: given twice, at line 5 and again at line 7; keep one")
    for error in [section, nested] {
      #expect(!error.description.contains("\n"), "\(error)")
      #expect(!error.description.contains("Context"), "\(error)")
    }
  }

  @Test("a channel may be named mail-form: only letters' own key prefixes are kept")
  func mailLikeChannelName() throws {
    // (A second item of the minimal config's `channels:` list.)
    let problem = try problem(
      "  - { name: mail-form, definition: generic, token_file: site-token }\n")
    #expect(problem == nil, "\(String(describing: problem))")
  }

  @Test("channel problems: missing token, unknown definition, duplicate name, unknown option")
  func channelProblems() throws {
    let cases: [(String, String)] = [
      ("channels:\n  - { name: site, definition: generic }\n", "channels[0].token_file"),
      (
        "channels:\n  - { name: site, definition: nope, token_file: site-token }\n",
        "channels[0].definition"
      ),
      (
        "channels:\n  - { name: a, definition: generic, token_file: site-token }\n"
          + "  - { name: a, definition: generic, token_file: site-token }\n", "channels[1].name"
      ),
      (
        "channels:\n  - { name: a, definition: generic, token_file: site-token, options: { x: 1 } }\n",
        "channels[0].options.x"
      ),
      ("channels:\n  - { name: 'Bad Name', definition: generic }\n", "channels[0].name"),
      // Letters are keyed `mail:<Message-ID>`: a channel may not share that prefix.
      (
        "channels:\n  - { name: mail, definition: generic, token_file: site-token }\n",
        "channels[0].name"
      ),
      (
        "channels:\n  - { name: mail-content, definition: generic, token_file: site-token }\n",
        "channels[0].name"
      ),
      // Secrets the definition's replies read are required too, and misspelt ones refused.
      (
        "channels:\n  - { name: v, definition: vk, secrets: { secret_file: site-token } }\n",
        "channels[0].secrets.confirmation_file"
      ),
      (
        "channels:\n  - { name: v, definition: vk, secrets: { secret_file: site-token,"
          + " confirmaton_file: site-token } }\n", "channels[0].secrets.confirmaton_file"
      ),
      (
        "channels:\n  - { name: w, definition: whatsapp, secrets: { app_secret_file: site-token } }\n",
        "channels[0].secrets.verify_token_file"
      ),
      (
        "channels:\n  - { name: t, definition: telegram, token_file: site-token,"
          + " secrets: { secret_token_file: site-token } }\n", "channels[0].token_file"
      ),
      // Twilio signs the public URL: without it every callback would be refused.
      (
        "channels:\n  - { name: t, definition: twilio, secrets: { auth_token_file: site-token } }\n",
        "http.public_url"
      ),
      (
        "channels:\n  - { name: a, definition: generic, secrets: { token: x } }\n",
        "channels[0].secrets.token"
      ),
      (
        "channels:\n  - { name: a, definition: generic, token_file: site-token,"
          + " options: { allow_from: [\"10.0.0.0/33\"] } }\n", "channels[0].options.allow_from"
      ),
      // A typo made no call an inquiry, silently.
      (
        "channels:\n  - { name: p, definition: sipuni, token_file: site-token,"
          + " options: { call_inquiries: [inbound] } }\n", "channels[0].options.call_inquiries"
      ),
      (
        "channels:\n  - { name: p, definition: sipuni, token_file: site-token,"
          + " options: { call_inquiries: \"in, out\" } }\n", "channels[0].options.call_inquiries"
      ),
      (
        "channels:\n  - { name: p, definition: sipuni, token_file: site-token,"
          + " options: { call_timeout: soon } }\n", "channels[0].options.call_timeout"
      ),
    ]
    for (yaml, keyPath) in cases {
      let folder = try Folder("channels_dir: \(Self.channels)\n" + yaml)
      defer { folder.remove() }
      #expect(
        throws: Error.self, "expected \(keyPath)",
        performing: { try ConfigLoader(environment: [:]).load(path: folder.config) })
      do {
        _ = try ConfigLoader(environment: [:]).load(path: folder.config)
      } catch {
        #expect(error.keyPath == keyPath, "\(error)")
      }
    }
  }

  @Test("check-config names secrets the service (a dynamic user) could not read")
  func secretsForTheService() throws {
    let folder = try Folder(Self.minimal)
    defer { folder.remove() }
    let loaded = try ConfigLoader(environment: [:]).load(path: folder.config)
    let secret = folder.url.appendingPathComponent("site-token").path
    #expect(loaded.secretFiles.map(\.path) == [secret])
    let dropIns = folder.url.appendingPathComponent("inlet.service.d")
    try FileManager.default.createDirectory(at: dropIns, withIntermediateDirectories: true)
    let unit = folder.url.appendingPathComponent("inlet.service").path
    func unreadable() -> [String] {
      loaded.secretsTheServiceCannotRead(
        unit: unit, dropIns: dropIns.path, credentialsDirectory: nil
      ).map(\.name)
    }
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: secret)
    #expect(unreadable().isEmpty)
    // Any local user can read it: said (check-config warns), unless systemd handed it over.
    #expect(loaded.secretsOthersCanRead(credentialsDirectory: nil).map(\.name) == ["site-token"])
    #expect(
      loaded.secretsOthersCanRead(credentialsDirectory: folder.url.path).isEmpty)
    let warned = try DaemonHarness.run(
      DaemonHarness.binary, ["check-config", "--config", folder.config])
    #expect(warned.status == 0, "\(warned.output)\(warned.error)")
    #expect(
      warned.error.contains("every user of this machine can read \(secret)"), "\(warned.error)")
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret)
    #expect(loaded.secretsOthersCanRead(credentialsDirectory: nil).isEmpty)
    #expect(unreadable() == ["site-token"])
    // Handed over by the unit itself, its line uncommented as its comment says: fine; a
    // commented one hands nothing.
    try "[Service]\n#LoadCredential=site-token:\(secret)\n".write(
      toFile: unit, atomically: true, encoding: .utf8)
    #expect(unreadable() == ["site-token"])
    try "[Service]\nLoadCredential=site-token:\(secret)\n".write(
      toFile: unit, atomically: true, encoding: .utf8)
    #expect(unreadable().isEmpty)
    try FileManager.default.removeItem(atPath: unit)
    #expect(unreadable() == ["site-token"])
    // Handed over by a drop-in: fine.
    try "[Service]\nLoadCredential=site-token:\(secret)\n".write(
      to: dropIns.appendingPathComponent("credentials.conf"), atomically: true, encoding: .utf8)
    #expect(unreadable().isEmpty)
    // Read through $CREDENTIALS_DIRECTORY (as the service itself does): nothing to say.
    #expect(
      loaded.secretsTheServiceCannotRead(dropIns: "/nonexistent", credentialsDirectory: "/run/x")
        .isEmpty)
  }

  /// A config folder with a root-only token, the shipped unit's text, and where a unit beside
  /// the config goes.
  static func unitBeside() throws -> (Folder, secret: String, shipped: String, unit: String) {
    let folder = try Folder(Self.minimal)
    let secret = folder.url.appendingPathComponent("site-token").path
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret)
    let shipped = try String(
      contentsOf: DaemonHarness.repositoryRoot.appendingPathComponent("systemd/inlet.service"),
      encoding: .utf8)
    return (folder, secret, shipped, folder.url.appendingPathComponent("inlet.service").path)
  }

  @Test("check-config fails on what the unit's service could not use, when the unit runs it")
  func checkConfigAgainstTheUnit() throws {
    let (folder, secret, shipped, unit) = try Self.unitBeside()
    defer { folder.remove() }
    func check() throws -> (status: Int32, output: String, error: String) {
      try DaemonHarness.run(
        DaemonHarness.binary, ["check-config", "--config", folder.config, "--unit", unit])
    }
    // The shipped unit, run on this config: its secret is not handed over, and its database
    // (beside the config) is outside what ProtectSystem=strict leaves writable.
    try shipped.replacingOccurrences(of: "/etc/inlet/inlet.yaml", with: folder.config)
      .write(toFile: unit, atomically: true, encoding: .utf8)
    let refused = try check()
    #expect(refused.status == 1, "\(refused.output)\(refused.error)")
    #expect(!refused.output.contains("config OK"))
    #expect(refused.error.contains("inlet: error: database.path: the service cannot use"))
    #expect(
      refused.error.contains(
        "the service cannot read \(secret) (other users may not read it): add "
          + "`LoadCredential=site-token:\(secret)` to \(unit).d/credentials.conf"),
      "\(refused.error)")
    #expect(refused.error.contains("the service could not use the 2 paths above"))

    // Both handed over in a drop-in: usable.
    let dropIns = unit + ".d"
    try FileManager.default.createDirectory(atPath: dropIns, withIntermediateDirectories: true)
    try """
    [Service]
    LoadCredential=site-token:\(secret)
    ReadWritePaths=\(folder.url.path)/var
    """.write(toFile: dropIns + "/credentials.conf", atomically: true, encoding: .utf8)
    let usable = try check()
    #expect(usable.status == 0, "\(usable.output)\(usable.error)")
    #expect(usable.output.contains("config OK"))
    #expect(!usable.error.contains("error"))

    // A drop-in's ExecStart= runs this config in place of the unit's; a commented one does not.
    try shipped.write(toFile: unit, atomically: true, encoding: .utf8)
    try FileManager.default.removeItem(atPath: dropIns)
    try FileManager.default.createDirectory(atPath: dropIns, withIntermediateDirectories: true)
    try """
    [Service]
    ExecStart=
    ExecStart=/usr/local/bin/inlet serve --config=\(folder.config)
    """.write(toFile: dropIns + "/override.conf", atomically: true, encoding: .utf8)
    #expect(try check().status == 1)
    try """
    [Service]
    #ExecStart=
    #ExecStart=/usr/local/bin/inlet serve --config \(folder.config)
    """.write(toFile: dropIns + "/override.conf", atomically: true, encoding: .utf8)
    #expect(try check().status == 0)

    // A unit that runs another config says nothing about this one's paths.
    try FileManager.default.removeItem(atPath: dropIns)
    try shipped.write(toFile: unit, atomically: true, encoding: .utf8)
    let other = try check()
    #expect(other.status == 0, "\(other.output)\(other.error)")
    #expect(!other.error.contains("database.path"))
  }

  @Test(
    "check-config reads the unit's credentials where the service gets them, applies its INLET_* variables, refuses a port it cannot bind"
  )
  func checkConfigWithTheUnitsCredentialsAndEnvironment() throws {
    let (folder, secret, shipped, unit) = try Self.unitBeside()
    defer { folder.remove() }
    try shipped.replacingOccurrences(of: "/etc/inlet/inlet.yaml", with: folder.config)
      .write(toFile: unit, atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(
      atPath: unit + ".d", withIntermediateDirectories: true)
    func check(_ dropIn: String) throws -> (status: Int32, output: String, error: String) {
      try ("[Service]\nReadWritePaths=\(folder.url.path)/var\n" + dropIn).write(
        toFile: unit + ".d/local.conf", atomically: true, encoding: .utf8)
      return try DaemonHarness.run(
        DaemonHarness.binary, ["check-config", "--config", folder.config, "--unit", unit])
    }
    #expect(try check("LoadCredential=site-token:\(secret)\n").status == 0)
    // A typo in the source: systemd would refuse to start the service; said, by key.
    let typo = try check("LoadCredential=site-token:\(folder.url.path)/credential/site-token\n")
    #expect(typo.status == 1)
    #expect(
      typo.error.contains(
        "channels[0].token_file: the unit hands `site-token` over from \(folder.url.path)/credential/site-token (LoadCredential=), and there is no such file"
      ),
      "\(typo.error)")
    // Encrypted for the service alone: nothing here to read, and nothing missing.
    try FileManager.default.removeItem(atPath: secret)
    let encrypted = try check("LoadCredentialEncrypted=site-token:/etc/credstore.encrypted/x\n")
    #expect(encrypted.status == 0, "\(encrypted.output)\(encrypted.error)")
    #expect(encrypted.output.contains("config OK"))
    // The unit's INLET_* variables are the service's: its database, its port.
    let database = "\(folder.url.path)/var/elsewhere.sqlite"
    let moved = try check(
      "LoadCredentialEncrypted=site-token:/etc/credstore.encrypted/x\n"
        + "Environment=\"INLET_DATABASE_PATH=\(database)\" INLET_LOGGING_LEVEL=debug\n")
    #expect(moved.status == 0, "\(moved.output)\(moved.error)")
    #expect(moved.output.contains("database: \(database)"), "\(moved.output)")
    try "INLET_HTTP_PORT=80\n".write(
      toFile: folder.url.appendingPathComponent("environment").path, atomically: true,
      encoding: .utf8)
    let low = try check(
      "LoadCredentialEncrypted=site-token:/etc/credstore.encrypted/x\n"
        + "EnvironmentFile=-\(folder.url.path)/environment\n")
    #expect(low.status == 1)
    #expect(
      low.error.contains("http.port: the service cannot listen on port 80"), "\(low.error)")
    #expect(low.error.contains("the service could not use the setting above"), "\(low.error)")
  }

  @Test("an administrator's command on the config the unit runs sees the unit's INLET_* variables")
  func adminCommandsSeeTheUnitsEnvironment() throws {
    let unit = SystemdUnit(
      text: """
        [Service]
        ExecStart=/usr/local/bin/inlet serve --config /etc/inlet/inlet.yaml
        Environment=INLET_DATABASE_PATH=/srv/inlet/inlet.sqlite "INLET_CONFIG=/x.yaml"
        LoadCredential=site-token:/etc/inlet/credentials/site-token
        LoadCredential=bare
        SetCredential=inline:value
        """)
    #expect(unit.environment == ["INLET_DATABASE_PATH": "/srv/inlet/inlet.sqlite"])
    #expect(unit.credentialSources["site-token"] == "/etc/inlet/credentials/site-token")
    #expect(unit.credentialSources["bare"] == .some(nil))
    #expect(unit.credentialSources["inline"] == .some(nil))
    #expect(unit.configPath == "/etc/inlet/inlet.yaml")
    // systemd's rules: EnvironmentFile= over Environment= whatever the order, an empty line
    // resets, UnsetEnvironment= last, folder specifiers expanded, others not guessed; a
    // SetCredential= of the same name is the fallback for a missing file.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "inlet-unit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("environment").path
    try "# comment\nINLET_HTTP_PORT=9090\nexport INLET_LOGGING_LEVEL=\"debug\"\n".write(
      toFile: file, atomically: true, encoding: .utf8)
    let ordered = SystemdUnit(
      text: """
        [Service]
        Environment=INLET_HTTP_PORT=1 INLET_MAIL_RATE_LIMIT_COUNT=5
        EnvironmentFile=-\(file)
        EnvironmentFile=-/nonexistent/file
        Environment=INLET_HTTP_PORT=2 INLET_DATABASE_PATH=%S/inlet/inlet.sqlite INLET_SECRETS_DIR=%d
        Environment=INLET_HTTP_HOST=127.0.0.1
        UnsetEnvironment=INLET_HTTP_HOST
        LoadCredential=token:%E/inlet/credentials/token
        LoadCredential=fallback:/etc/inlet/credentials/fallback
        SetCredential=fallback:default
        """)
    #expect(
      ordered.environment == [
        "INLET_HTTP_PORT": "9090", "INLET_LOGGING_LEVEL": "debug",
        "INLET_MAIL_RATE_LIMIT_COUNT": "5", "INLET_DATABASE_PATH": "/var/lib/inlet/inlet.sqlite",
      ])
    #expect(ordered.credentialSources["token"] == "/etc/inlet/credentials/token")
    #expect(ordered.credentialSources["fallback"] == .some(nil))
    let reset = SystemdUnit(text: "Environment=INLET_HTTP_PORT=1\nEnvironment=\n")
    #expect(reset.environment.isEmpty)
    let same = ConfigLoader.asTheService(configPath: "/etc/inlet/./inlet.yaml", unit: unit)
    #expect(same.environment["INLET_DATABASE_PATH"] == "/srv/inlet/inlet.sqlite")
    let other = ConfigLoader.asTheService(configPath: "/tmp/other.yaml", unit: unit)
    #expect(other.environment["INLET_DATABASE_PATH"] == nil)
  }

  @Test("an empty database path (an INLET_DATABASE_PATH left blank) is a config error by its key")
  func emptyDatabasePath() throws {
    let folder = try Folder(Self.minimal)
    defer { folder.remove() }
    do {
      _ = try ConfigLoader(environment: ["INLET_DATABASE_PATH": ""]).load(path: folder.config)
      Issue.record("an empty database path loaded")
    } catch {
      #expect(
        error.keyPath.contains("database.path") || "\(error)".contains("INLET_DATABASE_PATH"),
        "\(error)")
    }
  }

  @Test("a secret pasted where its file's name belongs is not repeated in the error")
  func pastedSecret() throws {
    let token = "9fQxL2mZ7rT4kB8wN1cV"
    let folder = try Folder(
      "channels_dir: \(Self.channels)\nchannels:\n  - { name: site, definition: generic, token_file: \(token) }\n"
    )
    defer { folder.remove() }
    do {
      _ = try ConfigLoader(environment: [:]).load(path: folder.config)
      Issue.record("a missing secret loaded")
    } catch {
      #expect(error.keyPath == "channels[0].token_file")
      #expect(error.message.contains("looks like the secret itself"), "\(error)")
      #expect(!"\(error)".contains(token))
    }
    for name in ["site-token", "imap-sales-password", "tilda-token-20241201", "secret.txt"] {
      #expect(!SecretResolver.looksLikeSecretItself(name), "\(name)")
    }
    #expect(SecretResolver.looksLikeSecretItself("3f2a1b4c-9d8e-4f7a-b6c5-d4e3f2a1b0c9"))
  }

  @Test("the config a unit runs: the last ExecStart=, --config in either form, or the default")
  func configTheUnitRuns() {
    func runs(_ text: String) -> String? { SystemdUnit(text: text).configPath }
    #expect(
      runs("ExecStart=/usr/bin/inlet serve --config /etc/inlet/a.yaml") == "/etc/inlet/a.yaml")
    #expect(
      runs("ExecStart=/usr/bin/inlet serve --config=/etc/x/../inlet/b.yaml") == "/etc/inlet/b.yaml")
    #expect(
      runs(#"ExecStart="/opt/my apps/inlet" serve --config "/etc/my inlet/c.yaml""#)
        == "/etc/my inlet/c.yaml")
    #expect(runs("ExecStart=/usr/bin/inlet serve") == "/etc/inlet/inlet.yaml")
    #expect(
      runs("Environment=INLET_CONFIG=/srv/inlet.yaml\nExecStart=/usr/bin/inlet serve")
        == "/srv/inlet.yaml")
    #expect(
      runs(
        "ExecStart=/usr/bin/inlet serve --config /a.yaml\nExecStart=\nExecStart=/usr/bin/inlet serve --config /b.yaml"
      )
        == "/b.yaml")
    #expect(runs("#ExecStart=/usr/bin/inlet serve --config /a.yaml") == nil)
    #expect(runs("") == nil)
  }

  @Test("paths the installed unit's sandbox would deny the service are named")
  func sandboxPaths() throws {
    let unit = try String(
      contentsOf: DaemonHarness.repositoryRoot.appendingPathComponent("systemd/inlet.service"),
      encoding: .utf8)
    let folder = try Folder(Self.minimal)
    defer { folder.remove() }
    var loaded = try ConfigLoader(environment: [:]).load(path: folder.config)
    // The default database beside the config: not writable under ProtectSystem=strict.
    #expect(loaded.pathsTheServiceCannotUse(unit: unit).map(\.key) == ["database.path"])
    loaded.databasePath = "/var/lib/inlet/inlet.sqlite"
    #expect(loaded.pathsTheServiceCannotUse(unit: unit).isEmpty)
    // A drop-in's ReadWritePaths= makes another folder writable.
    #expect(
      loaded.pathsTheServiceCannotUse(unit: unit + "\nReadWritePaths=-/srv/inlet\n").isEmpty)
    loaded.databasePath = "/srv/inlet/inlet.sqlite"
    #expect(
      loaded.pathsTheServiceCannotUse(unit: unit + "\nReadWritePaths=-/srv/inlet\n").isEmpty)
    #expect(loaded.pathsTheServiceCannotUse(unit: unit).map(\.key) == ["database.path"])
    // The same line in a drop-in of the unit, as an administrator adds it.
    let dropIns = folder.url.appendingPathComponent("inlet.service.d")
    try FileManager.default.createDirectory(at: dropIns, withIntermediateDirectories: true)
    try "[Service]\nReadWritePaths=/srv/inlet\n".write(
      to: dropIns.appendingPathComponent("paths.conf"), atomically: true, encoding: .utf8)
    #expect(
      loaded.pathsTheServiceCannotUse(unit: unit + LoadedConfig.dropInText(dropIns.path)).isEmpty)
    // Under a home folder: hidden (and not writable).
    loaded.databasePath = "/home/anna/inlet.sqlite"
    #expect(
      loaded.pathsTheServiceCannotUse(unit: unit).map(\.key) == ["database.path", "database.path"])
    // A CA certificate only its owner may read.
    let mail = try Folder(
      Self.minimal + """

        database: { path: /var/lib/inlet/inlet.sqlite }
        mailboxes:
          - { name: sales, url: "imaps://mail.example.ru", username: sales, password_file: site-token, ca_file: ca.pem }
        """)
    defer { mail.remove() }
    let ca = mail.url.appendingPathComponent("ca.pem").path
    try "-----BEGIN CERTIFICATE-----\n".write(toFile: ca, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: ca)
    let withMail = try ConfigLoader(environment: [:]).load(path: mail.config)
    #expect(
      withMail.pathsTheServiceCannotUse(unit: unit).map(\.key) == ["mailboxes[0].ca_file"])
  }

  @Test("a reload names the changed settings it cannot apply")
  func reloadNeedsRestart() throws {
    let before = try Folder(Self.minimal)
    defer { before.remove() }
    let after = try Folder(
      Self.minimal
        + "\nhttp:\n  max_body_bytes: 50\nlogging:\n  level: debug\nphone:\n  default_country: BY\n"
    )
    defer { after.remove() }
    let old = try ConfigLoader(environment: [:]).load(path: before.config).config
    let new = try ConfigLoader(environment: [:]).load(path: after.config).config
    #expect(ReloadService.changesNeedingRestart(from: old, to: old).isEmpty)
    #expect(
      ReloadService.changesNeedingRestart(from: old, to: new)
        == ["http.max_body_bytes", "phone", "logging"])
    // The listener's address and idle timeout are taken at start-up too.
    let listener = try Folder(
      Self.minimal + "\nhttp:\n  host: 0.0.0.0\n  port: 9090\n  idle_timeout: 5s\n")
    defer { listener.remove() }
    let moved = try ConfigLoader(environment: [:]).load(path: listener.config).config
    #expect(
      ReloadService.changesNeedingRestart(from: old, to: moved)
        == ["http.host", "http.port", "http.idle_timeout"])
  }

  @Test("a reload is checked against the running http and phone, which it does not apply")
  func reloadCheckedAgainstRunning() throws {
    let before = try Folder(Self.minimal)
    defer { before.remove() }
    let running = try ConfigLoader(environment: [:]).load(path: before.config).config
    // A Twilio channel and the public URL it signs, added in one reload: the daemon keeps
    // running without the URL, so the channel would refuse every callback.
    let twilio = try Folder(
      Self.minimal
        + "\n  - { name: t, definition: twilio, secrets: { auth_token_file: site-token } }\n"
        + "http:\n  public_url: https://leads.example.ru\n")
    defer { twilio.remove() }
    #expect(throws: Never.self) { try ConfigLoader(environment: [:]).load(path: twilio.config) }
    do {
      _ = try ConfigLoader(environment: [:], running: running).load(path: twilio.config)
      Issue.record("a reload adding a Twilio channel with the URL it cannot apply was taken")
    } catch {
      #expect(error.keyPath == "http.public_url")
      #expect(error.message.contains("restart"), "\(error)")
    }
    // The company's phones are read with the running country: a Belarusian number given with
    // BY as the new (unapplied) country is not a Russian one.
    let phones = try Folder(
      Self.minimal + "\nphone:\n  default_country: BY\nmail:\n  own_phones: [\"29 123-45-67\"]\n")
    defer { phones.remove() }
    #expect(throws: Never.self) { try ConfigLoader(environment: [:]).load(path: phones.config) }
    #expect(throws: ConfigError.self) {
      try ConfigLoader(environment: [:], running: running).load(path: phones.config)
    }
  }

  @Test("two API tokens of one value are refused: the second client would get the first's scope")
  func duplicateTokenValues() throws {
    let folder = try Folder(
      Self.minimal
        + "\napi:\n  tokens:\n    - { name: reader, token_file: site-token, scope: read }\n"
        + "    - { name: crm, token_file: copy, scope: read-write }\n",
      files: ["site-token": "s3cret\n", "copy": "s3cret\n"])
    defer { folder.remove() }
    do {
      _ = try ConfigLoader(environment: [:]).load(path: folder.config)
      Issue.record("two tokens of one value were taken")
    } catch {
      #expect(error.keyPath == "api.tokens[1].token_file", "\(error)")
      #expect(error.message.contains("`reader`"), "\(error)")
    }
  }

  @Test("the shipped example config is valid")
  func exampleConfig() throws {
    let root = DaemonHarness.repositoryRoot
    let credentials = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-creds-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: credentials) }
    for name in ["site-token", "api-crm"] {
      try "t-\(name)".write(
        to: credentials.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    let loaded = try ConfigLoader(environment: ["CREDENTIALS_DIRECTORY": credentials.path])
      .load(path: root.appendingPathComponent("systemd/inlet.example.yaml").path)
    #expect(loaded.channels.map(\.name) == ["site"])
    #expect(loaded.databasePath == root.appendingPathComponent("var/inlet.sqlite").path)
    #expect(loaded.apiTokens.map(\.name) == ["crm"])
  }
}
