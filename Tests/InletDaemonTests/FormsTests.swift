import Foundation
import InletCore
import InletStore
import InletTestSupport
import Testing

/// Website forms through the real daemon: a browser's plain form (303), a script (JSON), CORS,
/// files, anti-spam and rate limits, and every site builder's real format.
@Suite("Forms", .serialized)
struct FormsTests {
  static let token = "token=\(FormsHarness.formToken)"

  @Test("a plain browser form is redirected to thank_you_url; a script asking for JSON gets JSON")
  func browserAndScript() async throws {
    let site = try FormsHarness()
    defer { site.daemon.remove() }
    try await site.daemon.start()
    let fields = [("имя", "Анна Смирнова"), ("телефон", "8 (916) 555-12-34"), ("utm_source", "ya")]
    let browser = try await site.postForm(
      "/hooks/form?\(Self.token)", fields,
      headers: [("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")])
    #expect(browser.status == 303, "\(browser.body)")
    #expect(browser.headers.first(name: "location") == FormsHarness.thankYou)

    // A thank-you page given as a path is on the form's own site, not on the hook's host.
    let html = ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
    for (headers, expected) in [
      ([html, ("Origin", FormsHarness.origin)], FormsHarness.origin + "/spasibo"),
      (
        [html, ("Referer", "https://shop.example.ru:8443/contacts?x=1")],
        "https://shop.example.ru:8443/spasibo"
      ),
      ([html], "/spasibo"),
    ] {
      let relative = try await site.postForm(
        "/hooks/relative?\(Self.token)", [("name", "Анна"), ("phone", "+79160000001")],
        headers: headers)
      #expect(relative.status == 303, "\(relative.body)")
      #expect(relative.headers.first(name: "location") == expected, "\(headers)")
    }
    // With cors_origins: only a listed site is taken from the headers, and a browser that sent
    // neither (Origin: null under a strict referrer policy) goes to the one site listed.
    for headers in [[html, ("Origin", "null")], [html, ("Origin", "https://evil.example")]] {
      let listed = try await site.postForm(
        "/hooks/relative-listed?\(Self.token)", [("name", "Анна"), ("phone", "+79160000002")],
        headers: headers)
      #expect(listed.status == 303, "\(listed.body)")
      #expect(
        listed.headers.first(name: "location") == FormsHarness.origin + "/spasibo", "\(headers)")
    }

    let script = try await site.postForm(
      "/hooks/form?\(Self.token)", [("name", "Пётр"), ("email", "petr@example.ru")],
      headers: [("Accept", "application/json")])
    #expect(script.status == 201, "\(script.body)")
    #expect(script.json["id"] as? String != nil)
    // fetch() with its default Accept, curl, a PHP relay: JSON too, not a redirect to follow.
    for accept in ["*/*", nil] {
      let relay = try await site.postForm(
        "/hooks/form?\(Self.token)", [("name", "Релей"), ("phone", "+79160000000")],
        headers: accept.map { [("Accept", $0)] } ?? [])
      #expect(relay.status == 201, "Accept \(accept ?? "absent"): \(relay.body)")
    }

