import AsyncHTTPClient
import Foundation
import InletTestSupport
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
  import Glibc
#endif

/// The real `inlet` binary started on a free loopback port with its own config, database and
/// secrets in a temporary folder.
final class DaemonHarness: @unchecked Sendable {
  let folder: URL
  let configPath: String
  let databasePath: String
  let port: Int
  let siteToken = "site-secret-\(UUID().uuidString.prefix(8))"
  let readToken = "read-\(UUID().uuidString.prefix(8))"
  let writeToken = "write-\(UUID().uuidString.prefix(8))"
  private(set) var process: Process?
  /// This daemon's own HTTP client: a killed daemon leaves the pool of a shared client in
  /// reconnect back-off, which must not hold up another test's requests.
  private(set) var client = DaemonHarness.makeClient()
  private var started = false

  static func makeClient() -> HTTPClient {
    HTTPClient(
      eventLoopGroup: HTTPClient.defaultEventLoopGroup,
      configuration: .init(
        timeout: .init(connect: .seconds(2)),
        connectionPool: .init(
          idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)))
  }
  /// Extra environment for the daemon (`INLET_HTTP_PUBLIC_URL`, …).
  var environment: [String: String] = [:]

  /// `JOURNAL_STREAM` as systemd sets it when the output goes to the journal: the device and
  /// inode of the daemon's standard error (here its log file).
  var journalStream: String {
    if !FileManager.default.fileExists(atPath: logPath) {
      _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    }
    var info = stat()
    guard stat(logPath, &info) == 0 else { return "" }
    return "\(info.st_dev):\(info.st_ino)"
  }
  /// Extra arguments after `serve --config …` (`--log-format json`).
  var serveArguments: [String] = []
  private var logHandle: FileHandle?
  let logPath: String

  /// Writes the config; `extra` is appended YAML.
  /// `extraConfig` is appended at the top level (e.g. a `delivery:` section).
  init(
    maxBodyBytes: Int = 65536, idleTimeout: String = "60s", extraChannels: String = "",
    extraConfig: String = ""
  ) throws {
    folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-live-\(UUID().uuidString)")
    let credentials = folder.appendingPathComponent("credentials")
    try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
    try "\(siteToken)\n".write(
      to: credentials.appendingPathComponent("site-token"), atomically: true, encoding: .utf8)
    try readToken.write(
      to: credentials.appendingPathComponent("api-read"), atomically: true, encoding: .utf8)
    try writeToken.write(
      to: credentials.appendingPathComponent("api-write"), atomically: true, encoding: .utf8)
    port = try Self.freePort()
    databasePath = folder.appendingPathComponent("var/inlet.sqlite").path
    configPath = folder.appendingPathComponent("inlet.yaml").path
    logPath = folder.appendingPathComponent("daemon.log").path
    let config = """
      database:
        path: var/inlet.sqlite
      channels_dir: \(Self.repositoryRoot.appendingPathComponent("channels").path)
      secrets_dir: credentials
      http:
        host: 127.0.0.1
        port: \(port)
        max_body_bytes: \(maxBodyBytes)
        idle_timeout: \(idleTimeout)
      api:
        tokens:
          - { name: reader, token_file: api-read, scope: read }
          - { name: crm, token_file: api-write, scope: read-write }
      channels:
        - name: site
          definition: generic
          token_file: site-token
      \(extraChannels)
      \(extraConfig)
      """
    try config.write(toFile: configPath, atomically: true, encoding: .utf8)
  }

  deinit {
    if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
  }

