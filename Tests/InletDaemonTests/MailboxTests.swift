import Foundation
import GRDB
import InletCore
import InletMail
import InletStore
import InletTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A plain lead letter as a Russian sender's client writes it (UTF-8, encoded subject).
func leadLetter(_ number: Int, domain: String = "client", extra: String = "") -> [UInt8] {
  let subject = "=?UTF-8?B?" + Data("Заявка №\(number)".utf8).base64EncodedString() + "?="
  let text = """
    From: =?UTF-8?B?\(Data("Иван Петров".utf8).base64EncodedString())?= <ivan\(number)@\(domain)\(number).ru>
    To: sales@example.ru
    Subject: \(subject)
    Date: Sun, 29 Nov 2026 10:00:00 +0300
    Message-ID: <lead-\(number)-\(domain)@test.inlet>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8
    Content-Transfer-Encoding: 8bit
    \(extra)
    Добрый день! Нужен счёт на \(number) стульев. Телефон +7 916 123-45-67.

    """
  return Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
}

/// The daemon's config with `mailboxes:` pointing at a real Dovecot.
struct MailboxEntry {
  var name: String
  var url: String
  var user: String = "sales"
  var passwordFile: String = "imap-sales"
  var firstSync: String = "all"
  var afterIngest: String = "keep"
  var extra: String = ""

  var yaml: String {
    """
      - name: \(name)
        url: "\(url)"
        username: \(user)
        password_file: \(passwordFile)
        tls: none
        first_sync: \(firstSync)
        after_ingest: "\(afterIngest)"
        poll_interval: 1s
    \(extra)
    """
  }
}

func mailDaemon(_ entries: [MailboxEntry], passwords: [String: String], config more: String = "")
  throws -> DaemonHarness
{
  let config = more + "mailboxes:\n" + entries.map(\.yaml).joined(separator: "\n")
  let daemon = try DaemonHarness(extraConfig: config)
  for (file, password) in passwords {
    try password.write(
      to: daemon.folder.appendingPathComponent("credentials/\(file)"), atomically: true,
      encoding: .utf8)
  }
  return daemon
}

func newInquiries(_ daemon: DaemonHarness) throws -> Int {
  guard FileManager.default.fileExists(atPath: daemon.databasePath) else { return 0 }
  return try InletDatabase(path: daemon.databasePath).countsSync().inquiries["new"] ?? 0
}

@Suite("Mailboxes against a real Dovecot", .serialized)
struct MailboxTests {
  @Test("N letters → N inquiries; a second poll ingests nothing")
  func pollOnce() async throws {
    let dovecot = try DovecotServer()
    defer { dovecot.cleanUp() }
    try dovecot.dropLetters((1...25).map { leadLetter($0) })
    let daemon = try mailDaemon(
      [MailboxEntry(name: "sales", url: dovecot.url())], passwords: ["imap-sales": "secret"])
    defer { daemon.remove() }
    let first = try daemon.cli(["poll"])
    #expect(first.status == 0, "\(first.output) \(first.error)")
    #expect(first.output.contains("25 fetched: 25 new"), "\(first.output)")
    #expect(try newInquiries(daemon) == 25)
    let inquiry = try #require(try InletDatabase(path: daemon.databasePath).inquirySync(id: "1"))
    #expect(inquiry.kind == .email)
    #expect(inquiry.channel == "sales")
    #expect(inquiry.sender.email == "ivan1@client1.ru")
    #expect(inquiry.sender.name == "Иван Петров")
    #expect(inquiry.subject == "Заявка №1")
    #expect(inquiry.sender.phone == "+79161234567")
    #expect(inquiry.text?.contains("Нужен счёт на 1 стульев") == true)
    #expect(inquiry.source.messageID == "lead-1-client@test.inlet")

    let second = try daemon.cli(["poll"])
    #expect(second.status == 0)
    #expect(second.output.contains("0 fetched"), "\(second.output)")
    #expect(try newInquiries(daemon) == 25)

    // `poll` reads mail only: the channel and API token files it may not read (the listener's)
    // do not stop it, while `check-config` and `serve` still refuse the config.
    for file in ["site-token", "api-read", "api-write"] {
      try? FileManager.default.removeItem(
        at: daemon.folder.appendingPathComponent("credentials/\(file)"))
    }
    try dovecot.append(leadLetter(26))
    let third = try daemon.cli(["poll"])
    #expect(third.status == 0, "\(third.output) \(third.error)")
    #expect(third.output.contains("1 fetched: 1 new"), "\(third.output)")
    let check = try daemon.cli(["check-config"])
    #expect(check.status != 0)
    #expect(check.error.contains("token_file"), "\(check.error)")
  }

