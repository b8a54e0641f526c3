import Foundation
import InletMail
import InletStore
import Testing

@testable import InletDaemon

/// `oauth2_token_command`: its output is the token; a stuck command is killed, not waited on.
@Suite("OAuth2 token command")
struct TokenCommandTests {
  @Test("the trimmed standard output is the token; a failing or silent command is an error")
  func output() throws {
    #expect(try MailboxPoller.run("printf '  ya29.token\\n'") == "ya29.token")
    #expect(throws: MailboxError.self) { try MailboxPoller.run("exit 3") }
    #expect(throws: MailboxError.self) { try MailboxPoller.run("true") }
  }

  /// What a failing helper says is the error's detail, for the log and `inlet poll`: the
  /// administrator sees why, not only an exit status — but not on `/health`, which anyone who
  /// reaches the listener reads (a helper may print a secret).
  @Test func failureSaysWhy() throws {
    #expect {
      try MailboxPoller.run("echo 'refresh token expired' >&2; echo second line >&2; exit 2")
    } throws: { error in
      "\(error)" == "oauth2_token_command exited with 2 (its error output is in the log)"
        && (error as? MailboxError)?.detail == "refresh token expired / second line"
    }
    #expect {
      try MailboxPoller.run("head -c 5000 /dev/zero | tr '\\0' x >&2; exit 1")
    } throws: { error in
      let detail = (error as? MailboxError)?.detail ?? ""
      return detail.count < 400 && detail.hasSuffix("x…")
    }
  }

  /// A helper named by a relative path runs from the config's folder (systemd starts the
  /// service in `/`), as the mailbox's settings give it.
  @Test func runsInTheConfigFolder() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-token-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let helper = folder.appendingPathComponent("token-helper")
    try "#!/bin/sh\necho ya29.from-helper\n".write(to: helper, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: helper.path)
    #expect(try MailboxPoller.run("./token-helper", in: folder.path) == "ya29.from-helper")
    #expect(throws: MailboxError.self) { try MailboxPoller.run("./token-helper") }
  }

  @Test("a command that does not finish is killed after the timeout")
  func stuck() async throws {
    let started = ContinuousClock.now
    #expect {
      try MailboxPoller.run("sleep 5", timeout: 0.5)
    } throws: { error in
      "\(error)".contains("did not finish")
    }
    #expect(ContinuousClock.now - started < .seconds(5))
    // A command that started a child of its own fails the same way.
    #expect(throws: MailboxError.self) {
      try MailboxPoller.run("sleep 4 & sleep 5; echo done", timeout: 0.5)
    }
    // One that reads its standard input gets end-of-file, not a wait for a terminal.
    #expect(throws: MailboxError.self) { try MailboxPoller.run("read line", timeout: 5) }
  }
}

/// How a pass cuts the UIDs it fetches into chunks (each is held in memory several times over).
@Suite("Mail chunks")
struct MailChunkTests {
  @Test("chunks end at the letter count or the byte budget, whichever comes first")
  func bounded() {
    let uids = Array(UInt32(1)...UInt32(1200))
    let small = Dictionary(uniqueKeysWithValues: uids.map { ($0, 4_000) })
    let byCount = MailboxPoller.chunks(
      uids, sizes: small, maxCount: 500, maxBytes: 32 << 20, messageLimit: 25 << 20)
    #expect(byCount.map(\.count) == [500, 500, 200])
    #expect(byCount.flatMap { $0 } == uids)
    // 20 MB attachments: one per chunk (two would pass 32 MB), not 500 (10 GB).
    let large = Dictionary(uniqueKeysWithValues: uids.prefix(5).map { ($0, 20 << 20) })
    let byBytes = MailboxPoller.chunks(
      Array(uids.prefix(5)), sizes: large, maxCount: 500, maxBytes: 32 << 20,
      messageLimit: 25 << 20)
    #expect(byBytes == [[1], [2], [3], [4], [5]])
    // Over max_message_bytes only the headers are fetched: they cost little.
    let oversized = MailboxPoller.chunks(
      Array(uids.prefix(5)), sizes: large, maxCount: 500, maxBytes: 32 << 20,
      messageLimit: 10 << 20)
    #expect(oversized == [[1, 2, 3, 4, 5]])
    // A letter larger than the budget is a chunk of its own; a UID with no size rides along.
    let mixed = MailboxPoller.chunks(
      [1, 2, 3, 4], sizes: [1: 1_000, 2: 40 << 20, 4: 1_000], maxCount: 500,
      maxBytes: 32 << 20, messageLimit: 50 << 20)
    #expect(mixed == [[1], [2], [3, 4]])
  }
}

