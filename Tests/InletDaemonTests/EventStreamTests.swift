import Foundation
import NIOHTTP1
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `GET /api/v1/inquiries/stream` on the real daemon.
@Suite("Event stream", .serialized, .timeLimit(.minutes(2)))
struct EventStreamTests {
  @Test("a client that disconnects and resumes with Last-Event-ID loses and repeats nothing")
  func resumeAfterDisconnect() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let stream = EventStreamClient(url: daemon.baseURL, token: daemon.readToken)

    // First connection: sees three inquiries created after it opened, then drops.
    let first = try await stream.read(lastEventID: nil, count: 3) {
      for n in 0..<3 { _ = try await daemon.submitLead(n) }
    }
    #expect(first.status == 200)
    #expect(first.events.map(\.type) == Array(repeating: "inquiry.created", count: 3))
    #expect(first.events.map(\.id) == [1, 2, 3])
    #expect(first.events.compactMap { $0.json["id"] as? String } == ["1", "2", "3"])

    // While disconnected: more leads and a decision.
    for n in 3..<6 { _ = try await daemon.submitLead(n) }
    let accepted = try await daemon.api(
      .POST, "/inquiries/2/accept", json: #"{"action":"new_client","client_id":"K-2"}"#)
    #expect(accepted.status == 200)

    // Many leads arrive while the client reconnects, reads a little, and drops again.
    async let burst: Void = {
      for n in 6..<40 { _ = try await daemon.submitLead(n) }
    }()
    var seen = first.events
    while seen.count < 3 + 3 + 1 + 34 {
      let last = String(seen.last!.id)
      let session = try await stream.read(lastEventID: last, count: min(5, 41 - seen.count))
      #expect(session.status == 200)
      seen += session.events
    }
    try await burst

    let ids = seen.map(\.id)
    #expect(ids == Array(1...Int64(41)), "one increasing sequence, nothing lost or repeated")
    let update = try #require(seen.first { $0.type == "inquiry.updated" })
    #expect(update.json["id"] as? String == "2")
    #expect(update.json["status"] as? String == "accepted")
    #expect((update.json["acceptance"] as? [String: Any])?["client_id"] as? String == "K-2")
    let createdIDs = seen.filter { $0.type == "inquiry.created" }.compactMap {
      $0.json["id"] as? String
    }
    #expect(createdIDs == (1...40).map(String.init))

    // Last-Event-ID: 0 replays everything.
    let replay = try await stream.read(lastEventID: "0", count: 41)
    #expect(replay.events.map(\.id) == ids)
  }

  @Test("GET /events pages the same sequence for a polling CRM: every change, once, in order")
  func polledPages() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    for n in 0..<5 { _ = try await daemon.submitLead(n) }
    let accepted = try await daemon.api(
      .POST, "/inquiries/3/accept", json: #"{"action":"new_client","client_id":"K-3"}"#)
    #expect(accepted.status == 200)

    var after = "0"
    var seen: [[String: Any]] = []
    var pages = 0
    while true {
      let page = try await daemon.api(
        .GET, "/events?after=\(after)&limit=2", token: daemon.readToken)
      #expect(page.status == 200, "\(page.body)")
      let items = try #require(page.json["items"] as? [[String: Any]])
      seen += items
      pages += 1
      let last = try #require(page.json["last_event_id"] as? Int)
      #expect(last == (items.last?["id"] as? Int ?? Int(after)!))
      after = String(last)
      if page.json["more"] as? Bool != true { break }
    }
    #expect(pages == 4, "2 + 2 + 2 events, then an empty last page")
    #expect(seen.compactMap { $0["id"] as? Int } == Array(1...6))
    #expect(
      seen.compactMap { $0["type"] as? String }
        == Array(repeating: "inquiry.created", count: 5) + ["inquiry.updated"])
    let update = try #require(seen.last)
    #expect(update["inquiry_id"] as? String == "3")
    let inquiry = try #require(update["inquiry"] as? [String: Any])
    #expect(inquiry["status"] as? String == "accepted")
    #expect((inquiry["acceptance"] as? [String: Any])?["client_id"] as? String == "K-3")

