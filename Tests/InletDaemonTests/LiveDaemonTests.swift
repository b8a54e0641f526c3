import Foundation
import GRDB
import InletStore
import NIOHTTP1
import Testing

/// The real daemon on a loopback port: statuses, JSON errors and what ends up in the database.
@Suite("Live daemon", .serialized)
struct LiveDaemonTests {
  let lead = """
    {"name":"Иван Петров","phone":"8 (916) 123-45-67","email":"Ivan.Petrov@Example.RU",
     "инн":"7707083893","компания":"ООО Ромашка","message":"Нужен счёт на 10 лицензий",
     "utm_source":"yandex","page_url":"https://example.ru/price"}
    """

  private func database(_ daemon: DaemonHarness) throws -> InletDatabase {
    try InletDatabase(path: daemon.databasePath)
  }

  @Test("a valid lead is stored, answered 201 with its id, and readable through the API")
  func validLead() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()

    let reply = try await daemon.postLead(lead, key: "form-1")
    #expect(reply.status == 201, "\(reply.body)")
    let id = try #require(reply.json["id"] as? String)

    let (status, body) = try await daemon.get("/api/v1/inquiries/\(id)", token: daemon.readToken)
    #expect(status == 200)
    let inquiry = try #require(
      try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    #expect(inquiry["id"] as? String == id)
    #expect(inquiry["status"] as? String == "new")
    #expect(inquiry["kind"] as? String == "form")
    #expect(inquiry["channel"] as? String == "site")
    let sender = try #require(inquiry["sender"] as? [String: Any])
    #expect(sender["name"] as? String == "Иван Петров")
    #expect(sender["email"] as? String == "ivan.petrov@example.ru")
    #expect(sender["phone"] as? String == "+79161234567")
    let company = try #require(inquiry["company"] as? [String: Any])
    #expect(company["inn"] as? String == "7707083893")
    #expect(company["name"] as? String == "ООО Ромашка")
    #expect(inquiry["text"] as? String == "Нужен счёт на 10 лицензий")
    let extra = try #require(inquiry["extra"] as? [String: Any])
    #expect(extra["utm_source"] as? String == "yandex")
    #expect(extra["page_url"] as? String == "https://example.ru/price")
    let match = try #require(inquiry["match"] as? [String: Any])
    #expect(match["suggested_action"] as? String == "new_client")
    let source = try #require(inquiry["source"] as? [String: Any])
    #expect(source["raw_id"] is String)
    #expect((inquiry["received_at"] as? String)?.hasSuffix("Z") == true)