    let inquiries = try site.inquiries("form")
    #expect(inquiries.count == 4)
    let first = try #require(inquiries.first)
    #expect(first.sender.name == "Анна Смирнова")
    #expect(first.sender.phone == "+79165551234")
    #expect(first.extra["utm_source"] == .string("ya"))
    #expect(first.extra["token"] == nil)
  }

  @Test("file uploads become attachments; files over the limits are left out, not the lead")
  func files() async throws {
    let site = try FormsHarness()
    defer { site.daemon.remove() }
    try await site.daemon.start()
    let boundary = "----inlet\(UUID().uuidString)"
    let pdf = Array("%PDF-1.4 реквизиты".utf8)
    let body = FormsHarness.multipart(
      [("Имя", "Ольга"), ("Почта", "olga@example.ru"), ("Сообщение", "Счёт во вложении")],
      files: [("file", "Реквизиты.pdf", "application/pdf", pdf)], boundary: boundary)
    let sent = try await site.raw(
      .POST, "/hooks/form?\(Self.token)",
      headers: [
        ("Content-Type", "multipart/form-data; boundary=\(boundary)"),
        ("Sec-Fetch-Mode", "navigate"),
      ], body: body)
    #expect(sent.status == 303, "\(sent.body)")
    let inquiry = try #require(try site.inquiries("form").first)
    #expect(inquiry.text == "Счёт во вложении")
    let attachment = try #require(inquiry.attachments.first)
    #expect(attachment.name == "Реквизиты.pdf")
    #expect(attachment.contentType == "application/pdf")
    #expect(attachment.size == pdf.count)
    let download = try await site.daemon.download("/attachments/\(attachment.id)")
    #expect(download.status == 200)
    #expect(download.bytes == pdf)
    // RFC 8187: the name percent-encoded byte by byte, an ASCII stand-in for old clients.
    #expect(
      download.headers.first(name: "content-disposition")
        == "attachment; filename=\"_________.pdf\"; "
        + "filename*=UTF-8''%D0%A0%D0%B5%D0%BA%D0%B2%D0%B8%D0%B7%D0%B8%D1%82%D1%8B.pdf")

    let big = FormsHarness.multipart(
      [("name", "Big")],
      files: [
        (
          "file", "big.bin", "application/octet-stream",
          [UInt8](
            repeating: 7, count: 5000)
        )
      ], boundary: boundary)
    let tooLarge = try await site.raw(
      .POST, "/hooks/form?\(Self.token)",
      headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: big)
    #expect(tooLarge.status == 201, "\(tooLarge.body)")
    let many = FormsHarness.multipart(
      [("name", "Many")],
      files: (1...3).map { ("file\($0)", "f\($0).txt", "text/plain", Array("x".utf8)) },
      boundary: boundary)
    let tooMany = try await site.raw(
      .POST, "/hooks/form?\(Self.token)",
      headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: many)
    #expect(tooMany.status == 201, "\(tooMany.body)")
    // The leads are taken; what was left out is said in `extra`.
    let leads = try site.inquiries("form")
    let bigLead = try #require(leads.first { $0.sender.name == "Big" })
    #expect(bigLead.attachments.isEmpty)
    #expect(bigLead.extra["attachments_over_limit"] == .array([.string("big.bin")]))
    let manyLead = try #require(leads.first { $0.sender.name == "Many" })
    #expect(manyLead.attachments.map(\.name) == ["f1.txt", "f2.txt"])
    #expect(manyLead.extra["attachments_omitted"] == .number("1"))
    #expect(try site.rawCount("form") == 3)

    // A channel may take bodies larger than http.max_body_bytes (64 KiB here).
    let scan = [UInt8]((0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
    let large = FormsHarness.multipart(
      [("name", "Скан")], files: [("file", "скан.jpg", "image/jpeg", scan)], boundary: boundary)
    let accepted = try await site.raw(
      .POST, "/hooks/uploads?\(Self.token)",
      headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: large)
    #expect(accepted.status == 201, "\(accepted.body)")
    let stored = try #require(try site.inquiries("uploads").first?.attachments.first)
    #expect(stored.size == scan.count)
    #expect(try await site.daemon.download("/attachments/\(stored.id)").bytes == scan)
    let elsewhere = try await site.raw(
      .POST, "/hooks/site",
      headers: [
        ("Content-Type", "multipart/form-data; boundary=\(boundary)"),
        ("Authorization", "Bearer \(site.daemon.siteToken)"),
      ], body: large)
    #expect(elsewhere.status == 413)
  }

  @Test("CORS: preflight for a listed origin, 403 for another, headers on answers and errors")
  func cors() async throws {
    let site = try FormsHarness()
    defer { site.daemon.remove() }
    try await site.daemon.start()
    let preflight = try await site.raw(
      .OPTIONS, "/hooks/form",
      headers: [
        ("Origin", FormsHarness.origin), ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Headers", "content-type, authorization"),
      ])
    #expect(preflight.status == 204)
    #expect(preflight.headers.first(name: "access-control-allow-origin") == FormsHarness.origin)
    #expect(preflight.headers.first(name: "access-control-allow-methods")?.contains("POST") == true)
    #expect(
      preflight.headers.first(name: "access-control-allow-headers") == "content-type, authorization"
    )
    let stranger = try await site.raw(
      .OPTIONS, "/hooks/form", headers: [("Origin", "https://evil.example")])
    #expect(stranger.status == 403)
    #expect(stranger.headers.first(name: "access-control-allow-origin") == nil)

    let posted = try await site.postJSON(
      "/hooks/form", #"{"name":"Ира","phone":"+79160000001"}"#,
      headers: [
        ("Origin", FormsHarness.origin), ("Accept", "application/json"),
        ("Authorization", "Bearer \(FormsHarness.formToken)"),
      ])
    #expect(posted.status == 201)
    #expect(posted.headers.first(name: "access-control-allow-origin") == FormsHarness.origin)
    let denied = try await site.postJSON(
      "/hooks/form", #"{"name":"Ира"}"#,
      headers: [("Origin", FormsHarness.origin), ("Authorization", "Bearer wrong")])
    #expect(denied.status == 401)
    #expect(denied.headers.first(name: "access-control-allow-origin") == FormsHarness.origin)
  }

  @Test("CORS: configured origins compare as browsers send them; a path in one fails check-config")
  func corsOriginsNormalised() async throws {
    let channel = """
        - name: shop
          definition: generic
          token_file: site-token
          options:
            cors_origins:
              - https://Example.ru/
              - HTTP://Shop.Example.ru:80
              - https://example.ru:8443
              - https://Пример.рф
      """
    let daemon = try DaemonHarness(extraChannels: channel)
    defer { daemon.remove() }
    try await daemon.start()
    func preflight(_ origin: String) async throws -> DaemonHarness.Reply {
      try await daemon.request(
        .OPTIONS, "/hooks/shop",
        headers: [("Origin", origin), ("Access-Control-Request-Method", "POST")])
    }
    // The answer names the origin exactly as the browser sent it: browsers compare bytes.
    for origin in [
      "https://example.ru", "http://shop.example.ru", "https://example.ru:8443",
      "https://xn--e1afmkfd.xn--p1ai",
    ] {
      let reply = try await preflight(origin)
      #expect(reply.status == 204, "\(origin): \(reply.body)")
      #expect(reply.headers.first(name: "access-control-allow-origin") == origin, "\(origin)")
    }
    for origin in [
      "https://example.ru:9443", "http://example.ru", "https://example.ru.evil.example", "null",
    ] {
      let reply = try await preflight(origin)
      #expect(reply.status == 403, "\(origin)")
      #expect(reply.errorCode == "origin_not_allowed", "\(origin)")
      #expect(reply.headers.first(name: "access-control-allow-origin") == nil, "\(origin)")
    }
    let posted = try await daemon.request(
      .POST, "/hooks/shop",
      headers: [
        ("Origin", "https://example.ru"), ("Accept", "application/json"),
        ("Content-Type", "application/json"), ("Authorization", "Bearer \(daemon.siteToken)"),
      ], body: Array(#"{"name":"Ира","email":"ira@example.ru"}"#.utf8))
    #expect(posted.status == 201, "\(posted.body)")
    #expect(posted.headers.first(name: "access-control-allow-origin") == "https://example.ru")

    // A path, a query, a fragment or a wildcard is no origin: check-config names the key.
    let notOrigins = [
      "https://example.ru/form", "https://example.ru/?from=ad", "https://example.ru#top",
      "https://*.example.ru",
    ]
    for bad in notOrigins {
      let config = try DaemonHarness(
        extraChannels: """
            - name: shop
              definition: generic
              token_file: site-token
              options: { cors_origins: ["https://example.ru", "\(bad)"] }
          """)
      defer { config.remove() }
      let result = try config.cli(["check-config"])
      #expect(result.status != 0, "\(bad)")
      #expect(result.error.contains("channels[1].options.cors_origins"), "\(bad): \(result.error)")
      #expect(result.error.contains(bad), "\(bad): \(result.error)")
    }
  }

  @Test("anti-spam: honeypot and fill time are kept as ignored with the reason, never dropped")
  func spam() async throws {
    let site = try FormsHarness()
    defer { site.daemon.remove() }
    try await site.daemon.start()
    let bot = try await site.postForm(
      "/hooks/form?\(Self.token)",
      [("name", "Bot"), ("email", "bot@spam.example"), ("website", "http://spam.example")],
      headers: [("Accept", "text/html")])
    #expect(bot.status == 303, "a bot sees the same success as a person")
    let now = Int(Date().timeIntervalSince1970)
    let hasty = try await site.postForm(
      "/hooks/form?\(Self.token)",
      [("name", "Fast"), ("phone", "+79160000002"), ("form_started_at", String(now * 1000))],
      headers: [("Accept", "application/json")])
    #expect(hasty.status == 202, "\(hasty.body)")
    #expect(hasty.json["ignored"] as? Bool == true)
    let person = try await site.postForm(
      "/hooks/form?\(Self.token)",
      [
        ("name", "Человек"), ("phone", "+79160000003"), ("website", ""),
        ("form_started_at", String(now - 40)),
      ], headers: [("Accept", "application/json")])
    #expect(person.status == 201, "\(person.body)")

    let inquiries = try site.inquiries("form")
    #expect(inquiries.map(\.sender.name) == ["Человек"])
    #expect(inquiries.first?.extra["form_started_at"] == nil)
    let ignored = try site.entries("form").filter { $0.status == "ignored" }
    #expect(ignored.count == 2)
    #expect(ignored.contains { $0.reason?.contains("honeypot field `website`") == true })
    #expect(ignored.contains { $0.reason?.contains("min_fill_seconds") == true })
    #expect(ignored.contains { $0.sender.email == "bot@spam.example" }, "what was read is shown")
    let listed = try await site.daemon.api(.GET, "/inquiries?status=ignored")
    #expect(listed.body.contains("honeypot"))
    let metrics = try await site.daemon.get("/metrics").1
    #expect(metrics.contains(#"inlet_spam_total{channel="form"} 2"#), "\(metrics)")
    #expect(metrics.contains(#"inlet_inquiries_created_total{channel="form",kind="form"} 1"#))

    // The hasty visitor was a person after all: the manager promotes the kept item.
    let kept = try #require(ignored.first { $0.reason?.contains("min_fill_seconds") == true })
    #expect(kept.id.hasPrefix("r"))
    let readOnly = try await site.daemon.api(
      .POST, "/inquiries/\(kept.id)/promote", token: site.daemon.readToken)
    #expect(readOnly.status == 403)
    let promoted = try await site.daemon.api(.POST, "/inquiries/\(kept.id)/promote")
    #expect(promoted.status == 201, "\(promoted.body)")
    #expect(promoted.headers.first(name: "Inlet-Transition") == "applied")
    #expect(promoted.json["status"] as? String == "new")
    #expect((promoted.json["sender"] as? [String: Any])?["phone"] as? String == "+79160000002")
    #expect(promoted.json["reason"] == nil)
    let promotedID = try #require(promoted.json["id"] as? String)
    let again = try await site.daemon.api(.POST, "/inquiries/\(kept.id)/promote")
    #expect(again.status == 200)
    #expect(again.headers.first(name: "Inlet-Transition") == "repeated")
    #expect(again.json["id"] as? String == promotedID)
    // Counted as created once, like a lead that came in as one.
    let counted = try await site.daemon.get("/metrics").1
    #expect(
      counted.contains(#"inlet_inquiries_created_total{channel="form",kind="form"} 2"#),
      "\(counted)")
    #expect(try site.inquiries("form").compactMap(\.sender.name).sorted() == ["Fast", "Человек"])
    #expect(try site.entries("form").filter { $0.status == "ignored" }.count == 1)
    // It is an inquiry like any: it can be decided now.
    let accepted = try await site.daemon.api(
      .POST, "/inquiries/\(promotedID)/accept", json: #"{"action":"new_client"}"#)
    #expect(accepted.status == 200, "\(accepted.body)")
    // An inquiry id, an unknown item.
    let notRaw = try await site.daemon.api(.POST, "/inquiries/\(promotedID)/promote")
    #expect(notRaw.status == 409)
    #expect(notRaw.errorCode == "invalid_transition")
    #expect(try await site.daemon.api(.POST, "/inquiries/r98765/promote").status == 404)
    #expect(try await site.daemon.api(.POST, "/inquiries/98765/promote").status == 404)
    #expect(try await site.daemon.api(.POST, "/inquiries/nothing/promote").status == 404)
    // An item that made its inquiry on arrival has nothing to promote.
    let personRaw = try #require(
      try site.inquiries("form").first { $0.sender.name == "Человек" }?.source.rawID)
    let normal = try await site.daemon.api(.POST, "/inquiries/r\(personRaw)/promote")
    #expect(normal.status == 409, "\(normal.body)")
    #expect(normal.errorCode == "invalid_transition")
  }

  @Test("a lead refused over a rate limit and promoted is one inquiry with its taken retry")
  func promoteRefusedWithRetry() async throws {
    let site = try FormsHarness()
    defer { site.daemon.remove() }
    try await site.daemon.start()
    func send(_ n: Int, key: String?, from forwarded: String) async throws -> DaemonHarness.Reply {
      try await site.postJSON(
        "/hooks/per-ip?\(Self.token)", #"{"name":"Лид \#(n)","phone":"+7916000020\#(n)"}"#,
        headers: [("X-Forwarded-For", forwarded), ("Accept", "application/json")]
          + (key.map { [("Idempotency-Key", $0)] } ?? []))
    }
    func refusedItem(_ n: Int) throws -> String {
      try #require(
        try site.entries("per-ip").first {
          $0.status == "ignored" && $0.sender.name == "Лид \(n)"
        }?.id)
    }
    let busy = "203.0.113.7"
    #expect(try await send(0, key: nil, from: busy).status == 201)
    #expect(try await send(1, key: nil, from: busy).status == 201)

    // Refused, then its retry taken from another address, then promoted: the retry's lead.
    #expect(try await send(2, key: "late", from: busy).status == 429)
    let retry = try await send(2, key: "late", from: "203.0.113.20")
    #expect(retry.status == 201, "\(retry.body)")
    let retryID = try #require(retry.json["id"] as? String)
    let lateItem = try refusedItem(2)
    let late = try await site.daemon.api(.POST, "/inquiries/\(lateItem)/promote")
    #expect(late.status == 200, "\(late.body)")
    #expect(late.json["id"] as? String == retryID)
    #expect(late.headers.first(name: "Inlet-Transition") == "repeated")

    // Refused, promoted, then retried: the retry is the promoted lead's duplicate.
    #expect(try await send(3, key: "early", from: busy).status == 429)
    let earlyItem = try refusedItem(3)
    let early = try await site.daemon.api(.POST, "/inquiries/\(earlyItem)/promote")
    #expect(early.status == 201, "\(early.body)")
    let earlyID = try #require(early.json["id"] as? String)
    let earlyRetry = try await send(3, key: "early", from: "203.0.113.21")
    #expect(earlyRetry.status == 200, "\(earlyRetry.body)")
    #expect(earlyRetry.json["id"] as? String == earlyID)
    #expect(earlyRetry.json["duplicate"] as? Bool == true)

    // Refused twice, both promoted: one lead.
    #expect(try await send(4, key: "twice", from: busy).status == 429)
    let firstCopy = try refusedItem(4)
    #expect(try await send(4, key: "twice", from: busy).status == 429)
    let secondCopy = try #require(
      try site.entries("per-ip").first {
        $0.status == "ignored" && $0.sender.name == "Лид 4" && $0.id != firstCopy
      }?.id)
    let one = try await site.daemon.api(.POST, "/inquiries/\(firstCopy)/promote")
    let two = try await site.daemon.api(.POST, "/inquiries/\(secondCopy)/promote")
    #expect(one.status == 201, "\(one.body)")
    #expect(two.status == 200, "\(two.body)")
    #expect(one.json["id"] as? String == two.json["id"] as? String)
    // Promoted again: the same answer.
    let again = try await site.daemon.api(.POST, "/inquiries/\(lateItem)/promote")
    #expect(again.status == 200, "\(again.body)")

    let leads = try site.inquiries("per-ip").map { $0.sender.name ?? "" }.sorted()
    #expect(leads == ["Лид 0", "Лид 1", "Лид 2", "Лид 3", "Лид 4"])
    // The kept attempts are their leads' now: no raw-only entries are left to act on, and
    // none is counted as noise.
    #expect(try site.entries("per-ip").filter { $0.id.hasPrefix("r") }.isEmpty)
    #expect(try site.database().countsSync().rawItems["ignored"] == nil)
  }

  @Test("rate limits: per client address (X-Forwarded-For from a trusted proxy) and per channel")
  func rateLimits() async throws {
    let site = try FormsHarness()
    defer { site.daemon.remove() }
    try await site.daemon.start()
    func send(_ channel: String, _ n: Int, from forwarded: String) async throws
      -> DaemonHarness.Reply
    {
      try await site.postJSON(
        "/hooks/\(channel)?\(Self.token)", #"{"name":"Лид \#(n)","phone":"+7916000010\#(n)"}"#,
        headers: [("X-Forwarded-For", forwarded), ("Accept", "application/json")])
    }
    // 127.0.0.1 (the test's peer) is the default trusted proxy, so X-Forwarded-For names the
    // client: its right-most address that is not a trusted proxy.
    #expect(try await send("per-ip", 1, from: "203.0.113.7").status == 201)
    #expect(try await send("per-ip", 2, from: "203.0.113.7").status == 201)
    let limited = try await send("per-ip", 3, from: "203.0.113.7")
    #expect(limited.status == 429)
    #expect(limited.errorCode == "rate_limited")
    #expect(Int(limited.headers.first(name: "retry-after") ?? "") ?? 0 >= 1)
    #expect(try await send("per-ip", 4, from: "203.0.113.8").status == 201)
    #expect(try await send("per-ip", 5, from: "203.0.113.7, 127.0.0.1").status == 429)
    // Refused requests are kept raw as `ignored` (rate_limited), never silently dropped.
    #expect(try site.rawCount("per-ip") == 5)
    let kept = try site.entries("per-ip").filter { $0.status == "ignored" }
    #expect(kept.count == 2)
    #expect(kept.allSatisfy { $0.reason?.hasPrefix("rate_limited") == true }, "\(kept)")
    // What was read of a refused request is kept with it: a real lead refused can be promoted.
    let refusedLead = try await site.daemon.api(.POST, "/inquiries/\(kept[0].id)/promote")
    #expect(refusedLead.status == 201, "\(refusedLead.body)")
    #expect(
      (refusedLead.json["sender"] as? [String: Any])?["phone"] as? String == "+79160000103")
    // A request with nothing in it, kept as `missing_fields`, is no lead to promote.
    let empty = try await site.postJSON(
      "/hooks/relative?\(Self.token)", "{}", headers: [("Accept", "application/json")])
    #expect(empty.status == 400, "\(empty.body)")
    let emptyID = try #require(try site.entries("relative").first?.id)
    let nothing = try await site.daemon.api(.POST, "/inquiries/\(emptyID)/promote")
    #expect(nothing.status == 409, "\(nothing.body)")
    #expect(nothing.errorCode == "nothing_to_promote")

    for n in 1...3 { #expect(try await send("busy", n, from: "192.0.2.\(n)").status == 201) }
    let busy = try await send("busy", 4, from: "192.0.2.9")
    #expect(busy.status == 429)
    let metrics = try await site.daemon.get("/metrics").1
    #expect(metrics.contains(#"inlet_rate_limited_total{channel="per-ip",scope="ip"} 2"#))
    #expect(metrics.contains(#"inlet_rate_limited_total{channel="busy",scope="channel"} 1"#))

    // Spam the honeypot caught does not spend the channel's budget: a bot filling `website`
    // from many addresses must not shut the next real visitor out.
    // Spam has a budget of its own (the same size): a flood of it is still bounded.
    for n in 1...5 {
      let spam = try await site.postJSON(
        "/hooks/guarded?\(Self.token)", #"{"name":"Бот","website":"http://spam.example"}"#,
        headers: [("X-Forwarded-For", "198.51.100.\(n)"), ("Accept", "application/json")])
      #expect(spam.status == (n <= 3 ? 202 : 429), "spam \(n)")
    }
    #expect(try await send("guarded", 1, from: "198.51.100.99").status == 201)
    let guarded = try site.entries("guarded").filter { $0.status == "ignored" }
    #expect(guarded.filter { $0.reason?.hasPrefix("spam") == true }.count == 3)
    #expect(guarded.filter { $0.reason?.hasPrefix("rate_limited") == true }.count == 2)
    #expect(try site.inquiries("guarded").count == 1)

    // A flood is kept only up to a bound per channel and hour (100 refusals), whatever the
    // addresses it comes from; the rest is only counted.
    for n in 5...110 { #expect(try await send("busy", n, from: "192.0.2.9").status == 429) }
    #expect(try site.rawCount("busy") == 3 + 100)
    // Logged once per window, not 106 times; the metric counts them all.
    let logged = site.daemon.log().components(separatedBy: "\n").filter {
      $0.contains("webhook refused: rate limited") && $0.contains("192.0.2.9")
    }
    #expect(logged.count == 1, "\(logged)")
    let (_, counted) = try await site.daemon.get("/metrics")
    // (107: the one refused before the flood too.)
    #expect(
      counted.contains(#"inlet_rate_limited_total{channel="busy",scope="channel"} 107"#),
      "\(counted.split(separator: "\n").filter { $0.contains("rate_limited") })")
    var refused = 0
    for host in 1...60 {
      for n in 1...4 where try await send("per-ip", n, from: "198.18.7.\(host)").status == 429 {
        refused += 1
      }
    }
    #expect(refused == 120)
    // 5 before (2 of them refusals) and 120 taken; of the 120 refusals, the 98 left in the budget.
    #expect(try site.rawCount("per-ip") == 5 + 120 + 98)
    // A refused request with a large body (a form's files) is only counted.
    let before = try site.rawCount("per-ip")
    let large = try await site.postJSON(
      "/hooks/per-ip?\(Self.token)",
      #"{"name":"Лид","message":"\#(String(repeating: "x", count: 70_000))"}"#,
      headers: [("X-Forwarded-For", "198.18.7.1"), ("Accept", "application/json")])
    #expect(large.status == 429)
    #expect(try site.rawCount("per-ip") == before)
  }

  @Test("Tilda: test=test ping, tranid duplicates, wrong token, malformed body")
  func tilda() async throws {
    let site = try FormsHarness()
    defer { site.daemon.remove() }
    try await site.daemon.start()
    let ping = try await site.postForm("/hooks/tilda?\(Self.token)", [("test", "test")])
    #expect(ping.status == 200)
    #expect(ping.body == "ok")
    #expect(try site.rawCount("tilda") == 0)

    let lead: [(String, String)] = [
      ("Name", "Иван Петров"), ("Phone", "+7 (916) 123-45-67"), ("Email", "Ivan@Example.RU"),
      ("Textarea", "Хочу коммерческое предложение"), ("tranid", "5123456:7890123"),
      ("formid", "form123456789"), ("formname", "Заявка"), ("utm_source", "yandex"),
      ("utm_campaign", "spring"), ("COOKIES", "_ym_uid=1; roistat=2"),
    ]
    let created = try await site.postForm("/hooks/tilda?\(Self.token)", lead)
    #expect(created.status == 200, "\(created.body)")
    #expect(created.body == "ok")
    let retry = try await site.postForm("/hooks/tilda?\(Self.token)", lead)
    #expect(retry.status == 200)
    let forged = try await site.postForm("/hooks/tilda?token=wrong", lead)
    #expect(forged.status == 401)
    let malformed = try await site.raw(
      .POST, "/hooks/tilda?\(Self.token)",
      headers: [("Content-Type", "application/x-www-form-urlencoded")],
      body: Array("Name=%ZZ&tranid=1".utf8))
    #expect(malformed.status == 400)

    let inquiries = try site.inquiries("tilda")
    #expect(inquiries.count == 1)
    let inquiry = try #require(inquiries.first)
    #expect(inquiry.kind == .form)
    #expect(inquiry.sender.name == "Иван Петров")
    #expect(inquiry.sender.phone == "+79161234567")
    #expect(inquiry.sender.email == "ivan@example.ru")
    #expect(inquiry.text == "Хочу коммерческое предложение")
    #expect(inquiry.extra["utm_campaign"] == .string("spring"))
    #expect(inquiry.extra["formname"] == .string("Заявка"))
    #expect(inquiry.extra["COOKIES"] == nil)
    #expect(inquiry.extra["tranid"] == nil)
    #expect(try site.rawCount("tilda") == 2, "the lead and the quarantined body; not the ping")
  }

  @Test("Elementor simple and advanced, CF7, Yandex Forms and Google Forms formats")
  func siteBuilders() async throws {
    let site = try FormsHarness()
    defer { site.daemon.remove() }
    try await site.daemon.start()
    let simple = try await site.postForm(
      "/hooks/elementor?\(Self.token)",
      [
        ("Имя", "Мария"), ("Email", "maria@example.ru"), ("Сообщение", "Перезвоните"),
        ("Page URL", "https://example.ru/contacts"), ("form_id", "a1b2c3"),
        ("form_name", "Contact"), ("Powered by", "Elementor"),
      ])
    #expect(simple.status == 200, "\(simple.body)")
    #expect(simple.body.contains("true"))
    let advanced = try await site.postForm(
      "/hooks/elementor?\(Self.token)",
      [
        ("form[id]", "a1b2c3"), ("form[name]", "Contact"),
        ("fields[name][id]", "name"), ("fields[name][title]", "Имя"),
        ("fields[name][value]", "Олег"), ("fields[phone][value]", "89161112233"),
        ("fields[message][value]", "Нужна консультация"),
        ("fields[field_9f1][title]", "Город"), ("fields[field_9f1][value]", "Казань"),
        ("meta[page_url][title]", "Page URL"),
        ("meta[page_url][value]", "https://example.ru/?utm_source=vk"),
        ("meta[remote_ip][value]", "203.0.113.5"),
      ])
    #expect(advanced.status == 200, "\(advanced.body)")
    let elementor = try site.inquiries("elementor")
    #expect(elementor.count == 2)
    #expect(elementor.first?.sender.name == "Мария")
    #expect(elementor.first?.extra["Page URL"] == .string("https://example.ru/contacts"))
    #expect(elementor.first?.extra["Powered by"] == nil)
    #expect(elementor.last?.sender.phone == "+79161112233")
    #expect(elementor.last?.text == "Нужна консультация")
    #expect(
      elementor.last?.extra["meta.page_url.value"] == .string("https://example.ru/?utm_source=vk"))
    // Labels the site's owner typed are read by their words; what is ordered stays in extra.
    let typed = try await site.postForm(
      "/hooks/elementor?\(Self.token)",
      [
        ("Как к вам обращаться?", "Иван"), ("Ваш телефон", "+7 916 123-45-67"),
        ("Ваш e-mail", "ivan@firma.ru"), ("Наименование товара", "Насос ЦНС 38-44"),
        ("Комментарий к заказу", "Доставка в Казань"), ("form_id", "3f2a"),
      ])
    #expect(typed.status == 200, "\(typed.body)")
    let read = try #require(try site.inquiries("elementor").last)
    #expect(read.sender.name == "Иван")
    #expect(read.sender.phone == "+79161234567")
    #expect(read.sender.email == "ivan@firma.ru")
    #expect(read.text == "Доставка в Казань")
    #expect(read.company == nil)
    #expect(read.extra["Наименование товара"] == .string("Насос ЦНС 38-44"))
    // Nothing to reach anyone by: kept as quarantined, and answered 200 all the same (Elementor
    // shows the visitor an error for anything else, and the visitor sends it again).
    let unusable = try await site.postForm(
      "/hooks/elementor?\(Self.token)", [("Город", "Казань"), ("form_id", "3f2a")])
    #expect(unusable.status == 200, "\(unusable.body)")
    #expect(try site.entries("elementor").filter { $0.status == "quarantined" }.count == 1)

    let cf7 = try await site.postJSON(
      "/hooks/cf7?\(Self.token)",
      #"{"your-name":"Светлана","your-email":"sveta@example.ru","your-subject":"Прайс","your-message":"Пришлите прайс","tel-123":"+7 916 222-33-44","utm_medium":"cpc"}"#
    )
    #expect(cf7.status == 200, "\(cf7.body)")
    let cf7Inquiry = try #require(try site.inquiries("cf7").first)
    #expect(cf7Inquiry.sender.name == "Светлана")
    #expect(cf7Inquiry.subject == "Прайс")
    #expect(cf7Inquiry.sender.phone == "+79162223344")
    #expect(cf7Inquiry.extra["utm_medium"] == .string("cpc"))

    let yandex = try await site.postJSON(
      "/hooks/yandex",
      #"{"answer_id":"12345","name":"Никита","phone":"+79163334455","company":"ООО Ромашка","message":"Счёт на 10 лицензий","form":"Заявка с сайта"}"#,
      headers: [("Authorization", "Bearer \(FormsHarness.formToken)")])
    #expect(yandex.status == 200, "\(yandex.body)")
    let yandexInquiry = try #require(try site.inquiries("yandex").first)
    #expect(yandexInquiry.company?.name == "ООО Ромашка")
    #expect(yandexInquiry.extra["form"] == .string("Заявка с сайта"))

    let google =
      #"{"response_id":"2_ABaOnud","timestamp":"2026-11-29T10:00:00.000Z","form_title":"Заявка","Имя":"Вера","Номер телефона":"8 916 444 55 66","Ваш вопрос":"Есть ли доставка?","Город":"Тверь"}"#
    #expect(try await site.postJSON("/hooks/google?\(Self.token)", google).status == 200)
    #expect(try await site.postJSON("/hooks/google?\(Self.token)", google).status == 200)
    let googleInquiries = try site.inquiries("google")
    #expect(googleInquiries.count == 1, "response_id makes a re-send a duplicate")
    #expect(googleInquiries.first?.sender.phone == "+79164445566")
    #expect(googleInquiries.first?.text == "Есть ли доставка?")
    #expect(googleInquiries.first?.extra["Город"] == .string("Тверь"))
    let forged = try await site.postJSON("/hooks/google?token=nope", google)
    #expect(forged.status == 401)
    let malformed = try await site.postJSON("/hooks/cf7?\(Self.token)", #"{"your-name":"#)
    #expect(malformed.status == 400)
    #expect(try site.entries("cf7").filter { $0.status == "quarantined" }.count == 1)
  }

  @Test(
    "every form provider: forged → 401, repeats → one inquiry, malformed → kept, 400 (Jivo, Elementor 200)"
  )
  func forgedDuplicateMalformed() async throws {
    let site = try FormsHarness()
    defer { site.daemon.remove() }
    try await site.daemon.start()
    struct Case {
      var channel: String
      var json: Bool
      var body: String
      var headers: [(String, String)] = []
      var malformed: String
    }
    let cases = [
      Case(
        channel: "elementor", json: false,
        body: "form%5Bid%5D=f1&fields%5Bname%5D%5Bvalue%5D=%D0%90%D0%BD%D1%8F",
        malformed: "fields%5Bname%5D%5Bvalue%5D=%E2%28"),
      Case(
        channel: "cf7", json: true, body: #"{"your-name":"Аня","your-email":"anya@example.ru"}"#,
        headers: [("Idempotency-Key", "cf7-submission-1")], malformed: #"{"your-name":"#),
      Case(
        channel: "yandex", json: true, body: #"{"answer_id":"77","name":"Аня"}"#,
        malformed: #"[1,"#),
      Case(
        channel: "google", json: true, body: #"{"response_id":"r-1","Имя":"Аня"}"#,
        malformed: "{]"),
      Case(
        channel: "jivo", json: true,
        body:
          #"{"event_name":"chat_finished","chat_id":991,"visitor":{"name":"Аня"},"chat":{"messages":[{"message":"Привет"}]}}"#,
        malformed: #"{"event_name":"#),
    ]
    for item in cases {
      let type = item.json ? "application/json" : "application/x-www-form-urlencoded"
      func send(
        _ body: String, token: String = FormsHarness.formToken, keyed: Bool = true
      ) async throws -> DaemonHarness.Reply {
        try await site.raw(
          .POST, "/hooks/\(item.channel)?token=\(token)",
          headers: [("Content-Type", type), ("Accept", "application/json")]
            + (keyed ? item.headers : []),
          body: Array(body.utf8))
      }
      let forged = try await send(item.body, token: "forged")
      #expect(forged.status == 401, "\(item.channel)")
      #expect(try site.rawCount(item.channel) == 0, "\(item.channel): forged is not stored")
      #expect(try await send(item.body).status == 200, "\(item.channel)")
      if item.channel != "elementor" {  // Elementor sends no submission id
        #expect(try await send(item.body).status == 200, "\(item.channel)")
      }
      let malformed = try await send(item.malformed, keyed: false)
      if item.channel == "jivo" {
        // A chat widget's webhook, not a form: acknowledged as Jivo expects, kept all the same.
        #expect(malformed.status == 200, "\(item.channel): \(malformed.body)")
        #expect(malformed.json["result"] as? String == "ok")
      } else if item.channel == "elementor" {
        // Elementor shows the visitor an error for anything but a 200: kept, answered 200.
        #expect(malformed.status == 200, "\(item.channel): \(malformed.body)")
        #expect(malformed.json["success"] as? Bool == true)
      } else {
        #expect(malformed.status == 400, "\(item.channel): \(malformed.body)")
        #expect(malformed.json["error"] != nil)
      }
      let entries = try site.entries(item.channel)
      #expect(entries.filter { !$0.id.hasPrefix("r") }.count == 1, "\(item.channel)")
      #expect(entries.filter { $0.status == "quarantined" }.count == 1, "\(item.channel)")
    }
  }

  @Test("the shipped Google Forms Apps Script, run by node with Google's API stood in for")
  func googleAppsScript() async throws {
    let site = try FormsHarness()
    defer { site.daemon.remove() }
    try await site.daemon.start()
    let run = try Self.runAppsScript(["\(site.daemon.baseURL)/hooks/google?\(Self.token)"])
    #expect(run.status == 0, "\(run.output) \(run.error)")
    let inquiry = try #require(try site.inquiries("google").first)
    #expect(inquiry.sender.name == "Вера Козлова")
    #expect(inquiry.sender.phone == "+79164445566")
    #expect(inquiry.text == "Есть ли доставка в Тверь?")
    #expect(inquiry.extra["Удобное время"] == .string("утро, вечер"))
    #expect(inquiry.extra["form_title"] == .string("Заявка с сайта"))
  }

  /// Runs the shipped script with node (`Tests/Fixtures/google-forms/run-apps-script.js`).
  private static func runAppsScript(_ arguments: [String]) throws -> (
    status: Int32, output: String, error: String
  ) {
    let root = DaemonHarness.repositoryRoot
    let node = try #require(
      ["/usr/bin/node", "/usr/bin/nodejs", "/usr/local/bin/node"].first {
        FileManager.default.isExecutableFile(atPath: $0)
      }, "node is needed (scripts/test installs nodejs)")
    return try DaemonHarness.run(
      URL(fileURLWithPath: node),
      [
        root.appendingPathComponent("Tests/Fixtures/google-forms/run-apps-script.js").path,
        root.appendingPathComponent("channels/google-forms.gs").path,
      ] + arguments)
  }

  /// The script when inlet cannot be reached (a restart, the network): the response is kept in
  /// the script's properties with a trigger that sends it again; once sent, both are gone.
  @Test func googleAppsScriptKeepsWhatItCouldNotSend() async throws {
    let site = try FormsHarness()
    defer { site.daemon.remove() }
    try await site.daemon.start()
    let dead = "http://127.0.0.1:\(TestPorts.free())/hooks/google?\(Self.token)"
    let run = try Self.runAppsScript([
      "\(site.daemon.baseURL)/hooks/google?\(Self.token)", dead,
    ])
    #expect(run.status == 0, "\(run.output) \(run.error)")
    #expect(
      run.output.contains(
        #"offline {"kept":["inlet-pending:2_ABaOnudTest"],"triggers":["retryPending/10"],"locks":0}"#
      ),
      "\(run.output)")
    #expect(run.output.contains(#"sent {"kept":[],"triggers":[],"locks":0}"#), "\(run.output)")
    let inquiries = try site.inquiries("google")
    #expect(inquiries.count == 1)
    #expect(inquiries.first?.sender.phone == "+79164445566")
  }
}
