import Foundation
import GRDB
import Testing

@Suite("inlet replay", .serialized)
struct ReplayTests {
  @Test("a quarantined webhook becomes an inquiry once the definition knows its fields, once")
  func replayAfterDefinitionFix() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    // The daemon reads definitions from a folder of the test's own, so the test can fix one.
    let channels = daemon.folder.appendingPathComponent("channels")
    try FileManager.default.createDirectory(at: channels, withIntermediateDirectories: true)
    let generic = DaemonHarness.repositoryRoot.appendingPathComponent("channels/generic.yaml")
    let definition = channels.appendingPathComponent("generic.yaml")
    try FileManager.default.copyItem(at: generic, to: definition)
    var config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    config = config.replacingOccurrences(
      of: DaemonHarness.repositoryRoot.appendingPathComponent("channels").path,
      with: channels.path)
    try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    try await daemon.start()

    let odd = #"{"client_mail":"petr@romashka.ru","zapros":"Нужен счёт на 10 стульев"}"#
    let first = try await daemon.postLead(odd)
    #expect(first.status == 400)
    #expect(first.errorCode == "missing_fields")
    #expect(try await daemon.postLead(#"{"email":"ok@example.ru"}"#).status == 201)
    daemon.stop()

    // Nothing to do yet: the definition still cannot read the item.
    let early = try daemon.cli(["replay"])
    #expect(early.status == 0, "\(early.error)")
    #expect(early.output.contains("1 quarantined") || early.output.contains("1 unchanged"))

    var text = try String(contentsOf: definition, encoding: .utf8)
    text = text.replacingOccurrences(
      of: "sender.email: [email,", with: "sender.email: [client_mail, email,")
    text = text.replacingOccurrences(of: "text: [message,", with: "text: [zapros, message,")
    try text.write(to: definition, atomically: true, encoding: .utf8)