  @Test("from_now skips existing mail; move:Processed and seen act only after the commit")
  func fromNowMoveSeen() async throws {
    let dovecot = try DovecotServer(users: ["sales": "secret", "info": "other"])
    defer { dovecot.cleanUp() }
    try dovecot.dropLetters((1...3).map { leadLetter($0) })
    try dovecot.dropLetters((11...12).map { leadLetter($0) }, user: "info")
    let daemon = try mailDaemon(
      [
        MailboxEntry(
          name: "sales", url: dovecot.url(), firstSync: "from_now",
          afterIngest: "move:Processed"),
        MailboxEntry(
          name: "info", url: dovecot.url(), user: "info", passwordFile: "imap-info",
          afterIngest: "seen"),
      ], passwords: ["imap-sales": "secret", "imap-info": "other"])
    defer { daemon.remove() }
    try dovecot.createFolder(user: "sales", folder: "Processed")
    let first = try daemon.cli(["poll"])
    #expect(first.status == 0, "\(first.output) \(first.error)")
    #expect(try newInquiries(daemon) == 2, "from_now: the three old letters stay out")
    // `seen`: both info letters carry \Seen now.
    let infoFiles = dovecot.letterFiles(user: "info")
    #expect(infoFiles.count == 2)
    #expect(infoFiles.allSatisfy { $0.hasSuffix("S") }, "\(infoFiles)")
    // A manager marks one unread again to come back to it: later passes leave it so.
    let folder = dovecot.maildir(user: "info").appendingPathComponent("cur")
    let marked = try #require(infoFiles.first)
    try FileManager.default.moveItem(
      at: folder.appendingPathComponent(marked),
      to: folder.appendingPathComponent(String(marked.dropLast())))
    let again = try daemon.cli(["poll", "--mailbox", "info"])
    #expect(again.status == 0, "\(again.output) \(again.error)")
    #expect(
      dovecot.letterFiles(user: "info").filter { !$0.hasSuffix("S") }.count == 1,
      "\(dovecot.letterFiles(user: "info"))")

