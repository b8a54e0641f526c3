import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module hides.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnCloseFrom(
  _ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32
) -> Int32

/// A real Dovecot IMAP server (Debian's `dovecot-imapd`) for tests: started on a free loopback
/// port with a generated configuration, a passwd-file of users and Maildir folders under a temp
/// directory; optionally with STARTTLS and an implicit-TLS (imaps) port using a self-signed
/// certificate made by `openssl`.
///
/// Run as root (as the tests and CI do), Dovecot's mail processes run as `nobody`; the letters
/// written here are handed to that user. Everything lives under `root`; `cleanUp()` (or
/// deinit) stops the server and removes it.
public final class DovecotServer: @unchecked Sendable {
  public enum SetupError: Error, CustomStringConvertible {
    case missing(String)
    case failed(String)

    public var description: String {
      switch self {
      case .missing(let text), .failed(let text): return text
      }
    }
  }

  public static let binary = "/usr/sbin/dovecot"

  /// The temp directory holding configuration, state, logs and mail.
  public let root: URL
  /// Plain IMAP (STARTTLS when started with `tls`).
  public let port: Int
  /// Implicit TLS, when started with `tls`.
  public let imapsPort: Int?
  /// The self-signed certificate (PEM) to use as `caFile`, when started with `tls`.
  public let certificateFile: String?
  public let users: [String: String]

  private let configFile: URL
  private let mailUID: uid_t
  private let mailGID: gid_t
  private var pid: pid_t?
  private var dropCounter = 0
  private let lock = NSLock()

  /// Writes the configuration and starts the server.
  /// - Parameters:
  ///   - users: user name → password.
  ///   - tls: offer STARTTLS on `port` and implicit TLS on `imapsPort` (self-signed
  ///     certificate for 127.0.0.1 and localhost).
  ///   - extraConfig: more Dovecot settings, e.g. `imap_capability = IMAP4rev1 IDLE UIDPLUS`.
  public init(
    users: [String: String] = ["sales": "secret"], tls: Bool = false, extraConfig: String = ""
  ) throws {
    guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
      throw SetupError.missing(
        "Dovecot is not installed (\(Self.binary) is missing): the IMAP tests need a real "
          + "server. Install it with `apt-get install -y dovecot-imapd` (scripts/test does).")
    }
    var template = Array("/tmp/inlet-dovecot-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw SetupError.failed("mkdtemp failed") }
    root = URL(fileURLWithPath: String(cString: made))
    chmod(root.path, 0o755)
    self.users = users
    port = TestPorts.free()
    imapsPort = tls ? TestPorts.free() : nil
    configFile = root.appendingPathComponent("dovecot.conf")

    if getuid() == 0 {
      guard let nobody = getpwnam("nobody") else { throw SetupError.failed("no user nobody") }
      mailUID = nobody.pointee.pw_uid
      mailGID = nobody.pointee.pw_gid
    } else {
      mailUID = getuid()
      mailGID = getgid()
    }

    let fileManager = FileManager.default
    for name in ["run", "state", "mail"] {
      try fileManager.createDirectory(
        at: root.appendingPathComponent(name), withIntermediateDirectories: true)
    }
    chown(root.appendingPathComponent("mail").path, mailUID, mailGID)
    let usersFile = root.appendingPathComponent("users")
    let lines = users.sorted { $0.key < $1.key }.map { "\($0.key):{PLAIN}\($0.value)\n" }
    try lines.joined().write(to: usersFile, atomically: true, encoding: .utf8)

    var certificate: String?
    if tls {
      certificate = try Self.makeCertificate(in: root)
    }
    certificateFile = certificate
    let text = Self.configuration(
      root: root.path, port: port, imapsPort: imapsPort, certificateFile: certificate,
      mailUID: mailUID, mailGID: mailGID, extraConfig: extraConfig)
    try text.write(to: configFile, atomically: true, encoding: .utf8)
    for user in users.keys { try createFolder(user: user, folder: "INBOX") }
    try start()
  }

  deinit { cleanUp() }