/// A letter the server listed but would not give (`BODY[] NIL`) is kept, each under its own key.
@Suite("Unfetchable letters")
struct UnfetchableLetterTests {
  @Test("kept quarantined with the UID and size, never a duplicate of another such letter")
  func keptApart() {
    let builder = MailItemBuilder(mailbox: "sales", folder: "INBOX", options: MailOptions())
    let first = builder.item(
      uid: 7, bytes: [], size: 2_048, internalDate: nil, headersOnly: false)
    let second = builder.item(
      uid: 8, bytes: [], size: 2_048, internalDate: nil, headersOnly: false)
    #expect(first.key.hasPrefix("mail-unfetchable:sales/INBOX/7/"))
    #expect(first.key != second.key)
    guard case .quarantined(let reason, _) = first.outcome else {
      Issue.record("expected quarantined, got \(first.outcome)")
      return
    }
    #expect(reason.contains("no body for UID 7"))
    #expect(first.transport.contains("\"uid\":7"))
  }
}

/// `mail.allow_senders` lifts the per-sender limit: a marketplace's robot sends every lead.
@Suite("Allowed senders and the rate limit")
struct AllowedSenderLimitTests {
  @Test("a letter from an allowed sender carries no rate-limit key; another one does")
  func allowedSendersAreNotLimited() {
    let raw = Array(
      "From: Маркетплейс <leads@market.example>\r\nSubject: Новый заказ\r\n\r\nТел. +7 916 123-45-67\r\n"
        .utf8)
    let allowed = MailItemBuilder(
      mailbox: "sales", folder: "INBOX",
      options: MailOptions(allowSenders: ["leads@market.example"]))
    let plain = MailItemBuilder(mailbox: "sales", folder: "INBOX", options: MailOptions())
    #expect(
      allowed.item(uid: 1, bytes: raw, size: raw.count, internalDate: nil, headersOnly: false)
        .sender == nil)
    #expect(
      plain.item(uid: 1, bytes: raw, size: raw.count, internalDate: nil, headersOnly: false)
        .sender == "leads@market.example")
  }
}

/// A callback form (a name and a phone, from the site's robot) is the visitor's inquiry.
@Suite("Form letters without the visitor's address")
struct AddresslessFormTests {
  @Test("no sender address (not the robot's); named from the form; limited by its phone")
  func callbackForm() {
    let builder = MailItemBuilder(
      mailbox: "sales", folder: "INBOX", options: MailOptions(ownAddresses: ["@example.ru"]))
    let letter = [
      "From: noreply@example.ru", "To: sales@example.ru", "Subject: Заказ обратного звонка",
      "Message-ID: <cb1@example.ru>", "Content-Type: text/plain; charset=utf-8", "",
      "Имя: Иван", "Телефон: +7 916 222-33-44", "",
    ].joined(separator: "\r\n")
    let item = builder.item(
      uid: 1, bytes: Array(letter.utf8), size: letter.utf8.count, internalDate: nil,
      headersOnly: false)
    guard case .inquiry(let inquiry, _, _) = item.outcome else {
      Issue.record("expected an inquiry, got \(item.outcome)")
      return
    }
    #expect(inquiry.sender.email == nil)
    #expect(inquiry.sender.name == "Иван")
    #expect(inquiry.sender.phone == "+79162223344")
    #expect(item.sender == "+79162223344", "the rate limit counts this visitor, not the robot")
  }
}

/// A letter without a Message-ID is the same letter in every mailbox it was sent to.
@Suite("Letters without a Message-ID")
struct AuthoredKeyTests {
  static func copy(
    deliveredTo user: String, received: String,
    date: String? = "Date: Sun, 29 Nov 2026 10:00:00 +0300"
  ) -> [UInt8] {
    let lines =
      [
        "Return-Path: <robot@shop.ru>", "Delivered-To: \(user)@example.ru",
        "Received: from mx.example.ru by imap.example.ru; \(received)",
        "X-Spam-Score: \(user.count)", "From: Иван <ivan@client.ru>", "To: sales@example.ru,",
        " info@example.ru", "Subject: Счёт",
      ] + (date.map { [$0] } ?? []) + [
        "Content-Type: text/plain; charset=utf-8", "", "Нужен счёт на 5 стульев.", "", "",
      ]
    return Array(lines.joined(separator: "\r\n").utf8)
  }