    // The raw body is kept byte for byte, with the token redacted from its metadata.
    let raw = try database(daemon).readSync { db in
      try Row.fetchOne(db, sql: "SELECT body, transport, status FROM raw_items")
    }
    #expect(String(decoding: (raw?["body"] as Data?) ?? Data(), as: UTF8.self) == lead)
    #expect(raw?["status"] as String? == "normalised")
    let transport: String = raw?["transport"] ?? ""
    #expect(!transport.contains(daemon.siteToken))
  }

  @Test("a repeated submission answers 200 with the same id and creates nothing")
  func duplicate() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let first = try await daemon.postLead(lead, key: "dup-1")
    let second = try await daemon.postLead(lead, key: "dup-1")
    let byField = try await daemon.postLead(#"{"name":"Анна","submission_id":"s-9"}"#)
    let byFieldAgain = try await daemon.postLead(#"{"name":"Анна","submission_id":"s-9"}"#)
    #expect(first.status == 201)
    #expect(second.status == 200)
    #expect(second.json["id"] as? String == first.json["id"] as? String)
    #expect(byField.status == 201)
    #expect(byFieldAgain.status == 200)
    #expect(byFieldAgain.json["id"] as? String == byField.json["id"] as? String)
    let counts = try database(daemon).countsSync()
    #expect(counts.inquiries["new"] == 2)
    #expect(counts.rawItems.values.reduce(0, +) == 2)
  }

  /// A client that stops sending mid-body (a closed connection, a cut upload): counted as the
  /// channel's 400, not logged as an internal error, nothing stored, the daemon serves on.
  @Test func bodyCutOff() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let socket = try #require(DaemonHarness.loopbackSocket(port: daemon.port, seconds: 10))
    let head =
      "POST /hooks/site HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(daemon.siteToken)"
      + "\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{\"name\":\"Иван"
    let bytes = Array(head.utf8)
    #expect(send(socket, bytes, bytes.count, 0) == bytes.count)
    try await Task.sleep(for: .milliseconds(300))
    close(socket)
    let counted = try await eventually(seconds: 20) {
      let metrics = try await daemon.get("/metrics").1
      return metrics.contains(#"inlet_webhook_requests_total{channel="site",status="400"} 1"#)
    }
    #expect(counted)
    #expect(!daemon.log().contains("internal_error"), "\(daemon.log())")
    #expect(try database(daemon).countsSync().rawItems.values.reduce(0, +) == 0)
    #expect(!(try await daemon.submitLead(1)).isEmpty)
  }

  @Test("unauthenticated requests get 401 JSON and nothing is stored")
  func unauthenticated() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let body = Array(lead.utf8)
    let none = try await daemon.request(
      .POST, "/hooks/site", headers: [("Content-Type", "application/json")], body: body)
    let wrong = try await daemon.request(
      .POST, "/hooks/site",
      headers: [("Content-Type", "application/json"), ("Authorization", "Bearer nope")], body: body)
    let wrongQuery = try await daemon.request(
      .POST, "/hooks/site?token=nope", headers: [("Content-Type", "application/json")], body: body)
    let goodQuery = try await daemon.request(
      .POST, "/hooks/site?token=\(daemon.siteToken)",
      headers: [("Content-Type", "application/json")], body: body)
    for reply in [none, wrong, wrongQuery] {
      #expect(reply.status == 401)
      #expect(reply.errorCode == "unauthorized")
      #expect(reply.headers.first(name: "content-type")?.hasPrefix("application/json") == true)
    }
    #expect(goodQuery.status == 201)
    let counts = try database(daemon).countsSync()
    #expect(counts.rawItems.values.reduce(0, +) == 1, "only the authenticated request is stored")
    let metrics = try await daemon.get("/metrics").1
    #expect(metrics.contains(#"inlet_auth_failures_total{channel="site"} 3"#), "\(metrics)")
    #expect(!daemon.log().contains("nope"), "a presented secret must not be logged")

    // A flood of wrong tokens: each counted, the first ten of the minute logged, then one line
    // that says the rest are not.
    for _ in 0..<40 {
      let reply = try await daemon.request(
        .POST, "/hooks/site?token=wrong", headers: [("Content-Type", "application/json")],
        body: body)
      #expect(reply.status == 401)
    }
    let flooded = try await daemon.get("/metrics").1
    #expect(flooded.contains(#"inlet_auth_failures_total{channel="site"} 43"#))
    let lines = daemon.log().components(separatedBy: "\n").filter {
      $0.contains("webhook refused: authentication failed")
    }
    #expect(lines.count == 11, "\(lines.count) lines")
    #expect(lines.last?.contains("counted, not logged") == true)
  }

  @Test("a connection that stalls (no request, a body that stops) is closed after idle_timeout")
  func idleConnectionsClosed() async throws {
    let daemon = try DaemonHarness(idleTimeout: "1s")
    defer { daemon.remove() }
    try await daemon.start()
    let partial = Array(
      "POST /hooks/site HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"na".utf8)
    for request in [[], partial] {
      // The receive timeout (10 s) only tells a close from a connection left open.
      let fd = try #require(DaemonHarness.loopbackSocket(port: daemon.port, seconds: 10))
      defer { close(fd) }
      if !request.isEmpty { #expect(send(fd, request, request.count, 0) == request.count) }
      let opened = ContinuousClock.now
      var buffer = [UInt8](repeating: 0, count: 256)
      var received = 1
      while received > 0 { received = recv(fd, &buffer, buffer.count, 0) }
      #expect(received == 0, "closed by the daemon, not by the receive timeout")
      #expect(ContinuousClock.now - opened < .seconds(9))
    }
    // A connection in use is not cut: the daemon still answers.
    #expect(try await daemon.submitLead(1).isEmpty == false)
  }

  @Test("a wrong token is refused before the body is read: not measured, not waited for")
  func refusedBeforeBody() async throws {
    let daemon = try DaemonHarness(maxBodyBytes: 4096)
    defer { daemon.remove() }
    try await daemon.start()
    // Heads alone: a body announced (5 MB, beyond the limit; 1,000 bytes, within it) and never
    // sent. Both are answered 401 at once: the size is no reason to read, the bytes are not
    // waited for (the daemon would otherwise wait up to the idle timeout, 60 s).
    for (length, auth) in [(5_000_000, "Bearer nope"), (1_000, "Bearer nope"), (1_000, nil)] {
      let fd = try #require(DaemonHarness.loopbackSocket(port: daemon.port, seconds: 10))
      defer { close(fd) }
      let head = Array(
        ("POST /hooks/site HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + (auth.map { "Authorization: \($0)\r\n" } ?? "")
          + "Content-Length: \(length)\r\n\r\n").utf8)
      #expect(send(fd, head, head.count, 0) == head.count)
      let opened = ContinuousClock.now
      var received = ""
      var buffer = [UInt8](repeating: 0, count: 1024)
      while !received.contains("}}") {
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { break }
        received += String(decoding: buffer[..<count], as: UTF8.self)
      }
      #expect(received.hasPrefix("HTTP/1.1 401"), "\(length): \(received)")
      #expect(received.contains(#""code":"unauthorized""#), "\(received)")
      #expect(ContinuousClock.now - opened < .seconds(5))
    }
    // Counted as any refusal, stored never; the right token still gets through.
    let metrics = try await daemon.get("/metrics").1
    #expect(metrics.contains(#"inlet_auth_failures_total{channel="site"} 3"#), "\(metrics)")
    #expect(try database(daemon).countsSync().rawItems.values.reduce(0, +) == 0)
    #expect(try await daemon.submitLead(1) == "1")
  }

  @Test("oversized, malformed and wrongly typed bodies get clear JSON errors")
  func badBodies() async throws {
    let daemon = try DaemonHarness(maxBodyBytes: 4096)
    defer { daemon.remove() }
    try await daemon.start()
    let auth = ("Authorization", "Bearer \(daemon.siteToken)")

    let big = #"{"name":"x","message":""# + String(repeating: "я", count: 5000) + #""}"#
    let oversized = try await daemon.postLead(big)
    #expect(oversized.status == 413)
    #expect(oversized.errorCode == "body_too_large")

    let malformed = try await daemon.request(
      .POST, "/hooks/site", headers: [auth, ("Content-Type", "application/json")],
      body: Array(#"{"name": "Иван", "#.utf8))
    #expect(malformed.status == 400)
    #expect(malformed.errorCode == "malformed_body")
    let rawID = try #require((malformed.json["error"] as? [String: Any])?["raw_id"] as? String)

    let wrongType = try await daemon.request(
      .POST, "/hooks/site", headers: [auth, ("Content-Type", "text/plain")],
      body: Array("Иван, +79161234567".utf8))
    #expect(wrongType.status == 415)
    #expect(wrongType.errorCode == "unsupported_media_type")

    let empty = try await daemon.postLead("{}")
    #expect(empty.status == 400)
    #expect(empty.errorCode == "missing_fields")

    let unknown = try await daemon.postLead(lead, path: "/hooks/nowhere")
    #expect(unknown.status == 404)
    #expect(unknown.errorCode == "unknown_channel")

    // Authenticated but unusable inputs are kept raw and quarantined; the oversized one is not.
    let db = try database(daemon)
    let counts = try db.countsSync()
    #expect(counts.rawItems["quarantined"] == 3)
    #expect(counts.inquiries.isEmpty)
    let entry = try #require(try db.inquirySync(id: "r\(rawID)"))
    #expect(entry.status == "quarantined")
    #expect(entry.reason?.hasPrefix("malformed_body") == true)

    // One bad input does not block the next good one.
    #expect(try await daemon.postLead(lead).status == 201)

    let listed = try daemon.cli(["inquiries", "list", "--status", "quarantined", "--json"])
    #expect(listed.status == 0)
    let page = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any]
    #expect((page?["items"] as? [Any])?.count == 3)

    // `status --json` has the queue and the quarantine the text shows, and the daemon's own
    // counts in its `/health` document.
    let status = try daemon.cli(["status", "--json"])
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any],
      "\(status.output)\(status.error)")
    #expect((report["queue"] as? [String: Any])?["new"] as? Int == 1, "\(status.output)")
    #expect(report["quarantine"] as? Int == 3, "\(status.output)")
    #expect((report["raw_items"] as? [String: Any])?["quarantined"] as? Int == 3)
    let health = try #require(report["health"] as? [String: Any], "\(status.output)")
    let queue = try #require(health["queue"] as? [String: Any], "\(status.output)")
    #expect((queue["inquiries"] as? [String: Any])?["new"] as? Int == 1)
    #expect((queue["raw_items"] as? [String: Any])?["quarantined"] as? Int == 3)
  }

  @Test("a corrected retry with the unreadable request's key is taken; an identical one is not")
  func correctedRetry() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let auth = ("Authorization", "Bearer \(daemon.siteToken)")
    let lead = #"{"name":"Иван","phone":"+79161234567"}"#
    // The site's script sent its JSON as text/plain: kept quarantined under the key.
    let wrong = try await daemon.request(
      .POST, "/hooks/site",
      headers: [auth, ("Content-Type", "text/plain"), ("Idempotency-Key", "k-1")],
      body: Array(lead.utf8))
    #expect(wrong.status == 415)
    let again = try await daemon.request(
      .POST, "/hooks/site",
      headers: [auth, ("Content-Type", "text/plain"), ("Idempotency-Key", "k-1")],
      body: Array(lead.utf8))
    #expect(again.status == 415, "the same unreadable request: the same answer, nothing new kept")
    // Fixed, and retried with the same key: taken; its retries are repeats of it.
    let fixed = try await daemon.postLead(lead, key: "k-1")
    #expect(fixed.status == 201, "\(fixed.body)")
    let id = try #require(fixed.json["id"] as? String)
    let repeated = try await daemon.postLead(lead, key: "k-1")
    #expect(repeated.status == 200)
    #expect(repeated.json["id"] as? String == id)
    let db = try database(daemon)
    let counts = try db.countsSync()
    // The kept attempt is the lead's: not counted in the quarantine (nothing would clear it).
    #expect(counts.rawItems["quarantined"] == nil)
    #expect(counts.inquiries["new"] == 1)
    let kept = try db.readSync { db in
      try String.fetchOne(db, sql: "SELECT reason FROM raw_items WHERE status = 'quarantined'")
    }
    #expect(kept?.contains("superseded by a later request with its key") == true, "\(kept ?? "")")
    // The kept attempt is the lead's: promoting it makes no second one.
    let keptID = try #require(
      try db.readSync { db in
        try Int64.fetchOne(db, sql: "SELECT id FROM raw_items WHERE status = 'quarantined'")
      })
    let promoted = try await daemon.api(.POST, "/inquiries/r\(keptID)/promote")
    #expect(promoted.status == 409, "\(promoted.body)")
    #expect(try db.countsSync().inquiries["new"] == 1)
    // The queue lists the lead once: the kept attempt is no raw-only entry any more.
    for status in ["all", "quarantined"] {
      let listed = try await daemon.api(.GET, "/inquiries?status=\(status)")
      let ids = (listed.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
      #expect(ids == (status == "all" ? [id] : []), "\(status): \(listed.body)")
    }
  }

  @Test("urlencoded and multipart forms with Russian field names")
  func forms() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let form =
      "%D0%B8%D0%BC%D1%8F=%D0%9C%D0%B0%D1%80%D0%B8%D1%8F&%D1%82%D0%B5%D0%BB%D0%B5%D1%84%D0%BE%D0%BD=%2B44+20+7946+0958&utm_campaign=spring"
    let urlencoded = try await daemon.request(
      .POST, "/hooks/site?token=\(daemon.siteToken)",
      headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(form.utf8))
    #expect(urlencoded.status == 201, "\(urlencoded.body)")

    let boundary = "----inlet\(UUID().uuidString)"
    var multipart = ""
    multipart += "--\(boundary)\r\nContent-Disposition: form-data; name=\"Имя\"\r\n\r\nОльга\r\n"
    multipart +=
      "--\(boundary)\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nolga@пример.рф\r\n"
    multipart +=
      "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ТЗ.txt\"\r\n"
      + "Content-Type: text/plain\r\n\r\nтехническое задание\r\n--\(boundary)--\r\n"
    let uploaded = try await daemon.request(
      .POST, "/hooks/site",
      headers: [
        ("Authorization", "Bearer \(daemon.siteToken)"),
        ("Content-Type", "multipart/form-data; boundary=\(boundary)"),
      ], body: Array(multipart.utf8))
    #expect(uploaded.status == 201, "\(uploaded.body)")

    let db = try database(daemon)
    let first = try #require(try db.inquirySync(id: urlencoded.json["id"] as? String ?? ""))
    #expect(first.sender.name == "Мария")
    #expect(first.sender.phone == "+442079460958")
    #expect(first.extra["utm_campaign"] == .string("spring"))
    let second = try #require(try db.inquirySync(id: uploaded.json["id"] as? String ?? ""))
    #expect(second.sender.name == "Ольга")
    #expect(second.sender.email == "olga@пример.рф")
    #expect(second.attachments.map(\.name) == ["ТЗ.txt"])
    #expect(second.attachments.first?.size == "техническое задание".utf8.count)
  }

  @Test("health, readiness, metrics and the API's token checks")
  func healthMetricsAPI() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    #expect(try await daemon.get("/health/live").0 == 200)
    #expect(try await daemon.get("/health/ready").0 == 200)
    _ = try await daemon.postLead(lead)
    let (status, body) = try await daemon.get("/health")
    #expect(status == 200)
    let health = try #require(
      try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    #expect(health["status"] as? String == "ok")
    let channels = try #require(health["channels"] as? [[String: Any]])
    #expect(channels.first?["name"] as? String == "site")
    #expect(channels.first?["requests"] as? Int == 1)

    let metrics = try await daemon.get("/metrics").1
    #expect(metrics.contains(#"inlet_webhook_requests_total{channel="site",status="201"} 1"#))
    #expect(metrics.contains(#"inlet_inquiries_created_total{channel="site",kind="form"} 1"#))

    #expect(try await daemon.get("/api/v1/inquiries/1").0 == 401)
    #expect(try await daemon.get("/api/v1/inquiries/1", token: "bad").0 == 401)
    #expect(try await daemon.get("/api/v1/inquiries/1", token: daemon.writeToken).0 == 200)
    let missing = try await daemon.request(
      .GET, "/api/v1/inquiries/999", headers: [("Authorization", "Bearer \(daemon.readToken)")])
    #expect(missing.status == 404)
    #expect(missing.errorCode == "not_found")
    let noRoute = try await daemon.request(.GET, "/nothing-here")
    #expect(noRoute.status == 404)
    #expect(noRoute.errorCode == "not_found")
  }

  @Test("the CLI reads the queue while the daemon runs; status and check-config exit codes")
  func cli() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    // Before the daemon ever ran there is no database: reading commands say so and create none.
    let early = try daemon.cli(["inquiries", "list"])
    #expect(early.status != 0)
    #expect(early.error.contains("no database at"), "\(early.output)\(early.error)")
    #expect(!FileManager.default.fileExists(atPath: daemon.databasePath))
    _ = try daemon.cli(["status"])
    #expect(!FileManager.default.fileExists(atPath: daemon.databasePath))
    try await daemon.start()
    let reply = try await daemon.postLead(lead)
    let id = try #require(reply.json["id"] as? String)

    let list = try daemon.cli(["inquiries", "list"])
    #expect(list.status == 0)
    #expect(list.output.contains("Иван Петров"))
    #expect(list.output.contains("+79161234567"))
    let json = try daemon.cli(["inquiries", "list", "--json"])
    let page = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
    let items = try #require(page?["items"] as? [[String: Any]])
    #expect(items.map { $0["id"] as? String } == [id])
    #expect(!json.error.contains("--limit"), "nothing was cut")
    // A second lead: with --limit 1 the list is cut, and says so on standard error.
    _ = try await daemon.postLead(lead.replacingOccurrences(of: "Иван", with: "Пётр"))
    let cut = try daemon.cli(["inquiries", "list", "--limit", "1", "--json"])
    let cutPage = try JSONSerialization.jsonObject(with: Data(cut.output.utf8)) as? [String: Any]
    #expect((cutPage?["items"] as? [[String: Any]])?.count == 1)
    #expect(cut.error.contains("the first 1 entries are shown"), "\(cut.error)")
    let show = try daemon.cli(["inquiries", "show", id, "--json"])
    #expect(show.status == 0)
    #expect(show.output.contains("\"ivan.petrov@example.ru\""))
    #expect(try daemon.cli(["inquiries", "show", "12345"]).status != 0)

    // `status` reads no secret (a monitoring user may not read the credentials): it reports
    // with the channel's token file out of reach.
    let token = daemon.folder.appendingPathComponent("credentials/site-token").path
    try FileManager.default.moveItem(atPath: token, toPath: token + ".away")
    let status = try daemon.cli(["status"])
    try FileManager.default.moveItem(atPath: token + ".away", toPath: token)
    #expect(status.status == 0, "\(status.output)\(status.error)")
    #expect(status.output.contains("site [generic]: ok"))
    let check = try daemon.cli(["check-config"])
    #expect(check.status == 0, "\(check.output)\(check.error)")
    // Run as root with a root-only secret given by its path: the advice names a credential the
    // service can be handed (a bare name), not the path.
    if getuid() == 0 {
      #expect(chmod(token, 0o600) == 0)
      let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
      let absolute = daemon.folder.appendingPathComponent("absolute.yaml").path
      try config.replacingOccurrences(of: "token_file: site-token", with: "token_file: \(token)")
        .write(toFile: absolute, atomically: true, encoding: .utf8)
      let advice = try DaemonHarness.run(
        DaemonHarness.binary, ["check-config", "--config", absolute])
      #expect(advice.status == 0, "\(advice.output)\(advice.error)")
      #expect(advice.error.contains("write it as `site-token` (a bare name)"), "\(advice.error)")
      #expect(advice.error.contains("LoadCredential=site-token:\(token)`"), "\(advice.error)")
    }

    // A second daemon on the same database stops at once, saying why.
    let second = try daemon.cli(["serve"])
    #expect(second.status != 0)
    #expect(
      second.error.contains("another `inlet serve` (or `inlet poll`) uses the database"),
      "\(second.error)")

    #expect(daemon.stop() == 0, "SIGTERM stops the daemon cleanly")
    let down = try daemon.cli(["status"])
    #expect(down.status != 0, "status fails when the daemon does not answer")
    #expect(down.output.contains("nothing listens there"), "\(down.output)")
    #expect(!down.output.contains("errno"), "\(down.output)")
  }

  @Test("a channel whose every request is refused is failing in status until one is taken")
  func refusedChannelFails() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    func refused() async throws {
      let reply = try await daemon.request(
        .POST, "/hooks/site",
        headers: [("Content-Type", "application/json"), ("Authorization", "Bearer stale")],
        body: Array(lead.utf8))
      #expect(reply.status == 401)
    }
    // A few refusals are anybody's mistakes: still ok.
    for _ in 1..<5 { try await refused() }
    let few = try daemon.cli(["status"])
    #expect(few.status == 0, "\(few.output)")
    #expect(few.output.contains("site [generic]: ok"), "\(few.output)")
    // Five in a row with none taken: the provider's secret is not ours.
    try await refused()
    let failing = try daemon.cli(["status"])
    #expect(failing.status != 0, "\(failing.output)")
    #expect(failing.output.contains("site [generic]: failing since"), "\(failing.output)")
    #expect(
      failing.output.contains("refusing: the last 5 requests were refused (wrong token)"),
      "\(failing.output)")
    #expect(!failing.output.contains("stale"), "a presented secret is not shown")
    let health = try await daemon.get("/health")
    #expect(health.0 == 200)
    #expect(health.1.contains(#""status":"failing""#), "\(health.1)")
    // One taken: ok again, and its count starts over.
    #expect(try await daemon.postLead(lead).status == 201)
    let again = try daemon.cli(["status"])
    #expect(again.status == 0, "\(again.output)")
    #expect(again.output.contains("site [generic]: ok"), "\(again.output)")
    try await refused()
    #expect(try daemon.cli(["status"]).status == 0)
  }

  @Test("inlet --version prints the version")
  func version() throws {
    let result = try DaemonHarness.run(DaemonHarness.binary, ["--version"])
    #expect(result.status == 0, "\(result.error)")
    let version = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(version.wholeMatch(of: /\d+\.\d+\.\d+/) != nil, "\(result.output)")
  }

  @Test("reading commands migrate nothing: a file of an older version is refused, unchanged")
  func readersDoNotMigrate() throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    let old = try InletDatabase(path: daemon.databasePath)
    try old.migrate(upTo: "2026-11-29-2-inquiries")
    let list = try daemon.cli(["inquiries", "list"])
    #expect(list.status != 0)
    #expect(list.error.contains("older version of inlet"), "\(list.error)")
    #expect(try old.appliedMigrations().count == 2)
  }

  @Test("writing commands never migrate under a running daemon, nor write a newer version's file")
  func writersBesideTheDaemon() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    let csv = daemon.folder.appendingPathComponent("clients.csv")
    try "id;name\nc1;ООО Ромашка\n".write(to: csv, atomically: true, encoding: .utf8)
    let importArguments = ["directory", "import", "--kind", "clients", csv.path]
    // A running daemon of an older version: the newer command must not migrate its file.
    let old = try InletDatabase(path: daemon.databasePath)
    try old.migrate(upTo: "2026-11-29-2-inquiries")
    let lock = open(daemon.databasePath + ".lock", O_RDWR | O_CREAT, 0o600)
    #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
    let refused = try daemon.cli(importArguments)
    #expect(refused.status != 0)
    #expect(refused.error.contains("restart it with this version first"), "\(refused.error)")
    let replay = try daemon.cli(["replay"])
    #expect(replay.status != 0)
    #expect(replay.error.contains("restart it with this version first"), "\(replay.error)")
    #expect(try old.appliedMigrations().count == 2)
    close(lock)

    // The daemon itself: import and replay run beside it; poll does not.
    try await daemon.start()
    let imported = try daemon.cli(importArguments)
    #expect(imported.status == 0, "\(imported.output) \(imported.error)")
    #expect(try daemon.cli(["replay"]).status == 0)
    let poll = try daemon.cli(["poll"])
    #expect(poll.status != 0)
    #expect(poll.error.contains("`inlet serve` is running"), "\(poll.error)")
    _ = daemon.stop()

    // A file a newer version migrated: refused by every writing command.
    try await InletDatabase(path: daemon.databasePath).write { db in
      try db.execute(
        sql: "INSERT INTO grdb_migrations (identifier) VALUES ('2099-01-01-1-from-the-future')")
    }
    for arguments in [importArguments, ["replay"], ["poll"]] {
      let result = try daemon.cli(arguments)
      #expect(result.status != 0, "\(arguments)")
      #expect(result.error.contains("newer version of inlet"), "\(arguments): \(result.error)")
    }
  }

  @Test("check-config names the key path of the first problem")
  func checkConfigErrors() throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    let original = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    let cases: [(String, String)] = [
      (original.replacingOccurrences(of: "port:", with: "prot:"), "http.prot"),
      (
        original.replacingOccurrences(of: "token_file: site-token", with: "token_file: absent"),
        "channels[0].token_file"
      ),
      (
        original.replacingOccurrences(of: "definition: generic", with: "definition: nope"),
        "channels[0].definition"
      ),
      (
        original.replacingOccurrences(of: "scope: read }", with: "scope: admin }"),
        "api.tokens[0].scope"
      ),
      (
        original.replacingOccurrences(
          of: "token_file: site-token",
          with: "token_file: site-token\n    options: { rate_limit: lots }"),
        "channels[0].options.rate_limit"
      ),
    ]
    for (config, keyPath) in cases {
      try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
      let result = try daemon.cli(["check-config"])
      #expect(result.status != 0)
      #expect(result.error.contains(keyPath), "expected \(keyPath) in: \(result.error)")
    }
  }
}