  private static func configuration(
    root path: String, port: Int, imapsPort: Int?, certificateFile: String?, mailUID: uid_t,
    mailGID: gid_t, extraConfig: String
  ) -> String {
    var ssl = "ssl = no\n"
    if let certificateFile {
      ssl = """
        ssl = yes
        ssl_cert = <\(certificateFile)
        ssl_key = <\(path)/key.pem

        """
    }
    var identity = ""
    if getuid() != 0 {
      let name = String(cString: getpwuid(getuid()).pointee.pw_name)
      identity = """
        default_login_user = \(name)
        default_internal_user = \(name)

        """
    }
    return """
      protocols = imap
      listen = 127.0.0.1
      \(ssl)disable_plaintext_auth = no
      auth_mechanisms = plain login
      base_dir = \(path)/run
      state_dir = \(path)/state
      log_path = \(path)/dovecot.log
      mail_location = maildir:~/Maildir
      first_valid_uid = 1
      \(identity)passdb {
        driver = passwd-file
        args = scheme=PLAIN username_format=%u \(path)/users
      }
      userdb {
        driver = static
        args = uid=\(mailUID) gid=\(mailGID) home=\(path)/mail/%u
      }
      service imap-login {
        chroot =
        inet_listener imap {
          port = \(port)
        }
        inet_listener imaps {
          port = \(imapsPort ?? 0)
        }
      }
      service anvil {
        chroot =
      }
      \(extraConfig)

      """
  }