  @Test("copies that differ in their trace fields share a key; another letter does not")
  func traceFieldsIgnored() {
    let sales = MailItemBuilder.key(
      messageID: nil, bytes: Self.copy(deliveredTo: "sales", received: "10:00:01"))
    let info = MailItemBuilder.key(
      messageID: nil, bytes: Self.copy(deliveredTo: "info", received: "10:00:03"))
    #expect(sales.key.hasPrefix("mail-content:"))
    #expect(sales.key == info.key)
    #expect(sales.earlier != info.earlier, "the whole bytes differ")
    #expect(sales.earlier?.hasPrefix("mail-sha256:") == true)
    // Stored by LF-only tooling: the same letter.
    let lf = Array(
      String(decoding: Self.copy(deliveredTo: "sales", received: "x"), as: UTF8.self)
        .replacingOccurrences(of: "\r\n", with: "\n").utf8)
    #expect(MailItemBuilder.key(messageID: nil, bytes: lf).key == sales.key)
    // Another date, or another text, is another letter.
    let later = Self.copy(
      deliveredTo: "sales", received: "x", date: "Date: Sun, 29 Nov 2026 10:05:00 +0300")
    #expect(MailItemBuilder.key(messageID: nil, bytes: later).key != sales.key)
    let other = Array(
      String(decoding: Self.copy(deliveredTo: "sales", received: "x"), as: UTF8.self)
        .replacingOccurrences(of: "5 стульев", with: "6 стульев").utf8)
    #expect(MailItemBuilder.key(messageID: nil, bytes: other).key != sales.key)
    // Without a Date the same words could be a later letter: all the bytes count.
    let undated = MailItemBuilder.key(
      messageID: nil, bytes: Self.copy(deliveredTo: "sales", received: "x", date: nil))
    #expect(undated.key.hasPrefix("mail-sha256:"))
    #expect(undated.earlier == nil)
    #expect(MailItemBuilder.key(messageID: "a@b", bytes: lf) == ("mail:a@b", nil))
    // A relay that folds a field elsewhere: the same letter.
    let refolded = Array(
      String(decoding: Self.copy(deliveredTo: "info", received: "y"), as: UTF8.self)
        .replacingOccurrences(
          of: "To: sales@example.ru,\r\n info@example.ru",
          with: "To: sales@example.ru, info@example.ru"
        )
        .replacingOccurrences(of: "Subject: Счёт", with: "Subject:\r\n\tСчёт").utf8)
    #expect(MailItemBuilder.key(messageID: nil, bytes: refolded).key == sales.key)
    // Only the headers fetched (over max_message_bytes): two leads could share them.
    let headers = MailItemBuilder.key(
      messageID: nil, bytes: Self.copy(deliveredTo: "sales", received: "10:00:01"),
      headersOnly: true)
    #expect(headers.key == sales.earlier)
    // A Date that names no instant does not tell letters apart.
    let broken = MailItemBuilder.key(
      messageID: nil,
      bytes: Self.copy(deliveredTo: "sales", received: "x", date: "Date: sometime"))
    #expect(broken.key.hasPrefix("mail-sha256:"))
  }

  @Test("a letter an earlier version stored under the hash of its bytes is not stored again")
  func earlierKeyRecognised() async throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-key-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let database = try InletDatabase(path: folder.appendingPathComponent("inlet.sqlite").path)
    try database.migrate()
    let builder = MailItemBuilder(mailbox: "sales", folder: "INBOX", options: MailOptions())
    let bytes = Self.copy(deliveredTo: "sales", received: "10:00:01")
    func item(uid: UInt32) -> MailItem {
      builder.item(
        uid: uid, bytes: bytes, size: bytes.count, internalDate: nil, headersOnly: false)
    }
    // As 0.13 stored it.
    var stored = item(uid: 1)
    stored.key = try #require(stored.earlierKey)
    stored.earlierKey = nil
    let first = try await database.ingestMail(
      [stored], at: MailLocation(mailbox: "sales", folder: "INBOX", uidValidity: 1), cursor: 1)
    guard case .created = first[0] else {
      Issue.record("expected created, got \(first[0])")
      return
    }
    // The folder renumbered (a new UIDVALIDITY): the same letter again, keyed as now.
    let again = try await database.ingestMail(
      [item(uid: 1)], at: MailLocation(mailbox: "sales", folder: "INBOX", uidValidity: 2),
      cursor: 1)
    guard case .duplicate = again[0] else {
      Issue.record("expected duplicate, got \(again[0])")
      return
    }
  }
}

/// Attachments past `max_attachments` or over `max_attachment_bytes` are said in the inquiry.
@Suite("Attachments left out of a letter's inquiry")
struct OmittedAttachmentTests {
  @Test("extra says how many were past the count and which were over the size")
  func leftOutAttachmentsAreSaid() {
    let builder = MailItemBuilder(
      mailbox: "sales", folder: "INBOX",
      options: MailOptions(maxAttachmentBytes: 4, maxAttachments: 2))
    var lines = [
      "From: Ольга <olga@client.example>", "Subject: Документы", "Message-ID: <att@client.example>",
      "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b", "", "--b",
      "Content-Type: text/plain; charset=utf-8", "", "Во вложении документы.",
    ]
    for (name, body) in [("big.pdf", "0123456789"), ("a.txt", "ab"), ("c.txt", "cd")] {
      lines += [
        "--b", "Content-Type: application/octet-stream",
        "Content-Disposition: attachment; filename=\"\(name)\"", "", body,
      ]
    }
    lines += ["--b--", ""]
    let letter = lines.joined(separator: "\r\n")
    let item = builder.item(
      uid: 1, bytes: Array(letter.utf8), size: letter.utf8.count, internalDate: nil,
      headersOnly: false)
    guard case .inquiry(let inquiry, _, _) = item.outcome else {
      Issue.record("expected an inquiry, got \(item.outcome)")
      return
    }
    #expect(inquiry.extra["attachments_over_limit"] == .array([.string("big.pdf")]))
    #expect(inquiry.extra["attachments_omitted"] == .number("1"))
  }
}