    try dovecot.append(leadLetter(4))
    try dovecot.append(leadLetter(5))
    let second = try daemon.cli(["poll", "--mailbox", "sales"])
    #expect(second.output.contains("2 fetched: 2 new"), "\(second.output)")
    #expect(try newInquiries(daemon) == 4)
    #expect(dovecot.letterFiles(user: "sales", folder: "Processed").count == 2)
    #expect(dovecot.letterFiles(user: "sales").count == 3, "the old letters were not touched")
  }

  @Test(
    "a letter the sender's rate limit holds back stays unread in place; the one let in is marked")
  func heldBackLetterStays() async throws {
    let dovecot = try DovecotServer()
    defer { dovecot.cleanUp() }
    func letter(_ number: Int) -> [UInt8] {
      Array(
        """
        From: robot@shop.ru\r
        To: sales@example.ru\r
        Subject: Order \(number)\r
        Date: Sun, 29 Nov 2026 10:0\(number):00 +0300\r
        Message-ID: <robot-\(number)@shop.ru>\r
        Content-Type: text/plain; charset=utf-8\r
        \r
        Order \(number), call +7 916 123-45-67\r

        """.utf8)
    }
    try dovecot.dropLetters([letter(1), letter(2)])
    let daemon = try mailDaemon(
      [MailboxEntry(name: "sales", url: dovecot.url(), afterIngest: "seen")],
      passwords: ["imap-sales": "secret"], config: "mail:\n  rate_limit_count: 1\n")
    defer { daemon.remove() }
    let poll = try daemon.cli(["poll"])
    #expect(poll.status == 0, "\(poll.output) \(poll.error)")
    #expect(try newInquiries(daemon) == 1)
    let ignored = try InletDatabase(path: daemon.databasePath).countsSync().rawItems["ignored"]
    #expect(ignored == 1, "the second letter is kept, as rate limited")
    let files = dovecot.letterFiles(user: "sales")
    #expect(files.count == 2)
    #expect(files.filter { $0.hasSuffix("S") }.count == 1, "\(files)")
  }

  @Test("first_sync {days: N}: old letters stay out, also those moved in after a recent one")
  func firstSyncDays() async throws {
    let dovecot = try DovecotServer(users: ["sales": "secret"])
    defer { dovecot.cleanUp() }
    let month = Date().addingTimeInterval(-30 * 86_400)
    try dovecot.dropLetters([leadLetter(1)], received: month)
    try dovecot.dropLetters([leadLetter(2)])
    // A person drags two letters of last month out of the archive: new UIDs, old dates.
    try dovecot.dropLetters([leadLetter(3), leadLetter(4)], received: month)
    let daemon = try mailDaemon(
      [MailboxEntry(name: "sales", url: dovecot.url(), firstSync: "{days: 7}")],
      passwords: ["imap-sales": "secret"])
    defer { daemon.remove() }
    let first = try daemon.cli(["poll"])
    #expect(first.status == 0, "\(first.output) \(first.error)")
    #expect(try newInquiries(daemon) == 1, "only the letter of this week: \(first.output)")
    // Whatever arrives from now on is taken, however it is dated.
    try dovecot.append(leadLetter(5))
    try dovecot.dropLetters([leadLetter(6)], received: month)
    let second = try daemon.cli(["poll"])
    #expect(second.status == 0, "\(second.output) \(second.error)")
    #expect(try newInquiries(daemon) == 3, "\(second.output)")
  }

  /// A letter's inquiry is dated by the letter's arrival in the mailbox (INTERNALDATE), not by
  /// the poll that fetched it: a first sync of the last days, a backlog after an outage. So
  /// is a reply's message, and a replay keeps both.
  @Test func arrivalTime() async throws {
    let dovecot = try DovecotServer(users: ["sales": "secret"])
    defer { dovecot.cleanUp() }
    let twoDaysAgo = Date(
      timeIntervalSince1970: (Date().timeIntervalSince1970 - 2 * 86_400).rounded(.down))
    let yesterday = twoDaysAgo.addingTimeInterval(86_400)
    try dovecot.dropLetters([leadLetter(1)], received: twoDaysAgo)
    let reply = leadLetter(11, extra: "In-Reply-To: <lead-1-client@test.inlet>")
    try dovecot.dropLetters([reply], received: yesterday)
    let daemon = try mailDaemon(
      [MailboxEntry(name: "sales", url: dovecot.url(), firstSync: "{days: 7}")],
      passwords: ["imap-sales": "secret"])
    defer { daemon.remove() }
    func inquiry() throws -> [String: Any] {
      let shown = try daemon.cli(["inquiries", "show", "1", "--json"])
      try #require(shown.status == 0, "\(shown.output)\(shown.error)")
      return try #require(
        JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [String: Any])
    }
    let polled = try daemon.cli(["poll"])
    #expect(polled.status == 0, "\(polled.output) \(polled.error)")
    for round in ["poll", "replay"] {
      let lead = try inquiry()
      #expect(lead["received_at"] as? String == Inquiry.timestamp(twoDaysAgo), "\(round)")
      let messages = lead["messages"] as? [[String: Any]] ?? []
      #expect(messages.count == 1, "\(round): \(lead)")
      #expect(messages.first?["received_at"] as? String == Inquiry.timestamp(yesterday), "\(round)")
      if round == "poll" {
        let replayed = try daemon.cli(["replay", "--all"])
        #expect(replayed.status == 0, "\(replayed.output) \(replayed.error)")
      }
    }
    // A letter of last month moved in from an archive (its INTERNALDATE kept): a lead now.
    try dovecot.dropLetters(
      [leadLetter(12)], received: twoDaysAgo.addingTimeInterval(-28 * 86_400))
    let before = Date().addingTimeInterval(-1)
    #expect(try daemon.cli(["poll"]).status == 0)
    let moved = try daemon.cli(["inquiries", "show", "2", "--json"])
    let movedLead = try #require(
      JSONSerialization.jsonObject(with: Data(moved.output.utf8)) as? [String: Any])
    let dated = try #require(
      (movedLead["received_at"] as? String).flatMap {
        try? Date($0, strategy: .iso8601)
      })
    #expect(dated >= before.addingTimeInterval(-1), "\(movedLead)")
  }

  @Test("a move that failed after the commit is applied on the next pass, nothing re-ingested")
  func owedMove() async throws {
    let dovecot = try DovecotServer()
    defer { dovecot.cleanUp() }
    try dovecot.dropLetters((1...4).map { leadLetter($0) })
    let daemon = try mailDaemon(
      [MailboxEntry(name: "sales", url: dovecot.url(), afterIngest: "move:Processed")],
      passwords: ["imap-sales": "secret"])
    defer { daemon.remove() }
    // No Processed folder yet: the letters are stored, then the MOVE is refused.
    let first = try daemon.cli(["poll"])
    #expect(first.status == 1, "\(first.output)")
    #expect(first.output.contains("4 fetched: 4 new"), "\(first.output)")
    #expect(first.output.contains("refused after_ingest"), "\(first.output)")
    #expect(try newInquiries(daemon) == 4)
    #expect(dovecot.letterFiles(user: "sales").count == 4)
    // Still refused: new mail is ingested all the same (the owed MOVE no longer blocks it).
    try dovecot.dropLetters([leadLetter(5)])
    let refused = try daemon.cli(["poll"])
    #expect(refused.status == 1, "\(refused.output)")
    #expect(refused.output.contains("1 fetched: 1 new"), "\(refused.output)")
    #expect(try newInquiries(daemon) == 5)

    try dovecot.createFolder(user: "sales", folder: "Processed")
    let second = try daemon.cli(["poll"])
    #expect(second.status == 0, "\(second.output) \(second.error)")
    #expect(second.output.contains("0 fetched"), "\(second.output)")
    #expect(try newInquiries(daemon) == 5)
    #expect(dovecot.letterFiles(user: "sales").isEmpty)
    #expect(dovecot.letterFiles(user: "sales", folder: "Processed").count == 5)
  }

  @Test("the same letter in two mailboxes, and after a UIDVALIDITY change, is one inquiry")
  func duplicates() async throws {
    let dovecot = try DovecotServer(users: ["sales": "secret", "info": "other"])
    defer { dovecot.cleanUp() }
    let letters = (1...5).map { leadLetter($0) }
    try dovecot.dropLetters(letters)
    try dovecot.dropLetters([letters[0], letters[1]], user: "info")
    // A letter without a Message-ID, sent to both: each copy has the trace fields of its own
    // delivery, the rest is the same.
    func copy(to user: String, at time: String) -> [UInt8] {
      let trace =
        "Return-Path: <robot@shop.ru>\r\nDelivered-To: \(user)@example.ru\r\n"
        + "Received: from mx.example.ru by imap.example.ru; \(time)\r\n"
      let letter = String(decoding: leadLetter(7), as: UTF8.self)
        .replacingOccurrences(of: "Message-ID: <lead-7-client@test.inlet>\r\n", with: "")
      return Array((trace + letter).utf8)
    }
    try dovecot.dropLetters([copy(to: "sales", at: "Sun, 29 Nov 2026 10:00:01 +0300")])
    try dovecot.dropLetters(
      [copy(to: "info", at: "Sun, 29 Nov 2026 10:00:03 +0300")], user: "info")
    let daemon = try mailDaemon(
      [
        MailboxEntry(name: "sales", url: dovecot.url()),
        MailboxEntry(name: "info", url: dovecot.url(), user: "info", passwordFile: "imap-info"),
      ], passwords: ["imap-sales": "secret", "imap-info": "other"])
    defer { daemon.remove() }
    let first = try daemon.cli(["poll"])
    #expect(first.status == 0, "\(first.output) \(first.error)")
    #expect(first.output.contains("info: 3 fetched: 0 new"), "\(first.output)")
    #expect(first.output.contains("3 duplicates"), "\(first.output)")
    #expect(try newInquiries(daemon) == 6)

    // The folder is recreated with the same letters (a new UIDVALIDITY) and one more.
    try dovecot.recreateFolder()
    try dovecot.dropLetters([leadLetter(6)])
    let second = try daemon.cli(["poll", "--mailbox", "sales"])
    #expect(second.status == 0, "\(second.output) \(second.error)")
    #expect(second.output.contains("7 fetched: 1 new"), "\(second.output)")
    #expect(second.output.contains("6 duplicates"), "\(second.output)")
    #expect(try newInquiries(daemon) == 7)
  }

  @Test("from_now: after a UIDVALIDITY change, mail that was there at the first sync stays out")
  func fromNowAfterRenumbering() async throws {
    let dovecot = try DovecotServer()
    defer { dovecot.cleanUp() }
    try dovecot.dropLetters([leadLetter(1)])
    let daemon = try mailDaemon(
      [MailboxEntry(name: "sales", url: dovecot.url(), firstSync: "from_now")],
      passwords: ["imap-sales": "secret"])
    defer { daemon.remove() }
    let first = try daemon.cli(["poll"])
    #expect(first.status == 0, "\(first.output) \(first.error)")
    #expect(try newInquiries(daemon) == 0)
    // A second later the folder is renumbered and a new letter arrives.
    try await Task.sleep(for: .milliseconds(1100))
    try dovecot.recreateFolder()
    try dovecot.dropLetters([leadLetter(2)])
    let second = try daemon.cli(["poll"])
    #expect(second.status == 0, "\(second.output) \(second.error)")
    #expect(second.output.contains("1 new"), "\(second.output)")
    #expect(try newInquiries(daemon) == 1)
    // The rule is kept with the cursor: a rescan interrupted before it passed the old letter
    // (here: its cursor put back to the start of the new epoch) still leaves it out.
    let database = try DatabaseQueue(path: daemon.databasePath)
    let until = try await database.read { db in
      try Int64.fetchOne(db, sql: "SELECT rescan_until FROM imap_cursors WHERE mailbox = 'sales'")
    }
    #expect(until == 2)
    try await database.write { db in
      try db.execute(sql: "UPDATE imap_cursors SET last_uid = 0 WHERE mailbox = 'sales'")
    }
    try database.close()
    let resumed = try daemon.cli(["poll"])
    #expect(resumed.status == 0, "\(resumed.output) \(resumed.error)")
    #expect(resumed.output.contains("0 new"), "\(resumed.output)")
    #expect(try newInquiries(daemon) == 1)
  }

  @Test("an oversized letter is stored with its headers only, flagged; a Cyrillic folder works")
  func oversizedAndCyrillicFolder() async throws {
    let dovecot = try DovecotServer()
    defer { dovecot.cleanUp() }
    let folder = "Заявки"
    let padding = String(repeating: "Длинное письмо. ", count: 800)
    // Through IMAP, so that Dovecot names the folder itself (modified UTF-7 on disk).
    let client = try IMAPClient(
      endpoint: IMAPEndpoint(
        url: dovecot.url(), username: "sales", credential: .password("secret"), tls: .none))
    try client.connect()
    try client.create(folder)
    for letter in [leadLetter(1), leadLetter(2, extra: "X-Padding: yes\n\n" + padding)] {
      try client.append(folder, message: letter, flags: [])
    }
    #expect(try client.listFolders().contains(folder))
    client.logout()
    let daemon = try mailDaemon(
      [
        MailboxEntry(
          name: "sales", url: dovecot.url(folder: folder),
          extra: "    max_message_bytes: 4096")
      ], passwords: ["imap-sales": "secret"])
    defer { daemon.remove() }
    let poll = try daemon.cli(["poll"])
    #expect(poll.status == 0, "\(poll.output) \(poll.error) \(daemon.folder.path)")
    #expect(try newInquiries(daemon) == 2)
    let database = try InletDatabase(path: daemon.databasePath)
    let big = try #require(try database.inquirySync(id: "2"))
    #expect(big.extra["oversized"] == .bool(true))
    #expect(big.subject == "Заявка №2")
    let raw = try #require(try database.readSync { db in try RawItemRecord.fetchOne(db, key: 2) })
    #expect(raw.body.count < 4096)
    #expect(String(decoding: raw.body, as: UTF8.self).contains("Длинное") == false)
  }

  @Test("a wrong password fails that mailbox only: clear error in poll, status and /health")
  func wrongPassword() async throws {
    let dovecot = try DovecotServer(users: ["sales": "secret", "info": "other"])
    defer { dovecot.cleanUp() }
    try dovecot.dropLetters([leadLetter(1)])
    let daemon = try mailDaemon(
      [
        MailboxEntry(name: "sales", url: dovecot.url()),
        MailboxEntry(name: "info", url: dovecot.url(), user: "info", passwordFile: "imap-info"),
      ], passwords: ["imap-sales": "secret", "imap-info": "wrong"])
    defer { daemon.remove() }
    let poll = try daemon.cli(["poll"])
    #expect(poll.status == 1)
    #expect(poll.output.contains("sales: 1 fetched: 1 new"), "\(poll.output)")
    #expect(poll.output.contains("info: failing"), "\(poll.output)")
    #expect(poll.output.contains("IMAP login rejected"), "\(poll.output)")

    try await daemon.start()
    var status = try daemon.cli(["status"])
    for _ in 0..<100 where !status.output.contains("info: failing") {
      try await Task.sleep(for: .milliseconds(100))
      status = try daemon.cli(["status"])
    }
    #expect(status.status == 1)
    #expect(status.output.contains("info: failing since"), "\(status.output)")
    #expect(status.output.contains("sales: ok"), "\(status.output)")
    #expect(try await daemon.get("/health/ready").0 == 200)
    #expect(try await daemon.postLead(#"{"email":"web@example.ru"}"#).status == 201)
    let metrics = try await daemon.get("/metrics").1
    #expect(metrics.contains(#"inlet_imap_failing{mailbox="info"} 1"#), "\(metrics)")
    #expect(
      metrics.contains(#"inlet_inquiries_created_total{channel="site",kind="form"} 1"#),
      "\(metrics)")
  }
  @Test("kill -9 during a 5,000-letter first sync: after a restart every letter exactly once")
  func killDuringFirstSync() async throws {
    let dovecot = try DovecotServer()
    defer { dovecot.cleanUp() }
    try dovecot.dropLetters((1...5000).map { leadLetter($0) })
    let daemon = try mailDaemon(
      [MailboxEntry(name: "sales", url: dovecot.url())], passwords: ["imap-sales": "secret"])
    defer { daemon.remove() }
    try await daemon.start()
    var before = 0
    let firstChunk = ContinuousClock.now + .seconds(60)
    while ContinuousClock.now < firstChunk {
      before = try newInquiries(daemon)
      if before > 0 { break }
      try await Task.sleep(for: .milliseconds(10))
    }
    daemon.kill9()
    #expect(before > 0 && before < 5000, "killed after \(before) letters")
    try await daemon.start()
    // SIGTERM while it catches up: the pass stops between chunks, cleanly, within the bound
    // (one chunk's normalising, on low-priority threads of a debug build, on a busy machine).
    try #require(try await eventually(seconds: 120) { try newInquiries(daemon) > before })
    let stopping = ContinuousClock.now
    #expect(daemon.stop() == 0)
    #expect(ContinuousClock.now - stopping < .seconds(60))
    try await daemon.start()
    // By the clock, generously: the sync runs beside every other live test.
    _ = try await eventually(seconds: 300) { try newInquiries(daemon) >= 5000 }
    try await Task.sleep(for: .milliseconds(300))
    #expect(try newInquiries(daemon) == 5000)
    let ids = try InletDatabase(path: daemon.databasePath).listSync(.new, limit: 10_000)
      .compactMap(\.source.messageID)
    #expect(Set(ids).count == 5000)
  }

  @Test("Dovecot stopped mid-fetch and restarted: nothing lost or doubled")
  func serverRestart() async throws {
    let dovecot = try DovecotServer()
    defer { dovecot.cleanUp() }
    try dovecot.dropLetters((1...3000).map { leadLetter($0) })
    // Through a slow link (the folder's 1.4 MB take about 7 s), so that the server stops while
    // letters are being fetched, not after the last one came.
    let relay = try IMAPCommandRelay(toPort: dovecot.port, serverBytesPerSecond: 200_000)
    defer { relay.close() }
    let daemon = try mailDaemon(
      [MailboxEntry(name: "sales", url: "imap://127.0.0.1:\(relay.port)/INBOX")],
      passwords: ["imap-sales": "secret"])
    defer { daemon.remove() }
    try await daemon.start()
    _ = try await eventually(seconds: 60) { try newInquiries(daemon) > 0 }
    dovecot.crash()
    let during = try newInquiries(daemon)
    try await Task.sleep(for: .milliseconds(1500))
    try dovecot.start()
    // The reconnect backoff (up to 8 s) and the rest of the sync, by the clock.
    _ = try await eventually(seconds: 300) { try newInquiries(daemon) >= 3000 }
    try await Task.sleep(for: .milliseconds(300))
    #expect(during < 3000, "the server was stopped after \(during) letters")
    #expect(try newInquiries(daemon) == 3000, "\(daemon.log().suffix(2000))")
    #expect(daemon.log().contains("reconnecting"))
  }

  /// Chunks are stored while the next ones are normalised; a chunk's store must not commit
  /// (and advance the cursor past) an earlier chunk that failed, or that chunk's letters would
  /// never be fetched again. The second chunk's commit is made to fail by a trigger on the
  /// cursor (as a full disk would fail it); the third must then not be stored either.
  @Test("a chunk whose commit fails stops the later ones; the next pass stores every letter once")
  func failedChunkCommit() async throws {
    let dovecot = try DovecotServer()
    defer { dovecot.cleanUp() }
    try dovecot.dropLetters((1...1_200).map { leadLetter($0) })
    let daemon = try mailDaemon(
      [MailboxEntry(name: "sales", url: dovecot.url())], passwords: ["imap-sales": "secret"])
    defer { daemon.remove() }
    try InletDatabase(path: daemon.databasePath).migrate()
    let queue = try DatabaseQueue(path: daemon.databasePath)
    try await queue.write { db in
      for event in ["INSERT", "UPDATE"] {
        try db.execute(
          sql: """
            CREATE TRIGGER test_full_disk_\(event) BEFORE \(event) ON imap_cursors
            WHEN NEW.last_uid > 500 AND NEW.last_uid <= 1000
            BEGIN SELECT RAISE(ABORT, 'the disk is full (test)'); END
            """)
      }
    }
    // Chunks of 500: UIDs 1–500 commit, 501–1000 fail, 1001–1200 wait on them and fail too.
    let failing = try daemon.cli(["poll"])
    #expect(failing.status != 0)
    #expect(failing.output.contains("failing"), "\(failing.output)")
    #expect(failing.output.contains("the disk is full (test)"), "\(failing.output)")
    func stored() async throws -> (letters: Int, cursor: Int64?) {
      try await queue.read { db in
        (
          try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM raw_items") ?? 0,
          try Int64.fetchOne(db, sql: "SELECT last_uid FROM imap_cursors")
        )
      }
    }
    let afterFailure = try await stored()
    #expect(afterFailure.letters == 500)
    #expect(afterFailure.cursor == 500)

    try await queue.write { db in
      try db.execute(sql: "DROP TRIGGER test_full_disk_INSERT")
      try db.execute(sql: "DROP TRIGGER test_full_disk_UPDATE")
    }
    let again = try daemon.cli(["poll"])
    #expect(again.status == 0, "\(again.output) \(again.error)")
    #expect(again.output.contains("700 fetched: 700 new"), "\(again.output)")
    let afterRetry = try await stored()
    #expect(afterRetry.letters == 1_200)
    #expect(afterRetry.cursor == 1_200)
    #expect(try newInquiries(daemon) == 1_200)
    let ids = try InletDatabase(path: daemon.databasePath).listSync(.new, limit: 10_000)
      .compactMap(\.source.messageID)
    #expect(Set(ids).count == 1_200)
  }

  @Test("imaps:// with a self-signed certificate: accepted with ca_file, refused without")
  func implicitTLS() async throws {
    let dovecot = try DovecotServer(tls: true)
    defer { dovecot.cleanUp() }
    try dovecot.dropLetters([leadLetter(1)])
    let certificate = try #require(dovecot.certificateFile)
    let daemon = try mailDaemon(
      [
        MailboxEntry(
          name: "trusted", url: dovecot.imapsURL(), extra: "    ca_file: \(certificate)"),
        MailboxEntry(name: "untrusted", url: dovecot.imapsURL()),
        MailboxEntry(
          name: "starttls", url: dovecot.starttlsURL(),
          extra: "    ca_file: \(certificate)"),
      ], passwords: ["imap-sales": "secret"])
    defer { daemon.remove() }
    // imaps:// takes no `tls:`; STARTTLS is the imap:// default.
    var config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    config = config.replacingOccurrences(of: "    tls: none\n", with: "")
    try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    let poll = try daemon.cli(["poll"])
    #expect(poll.status == 1)
    #expect(poll.output.contains("trusted: 1 fetched: 1 new"), "\(poll.output)")
    #expect(
      poll.output.contains("starttls: 1 fetched: 0 new, 0 continuations, 1 duplicates"),
      "\(poll.output)")
    #expect(poll.output.contains("untrusted: failing"), "\(poll.output)")
    #expect(try newInquiries(daemon) == 1)
  }
}