    // Nothing new: an empty page that keeps the position.
    let idle = try await daemon.api(.GET, "/events?after=6", token: daemon.readToken)
    #expect(idle.body == #"{"items":[],"last_event_id":6,"more":false}"#)
    // Ahead of the newest event (another database), a bad value, no token.
    let ahead = try await daemon.api(.GET, "/events?after=99", token: daemon.readToken)
    #expect(ahead.status == 409)
    #expect(ahead.errorCode == "last_event_id_ahead")
    let bad = try await daemon.api(.GET, "/events?after=-1", token: daemon.readToken)
    #expect(bad.status == 400)
    #expect(bad.errorCode == "invalid_query")
    #expect(try await daemon.api(.GET, "/events?limit=501", token: daemon.readToken).status == 400)
    #expect(try await daemon.get("/api/v1/events").0 == 401)
  }

  @Test("retention.events deletes old events; a reader behind them gets 410, the queue stays")
  func retention() async throws {
    let daemon = try DaemonHarness(extraConfig: "retention:\n  events: 4s")
    defer { daemon.remove() }
    try await daemon.start()
    let first = try await daemon.submitLead(0)
    let fresh = try await daemon.api(.GET, "/events?after=0", token: daemon.readToken)
    #expect((fresh.json["items"] as? [[String: Any]])?.count == 1, "\(fresh.body)")

    // Four seconds on, a sweep (every second for so short a retention) deletes it.
    var reply = fresh
    let deadline = ContinuousClock.now + .seconds(20)
    while reply.status == 200 && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(200))
      reply = try await daemon.api(.GET, "/events?after=0", token: daemon.readToken)
    }
    #expect(reply.status == 410, "\(reply.body)")
    #expect(reply.errorCode == "events_pruned")
    let message = try #require((reply.json["error"] as? [String: Any])?["message"] as? String)
    #expect(message.contains("the events up to 1 were deleted"), "\(message)")
    // Where to read on from, for a program (not only in the message's prose).
    let through = (reply.json["error"] as? [String: Any])?["pruned_through"] as? String
    #expect(through == "1", "\(reply.body)")
    let onward = try await daemon.api(
      .GET, "/events?after=\(through ?? "")", token: daemon.readToken)
    #expect(onward.status == 200, "\(onward.body)")
    let stream = try await daemon.api(
      .GET, "/inquiries/stream", token: daemon.readToken, headers: [("Last-Event-ID", "0")])
    #expect(stream.status == 410)
    #expect(stream.errorCode == "events_pruned")

    // The inquiry itself is whole; reading on from what was deleted goes on as before.
    let inquiry = try await daemon.api(.GET, "/inquiries/\(first)", token: daemon.readToken)
    #expect(inquiry.status == 200)
    #expect((inquiry.json["sender"] as? [String: Any])?["email"] as? String == "lead0@example.ru")
    #expect((inquiry.json["text"] as? String)?.contains("Заявка 0") == true)
    let (_, metrics) = try await daemon.get("/metrics")
    #expect(metrics.contains("inlet_events_pruned_total 1"), "\(metrics)")

    // Reading on from what was deleted goes on as before. (Restarted keeping every event: at
    // four seconds the next lead's event could go before a slow machine reads it.)
    #expect(daemon.stop() == 0)
    let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    try config.replacingOccurrences(of: "events: 4s", with: "events: 0d")
      .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    try await daemon.start()
    let second = try await daemon.submitLead(1)
    let next = try await daemon.api(.GET, "/events?after=1", token: daemon.readToken)
    #expect(next.status == 200, "\(next.body)")
    let items = try #require(next.json["items"] as? [[String: Any]])
    #expect(items.compactMap { $0["inquiry_id"] as? String } == [second])
    #expect(try await daemon.api(.GET, "/events?after=0", token: daemon.readToken).status == 410)
  }

  @Test("retention.events: a duration up to 366d, or 0d to keep every event")
  func retentionConfig() throws {
    for (value, valid) in [("90d", true), ("0d", true), ("400d", false), ("soon", false)] {
      let daemon = try DaemonHarness(extraConfig: "retention:\n  events: \(value)")
      defer { daemon.remove() }
      let result = try daemon.cli(["check-config"])
      #expect((result.status == 0) == valid, "\(value): \(result.error)")
      if !valid { #expect(result.error.contains("retention.events"), "\(result.error)") }
    }
  }

  @Test("a client that has seen no event yet resumes from where it connected, not from later")
  func resumeBeforeAnyEvent() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    for n in 0..<2 { _ = try await daemon.submitLead(n) }
    let stream = EventStreamClient(url: daemon.baseURL, token: daemon.readToken)
    // Connected after two events, it drops before any new one.
    let quiet = try await stream.read(lastEventID: nil, count: 1, seconds: 5, comments: 1)
    #expect(quiet.events.isEmpty)
    let position = try #require(quiet.lastEventID)
    #expect(position == 2)
    // A lead while it is away: reconnecting with what the stream said, it gets exactly that.
    _ = try await daemon.submitLead(2)
    let back = try await stream.read(lastEventID: String(position), count: 1)
    #expect(back.events.map(\.id) == [3])
  }

  @Test("the stream needs a token, rejects a bad Last-Event-ID, and ends on SIGTERM")
  func errorsAndShutdown() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let anonymous = try await daemon.request(.GET, "/api/v1/inquiries/stream")
    #expect(anonymous.status == 401)
    let bad = try await daemon.api(
      .GET, "/inquiries/stream", token: daemon.readToken, headers: [("Last-Event-ID", "abc")])
    #expect(bad.status == 400)
    #expect(bad.errorCode == "invalid_last_event_id")
    let ahead = try await daemon.api(
      .GET, "/inquiries/stream", token: daemon.readToken, headers: [("Last-Event-ID", "99")])
    #expect(ahead.status == 409)
    #expect(ahead.errorCode == "last_event_id_ahead")

    // An open stream does not keep the daemon from stopping.
    let stream = EventStreamClient(url: daemon.baseURL, token: daemon.readToken)
    let started = ContinuousClock.now
    let session = try await stream.read(lastEventID: nil, count: 1, seconds: 30) {
      _ = daemon.stop()
    }
    #expect(session.status == 200)
    // Well before the 30 s read deadline (a graceful stop of a busy daemon may take seconds).
    #expect(ContinuousClock.now - started < .seconds(25))
  }

  @Test("at most 64 streams at once: the 65th is 503, and a place frees when a client leaves")
  func streamLimit() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    // Plain sockets that read the response head and then stay quiet, as idle CRM clients do.
    var sockets: [Int32] = []
    defer { for socket in sockets { close(socket) } }
    for _ in 0..<64 {
      let socket = try Self.openStream(port: daemon.port, token: daemon.readToken)
      sockets.append(socket)
    }
    let refused = try await daemon.api(.GET, "/inquiries/stream", token: daemon.readToken)
    #expect(refused.status == 503)
    #expect(refused.errorCode == "too_many_streams")
    // Clients leave; the next event's write finds them gone and their places free.
    for socket in sockets { close(socket) }
    sockets.removeAll()
    var reopened = false
    for attempt in 0..<40 where !reopened {
      _ = try await daemon.submitLead(attempt)
      try await Task.sleep(for: .milliseconds(250))
      let stream = EventStreamClient(url: daemon.baseURL, token: daemon.readToken)
      let session = try await stream.read(lastEventID: nil, count: 1, seconds: 2, comments: 1)
      reopened = session.status == 200
    }
    #expect(reopened, "a place freed once the clients were gone")
  }

  @Test("the stream tells nginx not to buffer it (X-Accel-Buffering: no)")
  func proxyBufferingOff() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    guard let socket = DaemonHarness.loopbackSocket(port: daemon.port, seconds: 10) else {
      throw HarnessError("connect failed")
    }
    defer { close(socket) }
    let request = Array(
      ("GET /api/v1/inquiries/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer \(daemon.readToken)\r\n\r\n").utf8)
    _ = request.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
    // The head may come in pieces: read until its blank line.
    var received = ""
    var buffer = [UInt8](repeating: 0, count: 512)
    while !received.contains("\r\n\r\n") {
      let count = recv(socket, &buffer, buffer.count, 0)
      guard count > 0 else { break }
      received += String(decoding: buffer[..<count], as: UTF8.self)
    }
    let head = received.components(separatedBy: "\r\n\r\n")[0]
    let lines = head.lowercased().components(separatedBy: "\r\n")
    #expect(lines.first?.hasPrefix("http/1.1 200") == true, "\(head)")
    #expect(lines.contains("x-accel-buffering: no"), "\(head)")
    #expect(lines.contains { $0.hasPrefix("content-type: text/event-stream") }, "\(head)")
  }

  /// Opens `GET /api/v1/inquiries/stream` on a raw socket and waits for the 200 head.
  static func openStream(port: Int, token: String) throws -> Int32 {
    guard let descriptor = DaemonHarness.loopbackSocket(port: port, seconds: 10) else {
      throw HarnessError("connect failed")
    }
    let request = Array(
      "GET /api/v1/inquiries/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n\r\n"
        .utf8)
    _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
    var head = [UInt8](repeating: 0, count: 512)
    let count = recv(descriptor, &head, head.count, 0)
    guard count > 0, String(decoding: head[..<count], as: UTF8.self).hasPrefix("HTTP/1.1 200")
    else {
      close(descriptor)
      throw HarnessError(
        "the stream did not open: \(String(decoding: head[..<max(0, count)], as: UTF8.self))")
    }
    return descriptor
  }

  @Test("an idle stream sends a keep-alive comment every 15 seconds")
  func keepAlive() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let stream = EventStreamClient(url: daemon.baseURL, token: daemon.readToken)
    let started = ContinuousClock.now
    let session = try await stream.read(lastEventID: nil, count: 1, seconds: 25, comments: 2)
    let elapsed = ContinuousClock.now - started
    #expect(session.comments.contains("keep-alive"), "\(session.comments)")
    // The connection's own set-up adds to the 15 s on a loaded machine.
    #expect(elapsed >= .seconds(14) && elapsed < .seconds(24), "\(elapsed)")
  }
}
