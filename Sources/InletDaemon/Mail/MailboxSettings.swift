import Foundation
import InletCore

/// One `mailboxes:` entry, validated: what the poller needs to reach and drain the folder.
public struct MailboxSettings: Sendable, Equatable {
  public var name: String
  /// The server part of the URL (`imaps://imap.example.ru:993`) and the folder (its path).
  public var url: String
  public var folder: String
  public var username: String
  public var credential: Credential
  public var tls: TLS
  public var caFile: String?
  public var firstSync: FirstSync
  public var afterIngest: AfterIngest
  public var pollInterval: Duration
  public var idle: Bool
  public var maxMessageBytes: Int

  /// Where the login secret comes from; read at each connection, so a rotated password file or
  /// a refreshed OAuth2 token is picked up without a restart (under systemd a file handed over
  /// by `LoadCredential=` is the copy made when the service started: there, a restart).
  public enum Credential: Sendable, Equatable {
    case passwordFile(String)
    case oauth2TokenFile(String)
    /// Run through the shell in `directory` (the config file's folder: a helper named by a
    /// relative path is found there, also under systemd, which starts the service in `/`).
    case oauth2TokenCommand(String, directory: String)
  }

  public enum TLS: String, Sendable, Equatable {
    case implicit, starttls, none
  }

  /// Which letters a mailbox's first synchronisation takes.
  public enum FirstSync: Sendable, Equatable {
    /// Only letters that arrive after the first connection (the default).
    case fromNow
    /// Letters of the last N days, then everything new.
    case days(Int)
    /// Everything in the folder.
    case all
  }

  /// What happens to a letter on the server after it was committed.
  public enum AfterIngest: Sendable, Equatable {
    case keep
    case seen
    case move(String)
  }

  init(_ section: MailboxSection, at path: String, secrets: SecretResolver, folder: URL)
    throws(ConfigError)
  {
    name = section.name
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
    else {
      throw ConfigError("\(path).name", "letters, digits, `-`, `_` and `.` only")
    }
    let implicit = section.url.hasPrefix("imaps://")
    let rest = section.url.dropFirst(implicit ? "imaps://".count : "imap://".count)
    let slash = rest.firstIndex(of: "/") ?? rest.endIndex
    let host = rest[..<slash]
    guard !host.isEmpty else { throw ConfigError("\(path).url", "the URL names no server") }
    url = (implicit ? "imaps://" : "imap://") + host
    let folderPath = String(rest[slash...].drop(while: { $0 == "/" }))
    self.folder =
      folderPath.isEmpty ? "INBOX" : (folderPath.removingPercentEncoding ?? folderPath)
    username = section.username

    let sources = [
      section.passwordFile.map(Credential.passwordFile),
      section.oauth2TokenFile.map(Credential.oauth2TokenFile),
      section.oauth2TokenCommand.map { Credential.oauth2TokenCommand($0, directory: folder.path) },
    ].compactMap { $0 }
    guard sources.count == 1, let credential = sources.first else {
      throw ConfigError(
        path, "give exactly one of password_file, oauth2_token_file, oauth2_token_command")
    }
    // A missing secret file is a config error now, not a failing mailbox later.
    switch credential {
    case .passwordFile(let file):
      _ = try secrets.read(file, keyPath: "\(path).password_file")
      self.credential = .passwordFile(secrets.locate(file)?.path ?? file)
    case .oauth2TokenFile(let file):
      _ = try secrets.read(file, keyPath: "\(path).oauth2_token_file")
      self.credential = .oauth2TokenFile(secrets.locate(file)?.path ?? file)
    case .oauth2TokenCommand:
      self.credential = credential
    }

    switch (implicit, section.tls) {
    case (true, _): tls = .implicit
    case (false, "starttls"): tls = .starttls
    case (false, "none"): tls = .none
    default:
      throw ConfigError("\(path).tls", "starttls (the default) or none (loopback tests only)")
    }
    caFile = section.caFile.map { ConfigLoader.resolve($0, against: folder).path }
    if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
      throw ConfigError("\(path).ca_file", "cannot read \(caFile)")
    }

    switch section.firstSync {
    case .string("from_now"): firstSync = .fromNow
    case .string("all"): firstSync = .all
    case .object(let members):
      guard members.count == 1, let days = members["days"]?.text.flatMap({ Int($0) }), days >= 0
      else {
        throw ConfigError("\(path).first_sync", "from_now, all or {days: N}")
      }
      firstSync = .days(days)
    default:
      throw ConfigError("\(path).first_sync", "from_now, all or {days: N}")
    }

