import Foundation
import GRDB
import InletCore
import InletStore
import InletTestSupport
import Testing

@Suite("Mail through the whole pipeline", .serialized)
struct MailPipelineTests {
  /// A reply in the thread of `leadLetter(number)`.
  func reply(to number: Int, id: String, text: String) -> [UInt8] {
    let letter = """
      From: Ivan <ivan\(number)@client\(number).ru>
      To: sales@example.ru
      Subject: Re: Заявка
      Message-ID: <\(id)@test.inlet>
      In-Reply-To: <lead-\(number)-client@test.inlet>
      References: <lead-\(number)-client@test.inlet>
      Content-Type: text/plain; charset=utf-8

      \(text)

      > Добрый день! Нужен счёт

      """
    return Array(letter.replacingOccurrences(of: "\n", with: "\r\n").utf8)
  }

  @Test("a reply joins the new inquiry; after acceptance a reply starts a threaded one")
  func threads() async throws {
    let dovecot = try DovecotServer()
    defer { dovecot.cleanUp() }
    try dovecot.dropLetters([leadLetter(1)])
    let daemon = try mailDaemon(
      [MailboxEntry(name: "sales", url: dovecot.url())], passwords: ["imap-sales": "secret"])
    defer { daemon.remove() }
    _ = try daemon.cli(["poll"])
    try dovecot.append(reply(to: 1, id: "r1", text: "И ещё 5 столов"))
    let second = try daemon.cli(["poll"])
    #expect(second.output.contains("1 fetched: 0 new, 1 continuations"), "\(second.output)")
    let database = try InletDatabase(path: daemon.databasePath)
    let first = try #require(try database.inquirySync(id: "1"))
    #expect(first.messages.count == 1)
    #expect(first.messages.first?.text?.contains("И ещё 5 столов") == true)
    #expect(first.messages.first?.text?.contains("Нужен счёт") == false, "quoted history split")

    try await daemon.start()
    let accepted = try await daemon.api(
      .POST, "/inquiries/1/accept",
      json: #"{"action":"interaction_on_interest","client_id":"c1","interest_id":"i7"}"#)
    #expect(accepted.status == 200, "\(accepted.body)")
    daemon.stop()
    try dovecot.append(reply(to: 1, id: "r2", text: "Когда доставка?"))
    let third = try daemon.cli(["poll"])
    #expect(third.output.contains("1 fetched: 1 new"), "\(third.output)")
    let threaded = try #require(try database.inquirySync(id: "2"))
    #expect(threaded.thread?.inquiryID == "1")
    #expect(threaded.match.suggestedAction == .interactionOnInterest)
    #expect(threaded.returning)

    // Re-normalising everything with the same code changes nothing.
    let replay = try daemon.cli(["replay", "--all"])
    #expect(replay.status == 0, "\(replay.error)")
    #expect(!replay.output.contains("created"), "\(replay.output)")
    #expect(!replay.output.contains("refreshed"), "\(replay.output)")
  }

  /// An auto-reply (noise) with the sender's card attached (`card.txt`: an INN).
  static func autoReplyWithCard(messageID: String, text: String) -> String {
    """
    From: Петр <petr@client.ru>
    To: sales@example.ru
    Subject: Автоответ: Заявка
    Auto-Submitted: auto-replied
    Message-ID: <\(messageID)@test.inlet>
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="a1"

    --a1
    Content-Type: text/plain; charset=utf-8

    \(text)
    --a1
    Content-Type: text/plain; charset=utf-8; name="card.txt"
    Content-Disposition: attachment; filename="card.txt"

    ИНН 7707083893
    --a1--

    """
  }

  @Test("noise is kept ignored with its reason; an attachment is stored and served")
  func noiseAndAttachments() async throws {
    let dovecot = try DovecotServer()
    defer { dovecot.cleanUp() }
    let autoReply = Self.autoReplyWithCard(
      messageID: "auto-1", text: "Я в отпуске до понедельника. Реквизиты для счёта во вложении.")
    let file = Data("Техническое задание".utf8).base64EncodedString()
    let withFile = """
      From: Ольга <olga@romashka.ru>
      To: sales@example.ru
      Subject: =?UTF-8?B?\(Data("ТЗ на поставку".utf8).base64EncodedString())?=
      Message-ID: <file-1@test.inlet>
      MIME-Version: 1.0
      Content-Type: multipart/mixed; boundary="b1"

      --b1
      Content-Type: text/plain; charset=utf-8

      Прошу рассчитать, ТЗ во вложении.
      --b1
      Content-Type: application/pdf
      Content-Disposition: attachment; filename*=UTF-8''%D0%A2%D0%97.pdf
      Content-Transfer-Encoding: base64

      \(file)
      --b1--

      """
    try dovecot.dropLetters(
      [autoReply, withFile].map { Array($0.replacingOccurrences(of: "\n", with: "\r\n").utf8) })
    let daemon = try mailDaemon(
      [MailboxEntry(name: "sales", url: dovecot.url())], passwords: ["imap-sales": "secret"])
    defer { daemon.remove() }
    let poll = try daemon.cli(["poll"])
    #expect(poll.output.contains("2 fetched: 1 new, 0 continuations, 0 duplicates, 1 ignored"))
    let ignored = try daemon.cli(["inquiries", "list", "--status", "ignored", "--json"])
    #expect(ignored.output.contains("auto_reply"), "\(ignored.output)")

    try await daemon.start()
    let inquiry = try await daemon.api(.GET, "/inquiries/1", token: daemon.readToken)
    let attachments = try #require(inquiry.json["attachments"] as? [[String: Any]])
    #expect(attachments.first?["name"] as? String == "ТЗ.pdf")
    #expect(attachments.first?["content_type"] as? String == "application/pdf")
    let id = try #require(attachments.first?["id"] as? String)
    let download = try await daemon.download("/attachments/\(id)")
    #expect(download.status == 200)
    #expect(download.bytes == Array("Техническое задание".utf8))
    #expect(inquiry.json["subject"] as? String == "ТЗ на поставку")

    // The auto-reply was a lead after all: promoted, with the attachment read from its bytes.
    let page = try JSONSerialization.jsonObject(with: Data(ignored.output.utf8)) as? [String: Any]
    let keptID = try #require(
      (page?["items"] as? [[String: Any]])?.first?["id"] as? String, "\(ignored.output)")
    let promoted = try await daemon.api(.POST, "/inquiries/\(keptID)/promote")
    #expect(promoted.status == 201, "\(promoted.body)")
    let kept = try #require(promoted.json["attachments"] as? [[String: Any]], "\(promoted.body)")
    #expect(kept.map { $0["name"] as? String } == ["card.txt"])
    let card = try #require(kept.first?["id"] as? String)
    let cardBytes = try await daemon.download("/attachments/\(card)")
    #expect(String(decoding: cardBytes.bytes, as: UTF8.self).contains("7707083893"))
  }