    let fixed = try daemon.cli(["replay"])
    #expect(fixed.status == 0, "\(fixed.error)")
    #expect(fixed.output.contains("replayed 1 raw items: 1 created"), "\(fixed.output)")
    let list = try daemon.cli(["inquiries", "list", "--json"])
    #expect(list.output.contains("petr@romashka.ru"), "\(list.output)")
    #expect(list.output.contains("Нужен счёт на 10 стульев"))
    #expect(
      try daemon.cli(["inquiries", "list", "--status", "quarantined"]).output
        .contains("petr@romashka.ru") == false)

    // Idempotent: again, and with --all, nothing changes.
    let again = try daemon.cli(["replay"])
    #expect(again.output.contains("replayed 0 raw items"), "\(again.output)")
    let everything = try daemon.cli(["replay", "--all"])
    #expect(everything.output.contains("replayed 2 raw items: 2 unchanged"), "\(everything.output)")
    let after = try daemon.cli(["inquiries", "list", "--json"])
    #expect(after.output.components(separatedBy: "\"id\"").count == 3, "\(after.output)")
  }

  @Test("one item that cannot be stored does not stop the others; the run exits non-zero")
  func failingItemDoesNotStopTheRun() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    #expect(try await daemon.postLead(#"{"email":"first@example.ru"}"#).status == 201)
    #expect(try await daemon.postLead(#"{"email":"second@example.ru"}"#).status == 201)
    daemon.stop()
    // The first inquiry's document no longer reads (a hand edit, a bug of another version).
    let queue = try DatabaseQueue(path: daemon.databasePath)
    try await queue.write { db in
      try db.execute(sql: "UPDATE inquiries SET document = 'not json' WHERE id = 1")
    }
    try queue.close()
    let run = try daemon.cli(["replay", "--all"])
    #expect(run.status != 0)
    #expect(run.output.contains("1 unchanged, 1 failed"), "\(run.output) \(run.error)")
    #expect(run.error.contains("raw item 1:"), "\(run.error)")
  }

  @Test("a request refused over the rate limit, then retried, stays one inquiry after replay --all")
  func rateLimitedThenRetried() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    var config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    config = config.replacingOccurrences(
      of: "token_file: site-token",
      with: "token_file: site-token\n    options: { rate_limit: 1/5s }")
    try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    try await daemon.start()
    let lead = #"{"email":"retry@example.ru","message":"Перезвоните"}"#
    #expect(try await daemon.postLead(#"{"email":"first@example.ru"}"#, key: "k1").status == 201)
    // Over the limit: 429, kept raw as ignored without its key, so that the retry is taken.
    #expect(try await daemon.postLead(lead, key: "k2").status == 429)
    // The next window: wide enough that the two refusals below still fall in it on a loaded
    // machine (with 2 s, a slow commit let the first of them into a window of its own).
    try await Task.sleep(for: .milliseconds(5_500))
    #expect(try await daemon.postLead(lead, key: "k2").status == 201)
    // Refused twice in one window, never retried: replayed, it is one inquiry, not two.
    let gaveUp = #"{"email":"gave-up@example.ru","message":"Не дождался"}"#
    #expect(try await daemon.postLead(gaveUp, key: "k3").status == 429)
    #expect(try await daemon.postLead(gaveUp, key: "k3").status == 429)
    daemon.stop()

    let replay = try daemon.cli(["replay", "--all"])
    #expect(replay.status == 0, "\(replay.error)")
    #expect(replay.output.contains("1 created"), "\(replay.output)")
    #expect(replay.output.contains("2 duplicate"), "\(replay.output)")
    let list = try daemon.cli(["inquiries", "list", "--json"])
    #expect(list.output.components(separatedBy: "retry@example.ru").count == 2, "\(list.output)")
    #expect(list.output.components(separatedBy: "gave-up@example.ru").count == 2, "\(list.output)")
    // Idempotent.
    let again = try daemon.cli(["replay", "--all"])
    #expect(again.output.contains("2 duplicate"), "\(again.output)")
    #expect(!again.output.contains("created"), "\(again.output)")
  }

  @Test("a WhatsApp batch refused over the rate limit replays as each of its messages")
  func refusedBatch() async throws {
    let hub = try FormsHarness()
    defer { hub.daemon.remove() }
    var config = try String(contentsOfFile: hub.daemon.configPath, encoding: .utf8)
    config = config.replacingOccurrences(
      of: "verify_token_file: wa-verify }",
      with: "verify_token_file: wa-verify }, options: { rate_limit: 1/1h }")
    try config.write(toFile: hub.daemon.configPath, atomically: true, encoding: .utf8)
    try await hub.daemon.start()
    let first = MessengerTests.whatsappMessage(
      id: "wamid.a1", from: "79161234567", timestamp: MessengerTests.start, text: "Есть в наличии?")
    #expect(try await hub.whatsapp(first).status == 200)
    let batch =
      #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"74951234567","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Марина"},"wa_id":"79035556677"}],"messages":[{"from":"79035556677","id":"wamid.b1","timestamp":"\#(MessengerTests.start)","text":{"body":"Первое"},"type":"text"},{"from":"79035556677","id":"wamid.b2","timestamp":"\#(MessengerTests.start + 5)","text":{"body":"Второе"},"type":"text"}]},"field":"messages"}]}]}"#
    let refused = try await hub.whatsapp(batch)
    #expect(refused.status == 429, "\(refused.body)")
    hub.daemon.stop()
    // Kept as two raw items without keys, each at its place in the batch.
    #expect(try hub.entries("whatsapp").filter { $0.status == "ignored" }.count == 2)

    let replay = try hub.daemon.cli(["replay", "--all"])
    #expect(replay.status == 0, "\(replay.error)")
    #expect(replay.output.contains("1 created, 1 continued"), "\(replay.output)")
    let marina = try #require(try hub.inquiries("whatsapp").first { $0.sender.name == "Марина" })
    #expect(marina.text == "Первое")
    #expect(marina.messages.map(\.text) == ["Второе"])
    let again = try hub.daemon.cli(["replay", "--all"])
    #expect(again.output.contains("replayed 3 raw items: 3 unchanged"), "\(again.output)")
  }

  @Test("replay --all keeps what was read from a form caught as spam: it can still be promoted")
  func spamKeepsWhatWasRead() async throws {
    let site = try FormsHarness()
    defer { site.daemon.remove() }
    try await site.daemon.start()
    let bot = try await site.postForm(
      "/hooks/form?token=\(FormsHarness.formToken)",
      [("name", "Bot"), ("email", "bot@spam.example"), ("website", "http://spam.example")],
      headers: [("Accept", "application/json")])
    #expect(bot.status == 202, "\(bot.body)")
    let now = Int(Date().timeIntervalSince1970)
    let hasty = try await site.postForm(
      "/hooks/form?token=\(FormsHarness.formToken)",
      [("name", "Fast"), ("phone", "+79160000002"), ("form_started_at", String(now))],
      headers: [("Accept", "application/json")])
    #expect(hasty.status == 202, "\(hasty.body)")
    site.daemon.stop()

    for _ in 0..<2 {
      let replay = try site.daemon.cli(["replay", "--all"])
      #expect(replay.status == 0, "\(replay.error)")
      #expect(replay.output.contains("2 unchanged"), "\(replay.output)")
      let ignored = try site.entries("form").filter { $0.status == "ignored" }
      #expect(ignored.count == 2)
      #expect(ignored.contains { $0.sender.email == "bot@spam.example" }, "what was read is kept")
      #expect(ignored.contains { $0.sender.phone == "+79160000002" })
    }
    try await site.daemon.start()
    let kept = try #require(
      try site.entries("form").first { $0.reason?.contains("min_fill_seconds") == true })
    let promoted = try await site.daemon.api(.POST, "/inquiries/\(kept.id)/promote")
    #expect(promoted.status == 201, "\(promoted.body)")
    #expect((promoted.json["sender"] as? [String: Any])?["phone"] as? String == "+79160000002")
  }

  @Test("a batch's message the definition now drops is replayed as dropped once, not skipped")
  func batchItemNowDropped() async throws {
    let hub = try FormsHarness()
    defer { hub.daemon.remove() }
    // The definitions from a folder of the test's own, so that the test can change one.
    let channels = hub.daemon.folder.appendingPathComponent("channels")
    try FileManager.default.copyItem(
      at: DaemonHarness.repositoryRoot.appendingPathComponent("channels"), to: channels)
    var config = try String(contentsOfFile: hub.daemon.configPath, encoding: .utf8)
    config = config.replacingOccurrences(
      of: DaemonHarness.repositoryRoot.appendingPathComponent("channels").path,
      with: channels.path)
    try config.write(toFile: hub.daemon.configPath, atomically: true, encoding: .utf8)
    try await hub.daemon.start()
    let start = MessengerTests.start
    let batch =
      #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"74951234567","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Марина"},"wa_id":"79035556677"}],"messages":[{"from":"79035556677","id":"wamid.c1","timestamp":"\#(start)","text":{"body":"Есть в наличии?"},"type":"text"},{"from":"79035556677","id":"wamid.c2","timestamp":"\#(start + 5)","reaction":{"message_id":"wamid.x","emoji":"👍"},"type":"reaction"}]},"field":"messages"}]}]}"#
    #expect(try await hub.whatsapp(batch).status == 200)
    hub.daemon.stop()
    #expect(try hub.entries("whatsapp").filter { $0.status == "ignored" }.count == 1)

    // Reactions are now dropped (answered, never kept).
    let definition = channels.appendingPathComponent("whatsapp.yaml")
    var text = try String(contentsOf: definition, encoding: .utf8)
    let before = text
    text = text.replacingOccurrences(
      of: "messages.0.type: reaction } }\n    action: ignore",
      with: "messages.0.type: reaction } }\n    action: drop")
    #expect(text != before, "the definition's reaction rule was found")
    try text.write(to: definition, atomically: true, encoding: .utf8)

    let replay = try hub.daemon.cli(["replay", "--all"])
    #expect(replay.status == 0, "\(replay.error)")
    #expect(replay.output.contains("1 unchanged"), "\(replay.output)")
    #expect(!replay.output.contains("skipped"), "\(replay.output)")
    let dropped = try #require(
      try hub.entries("whatsapp").first { $0.status == "ignored" })
    #expect(dropped.reason?.contains("dropped") == true, "\(dropped.reason ?? "")")
    let again = try hub.daemon.cli(["replay", "--all"])
    #expect(again.output.contains("replayed 2 raw items: 2 unchanged"), "\(again.output)")
    #expect(try hub.inquiries("whatsapp").map(\.text) == ["Есть в наличии?"])
  }

  @Test("replay --all leaves calls as their events left them; a call event never taken is applied")
  func calls() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let token = TelephonyHarness.urlToken
    let events = [
      // An inbound call answered, and an outgoing one (no inquiry).
      #"{"event":"newCall","from":"79163125741","to":"74951234567","direction":"in","callId":"r1"}"#,
      #"{"event":"answer","from":"79163125741","to":"74951234567","direction":"in","callId":"r1","user":["Анна"]}"#,
      #"{"event":"hangup","from":"79163125741","to":"74951234567","direction":"in","callId":"r1","cause":"normalClearing"}"#,
      #"{"event":"newCall","from":"74951112233","to":"79261112233","direction":"out","callId":"r2"}"#,
      #"{"event":"hangup","from":"74951112233","to":"79261112233","direction":"out","callId":"r2","cause":"normalClearing"}"#,
    ]
    for body in events {
      let reply = try await pbx.daemon.request(
        .POST, "/hooks/cti/\(token)", headers: [("Content-Type", "application/json")],
        body: Array(body.utf8))
      #expect(reply.status == 200, "\(reply.body)")
    }
    pbx.daemon.stop()
    let before = try pbx.inquiries("cti")
    #expect(before.count == 1)
    #expect(before.first?.kind == .call)
    func eventCount() throws -> Int {
      try pbx.database().readSync { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") }
        ?? 0
    }
    let eventsBefore = try eventCount()

    let replay = try pbx.daemon.cli(["replay", "--all"])
    #expect(replay.status == 0, "\(replay.output) \(replay.error)")
    #expect(replay.output.contains("replayed 5 raw items: 5 unchanged"), "\(replay.output)")
    #expect(try pbx.inquiries("cti") == before)
    #expect(try eventCount() == eventsBefore)

    // An event kept as quarantined (the database was edited to say so, as a definition that
    // could not read it would have left it) was never part of its call: replayed, it is.
    try await pbx.daemon.start()
    let late =
      #"{"event":"newCall","from":"79031234567","to":"74951234567","direction":"in","callId":"r3"}"#
    let reply = try await pbx.daemon.request(
      .POST, "/hooks/cti/\(token)", headers: [("Content-Type", "application/json")],
      body: Array(late.utf8))
    #expect(reply.status == 200, "\(reply.body)")
    pbx.daemon.stop()
    /// Keeps a CTI event as quarantined, as a definition that could not read it would have.
    func keepQuarantined(_ body: String, event: String) async throws {
      let queue = try DatabaseQueue(path: pbx.daemon.databasePath)
      try await queue.write { db in
        let transport = try String.fetchOne(
          db, sql: "SELECT transport FROM raw_items ORDER BY id DESC LIMIT 1")
        try db.execute(
          sql: """
            INSERT INTO raw_items (channel, transport, body, idempotency_key, received_at,
              status, reason, event) VALUES ('cti', ?, ?, NULL, ?, 'quarantined', 'test', ?)
            """,
          arguments: [transport, Data(body.utf8), Date().timeIntervalSince1970, event])
      }
      try queue.close()
    }
    try await keepQuarantined(
      #"{"event":"hangup","from":"79031234567","to":"74951234567","direction":"in","callId":"r3","cause":"cancel"}"#,
      event: "hangup")
    let fixed = try pbx.daemon.cli(["replay"])
    #expect(fixed.output.contains("replayed 1 raw items: 1 continued"), "\(fixed.output)")
    let missed = try #require(try pbx.inquiries("cti").first { $0.sender.phone == "+79031234567" })
    #expect(missed.kind == .missedCall)
    // One of the outgoing call's, kept the same way: it joins its call, which makes no lead.
    try await keepQuarantined(
      #"{"event":"answer","from":"74951112233","to":"79261112233","direction":"out","callId":"r2","user":["Анна"]}"#,
      event: "answer")
    let recorded = try pbx.daemon.cli(["replay"])
    #expect(recorded.output.contains("replayed 1 raw items: 1 recorded"), "\(recorded.output)")
    #expect(try pbx.inquiries("cti").count == 2, "still no lead of the outgoing call")
  }
}
