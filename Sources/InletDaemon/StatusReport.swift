import AsyncHTTPClient
import Foundation
import InletHTTP
import InletStore
import NIOCore

/// `inlet status`: the running daemon's `/health` joined with the database's counts.
public struct StatusReport: Sendable {
  public var daemonReachable: Bool
  public var daemonError: String?
  public var health: HealthDocument?
  public var counts: InletDatabase.Counts?
  public var configuredChannels: [String]
  public var configuredMailboxes: [String] = []

  /// What `/health` returns.
  public struct HealthDocument: Codable, Sendable {
    public var status: String
    public var ready: Bool
    public var database: String
    /// Inquiries and raw items by status, as the daemon counted them.
    public var queue: InletDatabase.Counts?
    public var channels: [HealthRegistry.State]
  }

  /// Whether everything is healthy (the exit code of `inlet status`): a channel or mailbox the
  /// config names but the running daemon does not serve (a reload not done, or refused) is
  /// not — its webhooks get 404.
  public var isHealthy: Bool {
    daemonReachable && health?.status == "ok" && health?.ready == true && notLoaded.isEmpty
  }

  /// Configured channels and mailboxes the reachable daemon does not report.
  public var notLoaded: [String] {
    guard let health else { return [] }
    let served = Set(health.channels.map(\.name))
    return (configuredChannels + configuredMailboxes).filter { !served.contains($0) }
  }

  /// The line for a configured name the daemon does not report.
  private var missingState: String {
    health == nil
      ? "unknown (daemon not reachable)"
      : "not loaded — the running daemon does not serve it (reload it: `systemctl reload inlet`,"
        + " and see its log if the new config was refused)"
  }

  /// Collects the report; the daemon is asked on the configured host and port.
  /// From the configuration alone, its secrets unread: `inlet status` is for a monitoring user
  /// too, who may not read the credentials the service is given.
  public static func collect(config: InletConfig, databasePath: String) async -> StatusReport {
    var report = StatusReport(
      daemonReachable: false, daemonError: nil, health: nil, counts: nil,
      configuredChannels: config.channels.map(\.name),
      configuredMailboxes: config.mailboxes.map(\.name))
    // Only an existing file: a status check never creates a database.
    // (Not while a restore replaces it: the counts are then left out.)
    if FileManager.default.fileExists(atPath: databasePath),
      (try? WritersLock.holdForProcess(databasePath: databasePath)) != nil,
      let database = try? InletDatabase(path: databasePath)
    {
      report.counts = try? database.countsSync()
    }
    let http = config.http
    let host = http.host == "0.0.0.0" ? "127.0.0.1" : (http.host == "::" ? "::1" : http.host)
    let hostPart = host.contains(":") ? "[\(host)]" : host
    let url = "http://\(hostPart):\(http.port)/health"
    do {
      var request = HTTPClientRequest(url: url)
      request.method = .GET
      let response = try await HTTPClient.shared.execute(request, timeout: .seconds(3))
      let body = try await response.body.collect(upTo: 4 << 20)
      let decoder = JSONDecoder()
      decoder.dateDecodingStrategy = .iso8601
      report.health = try decoder.decode(HealthDocument.self, from: Data(buffer: body))
      report.daemonReachable = true
    } catch {
      report.daemonError = "the daemon does not answer on \(url): " + Self.reason(error)
    }
    return report
  }

  /// Why the daemon could not be asked, for a person: NIO's wording of a refused connection
  /// ("connection reset (error set): Connection refused) (errno: 111)") says little.
  static func reason(_ error: any Error) -> String {
    let text = "\(error)"
    if text.contains("Connection refused") || text.contains("errno: 111") {
      return "nothing listens there — is it running (`systemctl status inlet`), and on the "
        + "port of this config (an `INLET_HTTP_PORT` of the unit applies here too)?"
    }
    if error is HTTPClientError, text.contains("deadlineExceeded") || text.contains("Timeout") {
      return "no answer within 3 s (overloaded, or stopped in a debugger?)"
    }
    return text
  }

  /// The report for a terminal.
  public func render() -> String {
    var lines: [String] = []
    if let health {
      lines.append("daemon: \(health.status)\(health.ready ? "" : " (not ready)")")
      lines.append("database: \(health.database)")
    } else {
      lines.append("daemon: failing — \(daemonError ?? "unreachable")")
    }
    if let counts {
      let queue = counts.inquiries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
      lines.append("queue: " + (queue.isEmpty ? "empty" : queue.joined(separator: ", ")))
      lines.append("quarantine: \(counts.rawItems["quarantined"] ?? 0) raw items")
      if let deliveries = counts.deliveries, deliveries.values.contains(where: { $0 > 0 }) {
        var line =
          "deliveries: \(deliveries["pending"] ?? 0) pending, \(deliveries["dead"] ?? 0) dead"
        if (deliveries["dead"] ?? 0) > 0 {
          line += " (once the CRM answers again: POST /api/v1/deliveries/retry)"
        }
        lines.append(line)
      }
    }
    lines.append("channels:")
    let states = Dictionary(
      (health?.channels ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    let formatter = ISO8601DateFormatter()
    for name in configuredChannels {
      guard let state = states[name] else {
        lines.append("  \(name): \(missingState)")
        continue
      }
      var line = "  \(name) [\(state.definition ?? "?")]: \(state.status)"
      if let since = state.failingSince { line += " since \(formatter.string(from: since))" }
      line += ", \(state.requests) requests, \(state.authFailures) auth failures"
      if let last = state.lastSuccessAt { line += ", last stored \(formatter.string(from: last))" }
      if state.status == "failing", let error = state.lastError { line += " — \(error)" }
      lines.append(line)
    }
    if !configuredMailboxes.isEmpty { lines.append("mailboxes:") }
    for name in configuredMailboxes {
      guard let state = states[name] else {
        lines.append("  \(name): \(missingState)")
        continue
      }
      var line = "  \(name): \(state.status)"
      if let since = state.failingSince { line += " since \(formatter.string(from: since))" }
      if let last = state.lastSuccessAt { line += ", last pass \(formatter.string(from: last))" }
      if state.status == "failing", let error = state.lastError { line += " — \(error)" }
      lines.append(line)
    }
    return lines.joined(separator: "\n")
  }
}