  private static func makeCertificate(in root: URL) throws -> String {
    let certificate = root.appendingPathComponent("cert.pem").path
    let arguments = [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
      "-keyout", root.appendingPathComponent("key.pem").path, "-out", certificate,
      "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ]
    try run("/usr/bin/openssl", arguments)
    return certificate
  }

  @discardableResult
  private static func run(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    do {
      try process.run()
    } catch {
      throw SetupError.missing("cannot run \(executable): \(error)")
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
      throw SetupError.failed("\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
    }
    return text
  }

  // MARK: Running

  public var isRunning: Bool {
    lock.withLock { pid.map { kill($0, 0) == 0 } ?? false }
  }

  /// Starts Dovecot in the foreground (`dovecot -F`) and waits until the port answers.
  public func start() throws {
    try lock.withLock {
      guard pid == nil else { return }
      let log = root.appendingPathComponent("dovecot.out").path
      pid = try Self.spawn(Self.binary, ["-F", "-c", configFile.path], log: log)
    }
    let deadline = Date().addingTimeInterval(15)
    while Date() < deadline {
      if Self.answers(port: port) && (imapsPort.map(Self.answers) ?? true) { return }
      if !isRunning { break }
      usleep(20_000)
    }
    throw SetupError.failed("Dovecot did not start on port \(port):\n\(log())")
  }

  /// Starts a process with default signal handling and an empty signal mask (Foundation's
  /// Process hands its blocked signals down, and Dovecot would then ignore SIGTERM), its
  /// output appended to `log`, no inherited descriptors beyond 0-2, in a process group of its
  /// own (so that `stop()` can end every process of the instance).
  private static func spawn(_ executable: String, _ arguments: [String], log: String) throws
    -> pid_t
  {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigmask(&attributes, &mask)
    var defaults = sigset_t()
    sigfillset(&defaults)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    _ = spawnCloseFrom(&actions, 3)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid = pid_t()
    let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
    guard result == 0 else {
      throw SetupError.failed("cannot start \(executable): \(String(cString: strerror(result)))")
    }
    return pid
  }

  /// Stops the server and waits for it: SIGTERM to the master, then SIGKILL to what is left of
  /// its process group. Dovecot 2.3's master leaves running `imap` processes serving their
  /// clients when it stops; killing them makes a stop look like a server going down, so every
  /// client connection drops.
  public func stop() {
    let current: pid_t? = lock.withLock {
      defer { pid = nil }
      return pid
    }
    guard let current else { return }
    kill(current, SIGTERM)
    // The master is waited for without being reaped: while it is a zombie its pid (and so its
    // process group's id) cannot be handed to another process, which the group kill below
    // would otherwise hit.
    let deadline = Date().addingTimeInterval(10)
    while !Self.hasExited(current) {
      if Date() > deadline {
        kill(current, SIGKILL)
        break
      }
      usleep(10_000)
    }
    kill(-current, SIGKILL)
    var status: Int32 = 0
    waitpid(current, &status, 0)
    let closed = Date().addingTimeInterval(10)
    while Self.answers(port: port) && Date() < closed { usleep(20_000) }
  }

  /// Kills the server and its IMAP processes at once (SIGKILL to the process group), as a crash
  /// or a power cut would: unlike ``stop()``, no graceful shutdown during which the sessions
  /// already open go on serving.
  public func crash() {
    let current: pid_t? = lock.withLock {
      defer { pid = nil }
      return pid
    }
    guard let current else { return }
    kill(-current, SIGKILL)
    kill(current, SIGKILL)
    var status: Int32 = 0
    waitpid(current, &status, 0)
    let closed = Date().addingTimeInterval(10)
    while Self.answers(port: port) && Date() < closed { usleep(20_000) }
  }

  /// Whether a child has exited (a zombie, not yet reaped) or is gone.
  private static func hasExited(_ pid: pid_t) -> Bool {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = text.lastIndex(of: ")")
    else { return true }
    return text[text.index(after: close)...].drop { $0 == " " }.first == "Z"
  }

  public func restart() throws {
    stop()
    try start()
  }

  /// Ends every open IMAP session the way a server going down does: SIGTERM to the server's
  /// `imap` processes, each of which says `* BYE Server shutting down.` and exits. The server
  /// itself goes on accepting connections. Returns how many sessions were ended.
  @discardableResult
  public func endSessions() -> Int {
    guard let master = lock.withLock({ pid }) else { return 0 }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    var ended = 0
    for entry in entries {
      guard let child = pid_t(entry),
        let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8)
      else { continue }
      let fields = Dictionary(
        status.split(separator: "\n").compactMap { line -> (String, String)? in
          guard let colon = line.firstIndex(of: ":") else { return nil }
          return (
            String(line[..<colon]),
            line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
          )
        }, uniquingKeysWith: { first, _ in first })
      guard fields["PPid"] == String(master), fields["Name"] == "imap" else { continue }
      if kill(child, SIGTERM) == 0 { ended += 1 }
    }
    return ended
  }

  /// Stops the server and removes the temp directory.
  public func cleanUp() {
    stop()
    try? FileManager.default.removeItem(at: root)
  }

  /// What Dovecot logged (for failure messages).
  public func log() -> String {
    let files = ["dovecot.out", "dovecot.log"].map { root.appendingPathComponent($0) }
    return files.compactMap { try? String(contentsOf: $0, encoding: .utf8) }.joined()
  }

  private static func answers(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return TestPorts.loopback(fd, port: port, connect) == 0
  }

  // MARK: URLs

  /// `imap://127.0.0.1:port/<folder>` (the folder percent-encoded).
  public func url(folder: String = "INBOX") -> String {
    "imap://127.0.0.1:\(port)/\(Self.percentEncoded(folder))"
  }

  /// `imaps://localhost:imapsPort/<folder>`; only with `tls`.
  public func imapsURL(folder: String = "INBOX") -> String {
    "imaps://localhost:\(imapsPort ?? 0)/\(Self.percentEncoded(folder))"
  }

  /// `imap://localhost:port/<folder>`: the host name the certificate carries, for STARTTLS.
  public func starttlsURL(folder: String = "INBOX") -> String {
    "imap://localhost:\(port)/\(Self.percentEncoded(folder))"
  }

  private static func percentEncoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? text
  }

  // MARK: Mail

  /// The Maildir directory of a folder (Maildir++: `INBOX` is the root, `X` is `.X`).
  /// Folders handled here must have ASCII names; create others over IMAP.
  public func maildir(user: String, folder: String = "INBOX") -> URL {
    let base = root.appendingPathComponent("mail/\(user)/Maildir")
    return folder.uppercased() == "INBOX" ? base : base.appendingPathComponent(".\(folder)")
  }