    switch section.afterIngest {
    case "keep": afterIngest = .keep
    case "seen": afterIngest = .seen
    case let value where value.hasPrefix("move:") && value.count > "move:".count:
      let target = String(value.dropFirst("move:".count))
      // Moving letters into the folder they are read from would fetch them again forever.
      let read = self.folder
      guard target != read, !(target.uppercased() == "INBOX" && read.uppercased() == "INBOX")
      else {
        throw ConfigError(
          "\(path).after_ingest", "move: needs another folder than the one read (\(read))")
      }
      afterIngest = .move(target)
    default:
      throw ConfigError("\(path).after_ingest", "keep, seen or move:FOLDER")
    }
    guard let interval = DurationText.parse(section.pollInterval), interval > .zero else {
      throw ConfigError("\(path).poll_interval", "a duration such as 60s or 5m")
    }
    pollInterval = interval
    idle = section.idle
    guard section.maxMessageBytes > 0 else {
      throw ConfigError("\(path).max_message_bytes", "a positive number of bytes")
    }
    maxMessageBytes = section.maxMessageBytes
  }
}

/// Where a mailbox's secret comes from when it connects: a file, or a command's output.
extension MailboxPoller {
  static func readSecret(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path),
      let text = String(data: data, encoding: .utf8)
    else { throw MailboxError("cannot read the secret file \(path)") }
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Runs `oauth2_token_command` through the shell (in `directory`, when given); its standard
  /// output is the token. A command still running after `timeout` seconds (a helper stuck on
  /// the network or waiting for input) is killed and the connection attempt fails, to be
  /// retried with backoff. A failing command's error output (its start) is the error's
  /// `detail`: logged, not shown on `/health`.
  static func run(_ command: String, in directory: String? = nil, timeout: Double = 30) throws
    -> String
  {
    let process = Process()
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    // Under coreutils' `timeout`, which puts the command in a process group of its own and
    // signals the whole group: what the shell started dies with it, instead of living on
    // holding our output (and the daemon's standard error) open.
    process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    process.arguments = [
      "-k", "2", String(format: "%.3fs", max(0.001, timeout)), "/bin/sh", "-c", command,
    ]
    let output = Pipe()
    process.standardOutput = output
    process.standardInput = FileHandle.nullDevice
    // Nothing of ours is inherited but the output pipe: a descendant that escaped the group
    // must not hold the daemon's standard error open. Its error output goes to a file of its
    // own (a pipe could fill up and stall it while we wait for its standard output).
    let errors = try ErrorOutputFile()
    defer { errors.remove() }
    process.standardError = errors.handle
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    if exited.wait(timeout: .now() + timeout + 5) == .timedOut {
      process.terminate()
      _ = exited.wait(timeout: .now() + 2)
    }
    // 124: timed out (SIGTERM); 137: killed after the grace period.
    if process.isRunning || [124, 137].contains(process.terminationStatus) {
      throw MailboxError("oauth2_token_command did not finish within \(Int(timeout)) s")
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      let said = errors.start()
      throw MailboxError(
        "oauth2_token_command exited with \(process.terminationStatus)"
          + (said.isEmpty ? "" : " (its error output is in the log)"),
        detail: said.isEmpty ? nil : said)
    }
    let token = String(decoding: data, as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    guard !token.isEmpty else { throw MailboxError("oauth2_token_command printed no token") }
    return token
  }
}

/// A command's error output, in a temporary file of its own (removed after the run).
private struct ErrorOutputFile {
  let handle: FileHandle
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-command-\(UUID().uuidString)")
    guard
      FileManager.default.createFile(
        atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
      let handle = FileHandle(forWritingAtPath: url.path)
    else { throw MailboxError("cannot make a file for the command's errors") }
    self.handle = handle
  }

  /// The first 300 characters it wrote, on one line.
  func start() -> String {
    guard let reader = try? FileHandle(forReadingFrom: url) else { return "" }
    defer { try? reader.close() }
    let data = (try? reader.read(upToCount: 1200)) ?? nil
    let text = String(decoding: data ?? Data(), as: UTF8.self)
      .split(whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
      .joined(separator: " / ")
    return text.count > 300 ? String(text.prefix(300)) + "…" : text
  }

  func remove() {
    try? handle.close()
    try? FileManager.default.removeItem(at: url)
  }
}