  static var repositoryRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }

  /// The binary: `$INLET_BINARY`, or `inlet` next to the test bundle.
  static var binary: URL {
    if let path = ProcessInfo.processInfo.environment["INLET_BINARY"], !path.isEmpty {
      return URL(fileURLWithPath: path)
    }
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("inlet")
    if FileManager.default.fileExists(atPath: beside.path) { return beside }
    return repositoryRoot.appendingPathComponent(".build/debug/inlet")
  }

  var baseURL: String { "http://127.0.0.1:\(port)" }

  /// Starts the daemon and waits until `/health/ready` answers 200.
  func start() async throws {
    if started {
      // A restart: the old pool remembers the dead daemon (reconnect back-off); start afresh.
      let old = client
      client = Self.makeClient()
      try? await old.shutdown()
    }
    started = true
    if !FileManager.default.fileExists(atPath: logPath) {
      _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    handle.seekToEndOfFile()
    let process = Process()
    process.executableURL = Self.binary
    process.arguments = ["serve", "--config", configPath] + serveArguments
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "CREDENTIALS_DIRECTORY")
    environment.merge(self.environment) { _, extra in extra }
    process.environment = environment
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    self.process = process
    self.logHandle = handle
    let deadline = Date().addingTimeInterval(90)
    while Date() < deadline {
      if !process.isRunning {
        throw HarnessError("the daemon exited at start-up: \(log())")
      }
      if Self.probe(port: port) == 200 { return }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw HarnessError("the daemon did not become ready: \(log())")
  }

  /// SIGKILL: no chance to clean up.
  func kill9() {
    guard let process else { return }
    // Only while it runs: the pid of a daemon that already exited (and was reaped) may belong
    // to another process by now — or to a thread of this one.
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    self.process = nil
  }

  /// SIGTERM and wait; returns the exit status.
  @discardableResult
  func stop() -> Int32 {
    guard let process else { return -1 }
    if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    process.waitUntilExit()
    self.process = nil
    return process.terminationStatus
  }

  func log() -> String {
    (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
  }

  func remove() {
    if process != nil { kill9() }
    try? client.syncShutdown()
    try? FileManager.default.removeItem(at: folder)
  }

  // MARK: HTTP

  struct Reply {
    var status: Int
    var body: String
    var headers: HTTPHeaders

    /// The body as a JSON object.
    var json: [String: Any] {
      (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    /// `error.code` of a JSON error body.
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
  }

  func request(
    _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
    timeout: TimeAmount = .seconds(10)
  ) async throws -> Reply {
    var request = HTTPClientRequest(url: baseURL + path)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await client.execute(request, timeout: timeout)
    let buffer = try await response.body.collect(upTo: 16 << 20)
    return Reply(
      status: Int(response.status.code), body: String(buffer: buffer), headers: response.headers)
  }

  func get(_ path: String, token: String? = nil) async throws -> (Int, String) {
    let headers = token.map { [("Authorization", "Bearer \($0)")] } ?? []
    let reply = try await request(.GET, path, headers: headers, timeout: .seconds(15))
    return (reply.status, reply.body)
  }

  /// Posts JSON to the generic channel with the site token.
  func postLead(_ json: String, key: String? = nil, path: String = "/hooks/site") async throws
    -> Reply
  {
    var headers = [
      ("Authorization", "Bearer \(siteToken)"), ("Content-Type", "application/json"),
    ]
    if let key { headers.append(("Idempotency-Key", key)) }
    return try await request(.POST, path, headers: headers, body: Array(json.utf8))
  }

  /// Runs `inlet ARGS --config <this config>` (with the daemon's extra environment) and
  /// returns exit status and output.
  func cli(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    try Self.run(Self.binary, arguments + ["--config", configPath], environment: environment)
  }

  static func run(_ binary: URL, _ arguments: [String], environment: [String: String] = [:])
    throws -> (status: Int32, output: String, error: String)
  {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let error = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
      process.terminationStatus, String(decoding: output, as: UTF8.self),
      String(decoding: error, as: UTF8.self)
    )
  }

  /// `GET /health/ready` (or `path`, sent byte for byte as given: no client re-encodes it) over
  /// a plain socket (no client pool, 1 s timeouts): the status code, or nil when nothing
  /// answers yet.
  /// A TCP socket connected to 127.0.0.1:`port` (with send and receive timeouts when given),
  /// or nil; the caller closes it.
  static func loopbackSocket(port: Int, seconds: Int? = nil) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    if let seconds {
      var timeout = timeval(tv_sec: seconds, tv_usec: 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
    let connected = TestPorts.loopback(fd, port: port, connect)
    guard connected == 0 else {
      close(fd)
      return nil
    }
    return fd
  }

  static func probe(port: Int, seconds: Int = 1, path: String = "/health/ready") -> Int? {
    guard let fd = loopbackSocket(port: port, seconds: seconds) else { return nil }
    defer { close(fd) }
    let request = Array(
      "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
    guard send(fd, request, request.count, 0) == request.count else { return nil }
    var buffer = [UInt8](repeating: 0, count: 64)
    let received = recv(fd, &buffer, buffer.count, 0)
    guard received >= 12 else { return nil }
    // "HTTP/1.1 200 OK"
    return Int(String(decoding: buffer[9..<12], as: UTF8.self))
  }

  /// A port the kernel just handed out and released.
  static func freePort() throws -> Int { TestPorts.free() }
}

struct HarnessError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
