import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("SIGHUP reload and the scrape-time metrics", .serialized)
struct ReloadTests {
  private let lead = #"{"name":"Иван","email":"ivan@example.ru","message":"Счёт"}"#

  @Test("a valid new config adds a channel and a token while requests keep flowing")
  func validReload() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let pid = try #require(daemon.process?.processIdentifier)
    let newToken = "second-\(UUID().uuidString.prefix(8))"
    try newToken.write(
      to: daemon.folder.appendingPathComponent("credentials/second-token"), atomically: true,
      encoding: .utf8)
    let before = try await daemon.request(
      .POST, "/hooks/second",
      headers: [("Authorization", "Bearer \(newToken)"), ("Content-Type", "application/json")],
      body: Array(lead.utf8))
    #expect(before.status == 404)

    var config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    config += """

        - name: second
          definition: generic
          token_file: second-token
      """
    try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    // Before the reload `inlet status` says the new channel is not served, and fails.
    let pending = try daemon.cli(["status"])
    #expect(pending.status != 0, "\(pending.output)")
    #expect(pending.output.contains("second: not loaded"), "\(pending.output)")
    #expect(pending.output.contains("daemon: ok"), "\(pending.output)")

    // Requests in flight across the reload: every one is answered and stored.
    async let flow: [Int] = withThrowingTaskGroup(of: Int.self) { group in
      for index in 0..<40 {
        group.addTask {
          try await daemon.postLead(lead, key: "flow-\(index)").status
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    kill(pid, SIGHUP)
    let statuses = try await flow
    #expect(statuses.allSatisfy { $0 == 201 }, "\(statuses)")

    let reloaded = try await eventually {
      try await daemon.request(
        .POST, "/hooks/second",
        headers: [("Authorization", "Bearer \(newToken)"), ("Content-Type", "application/json")],
        body: Array(lead.utf8)
      ).status == 201
    }
    #expect(reloaded, "\(daemon.log())")
    #expect(daemon.log().contains("configuration reloaded"))
    let served = try daemon.cli(["status"])
    #expect(served.status == 0, "\(served.output)")
    #expect(!served.output.contains("not loaded"), "\(served.output)")
    #expect(daemon.process?.isRunning == true)
    #expect(try await daemon.postLead(lead).status == 201)
  }

  @Test("a token the reload revokes ends the event streams it opened")
  func revokedTokenEndsItsStream() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let pid = try #require(daemon.process?.processIdentifier)
    let stream = EventStreamClient(url: daemon.baseURL, token: daemon.readToken)
    let configPath = daemon.configPath
    let session = try await stream.read(lastEventID: nil, count: 1_000, seconds: 30) {
      var config = try String(contentsOfFile: configPath, encoding: .utf8)
      config = config.replacingOccurrences(
        of: "- { name: reader, token_file: api-read, scope: read }\n", with: "")
      try config.write(toFile: configPath, atomically: true, encoding: .utf8)
      kill(pid, SIGHUP)
    }
    #expect(session.status == 200)
    #expect(session.comments.contains("the token was revoked"), "\(session.comments)")
    let (status, _) = try await daemon.get("/api/v1/inquiries", token: daemon.readToken)
    #expect(status == 401)
  }

  @Test("an invalid new config is refused with the reason; the running one stays")
  func invalidReload() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let pid = try #require(daemon.process?.processIdentifier)
    var config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    config = config.replacingOccurrences(of: "definition: generic", with: "definition: nonesuch")
    try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    kill(pid, SIGHUP)
    let logged = try await eventually { daemon.log().contains("reload refused") }
    #expect(logged, "\(daemon.log())")
    #expect(daemon.log().contains("nonesuch"))
    #expect(daemon.process?.isRunning == true)
    #expect(try await daemon.postLead(lead).status == 201)
  }

  @Test("/metrics carries queue depth, raw items by status and latency histograms")
  func metrics() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    #expect(try await daemon.postLead(lead).status == 201)
    #expect(try await daemon.postLead(lead).status == 201)
    let broken = try await daemon.request(
      .POST, "/hooks/site",
      headers: [
        ("Authorization", "Bearer \(daemon.siteToken)"), ("Content-Type", "application/json"),
      ],
      body: Array("{not json".utf8))
    #expect(broken.status == 400)
    let metrics = try await daemon.get("/metrics").1
    #expect(metrics.contains(#"inlet_queue_depth{status="new"} 2"#), "\(metrics)")
    #expect(metrics.contains("\ninlet_store_up 1\n"), "\(metrics)")
    #expect(metrics.contains(#"inlet_queue_depth{status="accepted"} 0"#))
    #expect(metrics.contains(#"inlet_raw_items{status="quarantined"} 1"#))
    #expect(metrics.contains(#"inlet_raw_items{status="normalised"} 2"#))
    #expect(metrics.contains(#"inlet_http_request_duration_seconds_bucket{group="hooks""#))
    #expect(metrics.contains(#"inlet_http_request_duration_seconds_count{group="hooks"} 3"#))
  }
}
