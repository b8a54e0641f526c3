import Foundation
import InletMail
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