  @Test("a promoted letter's attachments are read with the mail rules a reload set")
  func promotedAfterReload() async throws {
    let dovecot = try DovecotServer()
    defer { dovecot.cleanUp() }
    let autoReply = Self.autoReplyWithCard(
      messageID: "auto-2", text: "Я в отпуске. Реквизиты во вложении.")
    try dovecot.dropLetters([Array(autoReply.replacingOccurrences(of: "\n", with: "\r\n").utf8)])
    let mailbox = MailboxEntry(name: "sales", url: dovecot.url())
    // Started with attachments over 5 bytes dropped.
    let daemon = try DaemonHarness(
      extraConfig: "mail:\n  max_attachment_bytes: 5\nmailboxes:\n" + mailbox.yaml)
    defer { daemon.remove() }
    try "secret".write(
      to: daemon.folder.appendingPathComponent("credentials/imap-sales"), atomically: true,
      encoding: .utf8)
    let poll = try daemon.cli(["poll"])
    #expect(poll.output.contains("1 ignored"), "\(poll.output)\(poll.error)")
    try await daemon.start()
    // The limit raised and the daemon reloaded: the promoted letter's card comes whole.
    let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    try config.replacingOccurrences(
      of: "max_attachment_bytes: 5", with: "max_attachment_bytes: 100000"
    )
    .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    kill(try #require(daemon.process?.processIdentifier), SIGHUP)
    #expect(try await eventually { daemon.log().contains("configuration reloaded") })
    let ignored = try daemon.cli(["inquiries", "list", "--status", "ignored", "--json"])
    let page = try JSONSerialization.jsonObject(with: Data(ignored.output.utf8)) as? [String: Any]
    let keptID = try #require(
      (page?["items"] as? [[String: Any]])?.first?["id"] as? String, "\(ignored.output)")
    let promoted = try await daemon.api(.POST, "/inquiries/\(keptID)/promote")
    #expect(promoted.status == 201, "\(promoted.body)")
    let card = try #require(
      (promoted.json["attachments"] as? [[String: Any]])?.first?["id"] as? String,
      "\(promoted.body)")
    let bytes = try await daemon.download("/attachments/\(card)")
    #expect(String(decoding: bytes.bytes, as: UTF8.self).contains("7707083893"))
  }

}