  /// Creates an (ASCII-named) folder's Maildir directories, owned by the mail user.
  public func createFolder(user: String, folder: String) throws {
    let fileManager = FileManager.default
    var chain = [root.appendingPathComponent("mail/\(user)")]
    chain.append(chain[0].appendingPathComponent("Maildir"))
    let directory = maildir(user: user, folder: folder)
    if directory != chain[1] { chain.append(directory) }
    for name in ["cur", "new", "tmp"] { chain.append(directory.appendingPathComponent(name)) }
    for path in chain {
      try fileManager.createDirectory(at: path, withIntermediateDirectories: true)
      chown(path.path, mailUID, mailGID)
    }
    if directory != chain[1] {
      let marker = directory.appendingPathComponent("maildirfolder").path
      _ = fileManager.createFile(atPath: marker, contents: Data())
      chown(marker, mailUID, mailGID)
    }
  }

  /// Writes letters straight into the folder's Maildir `cur/` (fast: thousands per second), in
  /// order, so Dovecot gives them ascending UIDs the next time the folder is opened (a letter
  /// appended over IMAP before that open gets a lower UID than these). `seen`
  /// sets the \Seen flag. Letters should use CRLF line ends to be served byte-identical.
  /// `received`: the letters' INTERNALDATE (a Maildir file's mtime), now by default.
  public func dropLetters(
    _ letters: [[UInt8]], user: String = "sales", folder: String = "INBOX", seen: Bool = false,
    received: Date? = nil
  ) throws {
    try createFolder(user: user, folder: folder)
    let directory = maildir(user: user, folder: folder).appendingPathComponent("cur")
    let seconds = lock.withLock {
      dropCounter += 1
      return Int(Date().timeIntervalSince1970) - 1_000_000 + dropCounter * 10
    }
    for (index, letter) in letters.enumerated() {
      var virtualSize = letter.count
      var previous: UInt8 = 0
      for byte in letter {
        if byte == 10 && previous != 13 { virtualSize += 1 }
        previous = byte
      }
      let name =
        "\(seconds).M\(index + 1)P\(getpid()).inlet,S=\(letter.count),W=\(virtualSize):2,"
        + (seen ? "S" : "")
      let path = directory.appendingPathComponent(name).path
      let written = letter.withUnsafeBytes { raw -> Bool in
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var offset = 0
        while offset < raw.count {
          let count = write(fd, raw.baseAddress! + offset, raw.count - offset)
          guard count > 0 else { return false }
          offset += count
        }
        return fchown(fd, mailUID, mailGID) == 0
      }
      guard written else { throw SetupError.failed("cannot write \(path)") }
      if let received {
        let seconds = Int(received.timeIntervalSince1970)
        var times = [
          timeval(tv_sec: seconds, tv_usec: 0), timeval(tv_sec: seconds, tv_usec: 0),
        ]
        guard utimes(path, &times) == 0 else { throw SetupError.failed("cannot date \(path)") }
      }
    }
  }

  /// Appends a letter over IMAP (with the `curl` tool), as a mail client or a delivery would.
  public func append(_ letter: [UInt8], user: String = "sales", folder: String = "INBOX") throws {
    let file = root.appendingPathComponent("append-\(UUID().uuidString).eml")
    try Data(letter).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    try Self.run(
      "/usr/bin/curl",
      ["-sS", "-T", file.path, url(folder: folder), "-u", "\(user):\(users[user] ?? "")"])
  }

  /// Recreates a folder with the same letters under a new UIDVALIDITY: Dovecot's UID list and
  /// indexes of the folder are removed, so it numbers the letters afresh. Clients that have
  /// the folder open should reconnect.
  public func recreateFolder(user: String = "sales", folder: String = "INBOX") throws {
    let directory = maildir(user: user, folder: folder)
    let fileManager = FileManager.default
    for name in try fileManager.contentsOfDirectory(atPath: directory.path)
    where name.hasPrefix("dovecot-uidlist") || name.hasPrefix("dovecot.index") {
      try fileManager.removeItem(at: directory.appendingPathComponent(name))
    }
  }

  /// The file names in a folder's `cur/` and `new/` (to check flags such as `:2,S`).
  public func letterFiles(user: String = "sales", folder: String = "INBOX") -> [String] {
    let directory = maildir(user: user, folder: folder)
    return ["cur", "new"].flatMap {
      (try? FileManager.default.contentsOfDirectory(
        atPath: directory.appendingPathComponent($0).path)) ?? []
    }.sorted()
  }
}
