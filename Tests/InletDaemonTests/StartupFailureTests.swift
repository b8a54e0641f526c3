import Foundation
import InletDaemon
import InletTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `inlet serve` that cannot start says why in one error line of its own log (journald's `<3>`,
/// or JSON), in plain words with the address or file and the key to change, and exits 1.
@Suite("Start-up failures")
struct StartupFailureTests {
  /// A TCP socket listening on a free loopback port (one no other test is given): the port is
  /// busy until the socket is closed.
  private static func busyPort() throws -> (socket: Int32, port: Int) {
    let port = TestPorts.free()
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket() failed") }
    let bound = TestPorts.loopback(fd, port: port, bind)
    guard bound == 0, listen(fd, 4) == 0 else {
      close(fd)
      throw HarnessError("cannot listen on 127.0.0.1:\(port)")
    }
    return (fd, port)
  }

  /// Starts `daemon`, which must fail; returns its exit status and log lines.
  private func failedStart(_ daemon: DaemonHarness) async throws
    -> (status: Int32, lines: [String])
  {
    await #expect(throws: HarnessError.self) { try await daemon.start() }
    let status = daemon.stop()
    return (status, daemon.log().split(separator: "\n").map(String.init))
  }

  @Test("a port in use: one <3> line naming the address, exit 1, no misleading warning")
  func portInUseJournal() async throws {
    let busy = try Self.busyPort()
    defer { close(busy.socket) }
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    daemon.environment = [
      "JOURNAL_STREAM": daemon.journalStream, "INLET_HTTP_PORT": "\(busy.port)",
    ]
    let (status, lines) = try await failedStart(daemon)
    #expect(status == 1)
    // Everything through the logger: no `Error: …` line of ArgumentParser's.
    for line in lines {
      #expect(line.wholeMatch(of: /<[2-7]>inlet: .*/) != nil, "\(line)")
    }
    let errors = lines.filter { $0.hasPrefix("<3>") || $0.hasPrefix("<2>") }
    #expect(errors.count == 1, "\(lines)")
    let line = try #require(errors.first, "\(lines)")
    let reason = "address already in use (http.host / http.port)"
    #expect(line.hasSuffix("cannot listen on 127.0.0.1:\(busy.port): \(reason)"), "\(line)")
    // The checkpointing service, cancelled as the group stops, is no warning of its own.
    #expect(!lines.contains(where: { $0.hasPrefix("<4>") }), "\(lines)")
    #expect(!daemon.log().contains("CancellationError"), "\(lines)")
  }

  @Test("a port in use, with --log-format json: one error object")
  func portInUseJSON() async throws {
    let busy = try Self.busyPort()
    defer { close(busy.socket) }
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    daemon.environment = ["INLET_HTTP_PORT": "\(busy.port)"]
    daemon.serveArguments = ["--log-format", "json"]
    let (status, lines) = try await failedStart(daemon)
    #expect(status == 1)
    var errors: [[String: Any]] = []
    for line in lines {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      let entry = try #require(object, "not a JSON object: \(line)")
      if let level = entry["level"] as? String, ["error", "critical"].contains(level) {
        errors.append(entry)
      }
    }
    #expect(errors.count == 1, "\(lines)")
    let message = try #require(errors.first?["message"] as? String)
    #expect(message.hasPrefix("cannot listen on 127.0.0.1:\(busy.port): address already in use"))
  }

  @Test("a config error at serve: one <3> line, naming the variable that set the key")
  func configError() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    daemon.environment = ["JOURNAL_STREAM": daemon.journalStream, "INLET_HTTP_PORT": "abc"]
    let (status, lines) = try await failedStart(daemon)
    #expect(status == 1)
    #expect(lines.count == 1, "\(lines)")
    let line = try #require(lines.first)
    #expect(line.hasPrefix("<3>inlet: "), "\(line)")
    #expect(
      line.hasSuffix(#"config error: INLET_HTTP_PORT (http.port): expected an integer, got "abc""#),
      "\(line)")
  }

  @Test("a database under a file: the path and why, logged by serve")
  func databaseUnderAFile() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    // Not a folder: fails for root too (the tests run as root in CI), unlike a read-only one.
    let file = daemon.folder.appendingPathComponent("afile").path
    #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
    let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    try config.replacingOccurrences(of: "path: var/inlet.sqlite", with: "path: afile/inlet.sqlite")
      .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    daemon.environment = ["JOURNAL_STREAM": daemon.journalStream]
    let (status, lines) = try await failedStart(daemon)
    #expect(status == 1)
    let errors = lines.filter { $0.hasPrefix("<3>") }
    #expect(errors.count == 1, "\(lines)")
    let line = try #require(errors.first, "\(lines)")
    // Found while reading the config (so `inlet check-config` says it too), with its key.
    #expect(line.hasSuffix("database.path: \(file) is a file, not a folder"), "\(line)")
    let check = try daemon.cli(["check-config"])
    #expect(check.status != 0)
    #expect(check.error.contains("database.path"), "\(check.output)\(check.error)")
  }

  /// What opening the database at `path` for writing says, or nil when it opens.
  private func openingProblem(_ path: String) -> String? {
    do {
      _ = try WritingCommand(path: path, settings: InletConfig().directorySettings)
      return nil
    } catch {
      return "\(error)"
    }
  }

  @Test("a database that cannot be opened is named with its path, the reason and the key")
  func databaseProblems() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-open-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("afile").path
    #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))

    #expect(
      openingProblem(file + "/inlet.sqlite")
        == "cannot open the database \(file)/inlet.sqlite: \(file) is a file, not a folder "
        + "(database.path)")
    // A missing folder that cannot be created: the folder and why.
    #expect(
      openingProblem(file + "/sub/inlet.sqlite")
        == "cannot open the database \(file)/sub/inlet.sqlite: the folder \(file)/sub does not "
        + "exist and cannot be created (\(file) is a file, not a folder) (database.path)")
    // A folder this user may not write (root may write any).
    if getuid() != 0 {
      let locked = folder.appendingPathComponent("locked")
      try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
      #expect(chmod(locked.path, 0o500) == 0)
      defer { chmod(locked.path, 0o700) }
      let database = locked.path + "/inlet.sqlite"
      let problem = openingProblem(database) ?? ""
      #expect(
        problem.hasPrefix("cannot open the database \(database): permission denied"), "\(problem)")
      #expect(problem.hasSuffix("(database.path)"), "\(problem)")
    }
  }

  /// An administrator's writing command, run without sudo on an installed server: the
  /// database's folder is the service's own (a link into a folder only root may enter), so
  /// the commands say to use sudo instead of calling the database missing or database.path
  /// wrong. (The check runs the commands as `nobody`: as root every folder is open.)
  @Test(.enabled(if: getuid() == 0, "runs the commands as another user"))
  func serviceFolderSaysSudo() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-private-\(UUID().uuidString)")
    let state = folder.appendingPathComponent("private/inlet")
    try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect(chmod(folder.path, 0o755) == 0)
    #expect(chmod(folder.appendingPathComponent("private").path, 0o700) == 0)
    try FileManager.default.createSymbolicLink(
      atPath: folder.appendingPathComponent("state").path, withDestinationPath: "private/inlet")
    let config = folder.appendingPathComponent("inlet.yaml").path
    let channels = DaemonHarness.repositoryRoot.appendingPathComponent("channels").path
    try "database:\n  path: state/inlet.sqlite\nchannels_dir: \(channels)\n".write(
      toFile: config, atomically: true, encoding: .utf8)
    let csv = folder.appendingPathComponent("clients.csv").path
    try "name,inn\nРомашка,7707083893\n".write(toFile: csv, atomically: true, encoding: .utf8)
    for file in [config, csv] { #expect(chmod(file, 0o644) == 0) }
    let setpriv = URL(fileURLWithPath: "/usr/bin/setpriv")
    let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", DaemonHarness.binary.path]
    for command in [
      ["directory", "import", "--kind", "clients", csv], ["backup", folder.path + "/copy.sqlite"],
      ["replay"], ["inquiries", "list"],
    ] {
      let run = try DaemonHarness.run(setpriv, asNobody + command + ["--config", config])
      #expect(run.status != 0, "\(command)")
      #expect(run.error.contains("permission denied"), "\(command): \(run.error)")
      #expect(run.error.contains("use sudo"), "\(command): \(run.error)")
    }
  }
}
