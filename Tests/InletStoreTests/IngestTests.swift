import Foundation
import GRDB
import InletCore
import Testing

@testable import InletStore

@Suite("Ingest: raw journal and queue")
struct IngestTests {
  @Test("a raw item and its inquiry are stored together and linked")
  func createsBoth() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let result = try await temp.database.ingest(submission(key: "site:1"))
    guard case .created(let inquiryID, let rawID) = result else {
      Issue.record("expected created, got \(result)")
      return
    }
    let inquiry = try #require(try await temp.database.inquiry(id: inquiryID))
    #expect(inquiry.id == inquiryID)
    #expect(inquiry.status == "new")
    #expect(inquiry.source.rawID == rawID)
    #expect(inquiry.returning == false)
    let raw = try temp.database.readSync { db in try RawItemRecord.fetchOne(db, key: Int64(rawID)!)
    }
    #expect(raw?.status == "normalised")
    #expect(raw?.inquiryID == Int64(inquiryID))
    #expect(String(decoding: raw?.body ?? Data(), as: UTF8.self) == #"{"name":"Иван"}"#)
    #expect(raw?.idempotencyKey == "site:1")
  }

  @Test("the created event carries the inquiry exactly as it reads back, with or without files")
  func createdEventPayload() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    // A savepoint that rolls back an inquiry (a failing write in the same group commit) must
    // not leave the next inquiry's predicted id wrong.
    await #expect(throws: (any Error).self) {
      try await temp.database.write { db in
        _ = try InletDatabase.ingest(submission(key: "rolled-back"), in: db)
        throw DatabaseError(message: "fails after the insert")
      }
    }
    let file = UploadedFile(
      field: "file", filename: "card.txt", contentType: "text/plain", data: Array("INN".utf8))
    let results = [
      try await temp.database.ingest(submission(key: "a")),
      try await temp.database.ingest(submission(key: "b", files: [file])),
      try await temp.database.ingest(submission(key: "c", phone: "+79161234567")),
    ]
    let events = try await temp.database.events(after: 0)
    #expect(events.count == 3)
    for (result, event) in zip(results, events) {
      guard case .created(let inquiryID, _) = result else {
        Issue.record("expected created, got \(result)")
        continue
      }
      #expect(event.type == .created)
      #expect(String(event.inquiryID) == inquiryID)
      let stored = try #require(try await temp.database.inquiry(id: inquiryID))
      let sent = try InquiryJSON.decoder().decode(Inquiry.self, from: Data(event.payload.utf8))
      #expect(sent == stored)
      #expect(sent.id == inquiryID)
    }
  }

  @Test("the same idempotency key answers the first ids and stores nothing new")
  func duplicate() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let first = try await temp.database.ingest(submission(key: "site:dup"))
    let second = try await temp.database.ingest(submission(key: "site:dup"))
    guard case .created(let inquiryID, let rawID) = first else {
      Issue.record("expected created, got \(first)")
      return
    }
    #expect(second == .duplicate(inquiryID: inquiryID, rawID: rawID, status: .normalised))
    let counts = try temp.database.countsSync()
    #expect(counts.inquiries["new"] == 1)
    #expect(counts.rawItems["normalised"] == 1)
  }

  @Test("quarantined and ignored inputs are kept raw without an inquiry and listed")
  func keptRaw() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let failure = HookFailure(status: 400, code: "malformed_body", message: "not JSON")
    let quarantined = try await temp.database.ingest(
      submission(key: "site:q", disposition: .quarantined(failure, partial: nil), body: "{oops"))
    let ignored = try await temp.database.ingest(
      submission(key: "site:i", disposition: .ignored("ping")))
    guard case .kept(let rawID, .quarantined) = quarantined else {
      Issue.record("expected kept quarantined, got \(quarantined)")
      return
    }
    #expect({ if case .kept(_, .ignored) = ignored { true } else { false } }())
    let counts = try temp.database.countsSync()
    #expect(counts.inquiries.isEmpty)
    #expect(counts.rawItems["quarantined"] == 1)
    #expect(counts.rawItems["ignored"] == 1)

    let listed = try temp.database.listSync(.quarantined)
    #expect(listed.count == 1)
    #expect(listed.first?.id == "r\(rawID)")
    #expect(listed.first?.status == "quarantined")
    #expect(listed.first?.reason == "malformed_body: not JSON")
    #expect(try temp.database.listSync(.all).count == 2)
    #expect(try temp.database.listSync(.new).isEmpty)
    let entry = try #require(try temp.database.inquirySync(id: "r\(rawID)"))
    #expect(entry.source.rawID == rawID)
  }

  @Test("a sender seen before makes the next inquiry returning")
  func returning() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    _ = try await temp.database.ingest(submission(email: "a@example.ru", phone: "+79161234567"))
    let byPhone = try await temp.database.ingest(submission(email: nil, phone: "+79161234567"))
    let stranger = try await temp.database.ingest(submission(email: "b@example.ru"))
    guard case .created(let returningID, _) = byPhone, case .created(let newID, _) = stranger else {
      Issue.record("expected two created inquiries")
      return
    }
    #expect(try await temp.database.inquiry(id: returningID)?.returning == true)
    #expect(try await temp.database.inquiry(id: newID)?.returning == false)
  }

  @Test(
    "a chat: a phone shared later does not make the sender returning; after a merge the window runs on"
  )
  func conversation() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    func message(_ n: Int, minutes: Double, phone: String? = nil) -> RawSubmission {
      let draft = Inquiry(
        channel: "tg", kind: .message, receivedAt: start + minutes * 60, text: "сообщение \(n)",
        sender: .init(
          name: "Иван", phone: phone, messenger: Inquiry.Messenger(network: "telegram", id: "42")))
      var item = submission(key: "tg:\(n)", disposition: .inquiry(draft))
      item.conversation = ConversationReference(
        key: "tg:42", at: start + minutes * 60, window: 1800)
      return item
    }
    guard
      case .created(let chatID, let firstRaw) = try await temp.database.ingest(
        message(1, minutes: 0))
    else {
      Issue.record("the first message makes an inquiry")
      return
    }
    _ = try await temp.database.ingest(message(2, minutes: 1, phone: "+79161234567"))
    let chat = try #require(try await temp.database.inquiry(id: chatID))
    #expect(chat.sender.phone == "+79161234567")
    #expect(chat.returning == false, "only its own messages came from this sender")
    // `inlet replay --all` re-reads the first message, which had no phone: the phone stays.
    guard case .inquiry(let firstDraft) = message(1, minutes: 0).disposition else { return }
    let replayed = try await temp.database.applyReplay(
      rawID: try #require(Int64(firstRaw)),
      outcome: .inquiry(firstDraft, files: [], references: []))
    #expect(replayed == .unchanged)
    #expect(try await temp.database.inquiry(id: chatID)?.sender.phone == "+79161234567")

    // Merged into an e-mail inquiry: the chat goes on in it, window after window.
    guard case .created(let mailID, _) = try await temp.database.ingest(submission(key: "m1"))
    else {
      Issue.record("expected a second inquiry")
      return
    }
    _ = try await temp.database.apply(.merge(into: mailID), to: chatID, by: "crm")
    for (n, minutes) in [(3, 20.0), (4, 45.0), (5, 70.0)] {
      let result = try await temp.database.ingest(message(n, minutes: minutes))
      guard case .updated(let joined, _) = result else {
        Issue.record("message \(n): expected it to join the merged inquiry, got \(result)")
        continue
      }
      #expect(joined == mailID, "message \(n)")
    }
    // The chat's own two messages came with the merge; the three later ones joined.
    let merged = try #require(try await temp.database.inquiry(id: mailID))
    #expect(
      merged.messages.map(\.text)
        == ["сообщение 1", "сообщение 2", "сообщение 3", "сообщение 4", "сообщение 5"])
  }

  /// A Telegram message of user 42 `minutes` after a fixed start, and its conversation.
  static let chatStart = Date(timeIntervalSince1970: 1_790_000_000)

  static func chatDraft(_ text: String, minutes: Double) -> Inquiry {
    Inquiry(
      channel: "tg", kind: .message, receivedAt: chatStart + minutes * 60, text: text,
      sender: .init(name: "Иван", messenger: Inquiry.Messenger(network: "telegram", id: "42")))
  }

  static func chatReference(minutes: Double) -> ConversationReference {
    ConversationReference(key: "tg:42", at: chatStart + minutes * 60, window: 1800)
  }

  @Test("a replayed chat message joins its conversation as it would have on arrival")
  func replayedChatMessage() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    var first = submission(
      key: "tg:1", disposition: .inquiry(Self.chatDraft("Здравствуйте", minutes: 0)))
    first.conversation = Self.chatReference(minutes: 0)
    guard case .created(let chatID, _) = try await temp.database.ingest(first) else {
      Issue.record("the first message makes an inquiry")
      return
    }
    // The second message could not be read on arrival (a definition fixed since).
    let failure = HookFailure(status: 400, code: "missing_fields", message: "no text")
    var second = submission(key: "tg:2", disposition: .quarantined(failure, partial: nil))
    second.conversation = Self.chatReference(minutes: 2)
    guard case .kept(let keptRaw, .quarantined) = try await temp.database.ingest(second) else {
      Issue.record("the second message is kept quarantined")
      return
    }
    let replayed = try await temp.database.applyReplay(
      rawID: try #require(Int64(keptRaw)),
      outcome: .inquiry(
        Self.chatDraft("Нужен счёт", minutes: 2), files: [], references: [],
        conversation: Self.chatReference(minutes: 2)))
    #expect(replayed == .continued)
    let chat = try #require(try await temp.database.inquiry(id: chatID))
    #expect(chat.messages.map(\.text) == ["Нужен счёт"])
    #expect(try temp.database.listSync(.new).count == 1, "no second inquiry")
    // A later message still finds the conversation.
    var third = submission(key: "tg:3", disposition: .inquiry(Self.chatDraft("Когда?", minutes: 5)))
    third.conversation = Self.chatReference(minutes: 5)
    guard case .updated(let joined, _) = try await temp.database.ingest(third) else {
      Issue.record("the third message joins the conversation")
      return
    }
    #expect(joined == chatID)
  }

  @Test("a conversation keyed before its definition scoped keys is continued by its old key")
  func unscopedConversationContinues() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    var before = submission(
      key: "tg:20", disposition: .inquiry(Self.chatDraft("Есть в наличии?", minutes: 0)))
    before.conversation = Self.chatReference(minutes: 0)
    let id = try createdID(try await temp.database.ingest(before))
    // After the upgrade: the key has the account it came to; the old one is still found.
    var after = submission(
      key: "tg:21", disposition: .inquiry(Self.chatDraft("А доставка?", minutes: 3)))
    after.conversation = ConversationReference(
      key: "tg:bot1:42", at: Self.chatStart + 180, window: 1800, unscopedKey: "tg:42")
    guard case .updated(let joined, _) = try await temp.database.ingest(after) else {
      Issue.record("the message continues the conversation stored under the old key")
      return
    }
    #expect(joined == id)
  }

  @Test("a message from long before the conversation's latest one does not join it")
  func oldMessageIsNoContinuation() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    var today = submission(
      key: "tg:10", disposition: .inquiry(Self.chatDraft("Нужна доставка", minutes: 600)))
    today.conversation = Self.chatReference(minutes: 600)
    let todayID = try createdID(try await temp.database.ingest(today))
    // Kept quarantined hours ago, its definition fixed since, replayed now.
    var old = submission(key: "tg:1", disposition: .inquiry(Self.chatDraft("Прайс?", minutes: 0)))
    old.conversation = Self.chatReference(minutes: 0)
    let oldID = try createdID(try await temp.database.ingest(old))
    #expect(oldID != todayID)
    #expect(try #require(try await temp.database.inquiry(id: todayID)).messages.isEmpty)
    // A message a few minutes older than the latest still joins it (deliveries overtake).
    var late = submission(
      key: "tg:11", disposition: .inquiry(Self.chatDraft("Адрес: Тверская 1", minutes: 595)))
    late.conversation = Self.chatReference(minutes: 595)
    guard case .updated(let joined, _) = try await temp.database.ingest(late) else {
      Issue.record("a message minutes before the latest joins it")
      return
    }
    #expect(joined == todayID)
  }

  @Test("an old message replayed after a decision does not pass for the conversation's newest")
  func replayedOldMessage() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    // The first message could not be read on arrival; the second made the inquiry, accepted.
    let failure = HookFailure(status: 400, code: "missing_fields", message: "no text")
    var first = submission(key: "tg:1", disposition: .quarantined(failure, partial: nil))
    first.conversation = Self.chatReference(minutes: 0)
    guard case .kept(let keptRaw, .quarantined) = try await temp.database.ingest(first) else {
      Issue.record("the first message is kept quarantined")
      return
    }
    var second = submission(
      key: "tg:2", disposition: .inquiry(Self.chatDraft("Есть в наличии?", minutes: 10)))
    second.conversation = Self.chatReference(minutes: 10)
    guard case .created(let chatID, _) = try await temp.database.ingest(second) else {
      Issue.record("the second message makes an inquiry")
      return
    }
    _ = try await temp.database.apply(
      .accept(
        action: .newClient, clientID: "C-1", contactID: nil, interestID: "I-1", comment: nil),
      to: chatID, by: "crm")
    // Replayed now: it continues the decided conversation as a new inquiry of its time.
    let replayed = try await temp.database.applyReplay(
      rawID: try #require(Int64(keptRaw)),
      outcome: .inquiry(
        Self.chatDraft("Здравствуйте", minutes: 0), files: [], references: [],
        conversation: Self.chatReference(minutes: 0)))
    #expect(replayed == .created)
    // The next live message continues the accepted inquiry's conversation, not the old one.
    var third = submission(key: "tg:3", disposition: .inquiry(Self.chatDraft("Беру", minutes: 12)))
    third.conversation = Self.chatReference(minutes: 12)
    guard case .created(let nextID, _) = try await temp.database.ingest(third) else {
      Issue.record("the third message starts a threaded inquiry")
      return
    }
    let next = try #require(try await temp.database.inquiry(id: nextID))
    #expect(next.thread?.inquiryID == chatID)
    #expect(next.match.suggestedAction == .interactionOnInterest)
  }

  @Test("uploaded files become the inquiry's attachments with safe names")
  func attachments() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let file = UploadedFile(
      field: "file", filename: "../../etc/Реквизиты.pdf", contentType: "application/pdf",
      data: Array("%PDF-1.4".utf8))
    let result = try await temp.database.ingest(submission(files: [file]))
    guard case .created(let inquiryID, _) = result else {
      Issue.record("expected created, got \(result)")
      return
    }
    let inquiry = try #require(try await temp.database.inquiry(id: inquiryID))
    #expect(inquiry.attachments.count == 1)
    #expect(inquiry.attachments.first?.name == "Реквизиты.pdf")
    #expect(inquiry.attachments.first?.size == 8)
    #expect(inquiry.attachments.first?.contentType == "application/pdf")
  }

  @Test("entries list oldest first")
  func order() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    for index in 0..<5 {
      _ = try await temp.database.ingest(submission(key: "site:\(index)", email: "\(index)@x.ru"))
    }
    let emails = try temp.database.listSync(.new).map { $0.sender.email ?? "" }
    #expect(emails == (0..<5).map { "\($0)@x.ru" })
  }

  @Test("the CLI's list is the API's first page: the same entries in the same order")
  func listIsFirstPage() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let failure = HookFailure(status: 400, code: "malformed_body", message: "not JSON")
    // Arrival times that do not follow the ids (a letter's time is the server's) and ties.
    let instant = Date(timeIntervalSince1970: 1_800_000_000)
    for (index, offset) in [1.0, 0, 0, 0, 4, 5].enumerated() {
      let at = instant.addingTimeInterval(offset)
      var item: RawSubmission
      if index % 2 == 0 {
        let inquiry = Inquiry(
          channel: "site", kind: .form, receivedAt: at, text: "Нужен счёт",
          sender: .init(email: "\(index)@x.ru"))
        item = submission(key: "site:\(index)", disposition: .inquiry(inquiry))
      } else {
        item = submission(key: "site:\(index)", disposition: .quarantined(failure, partial: nil))
      }
      item.receivedAt = at
      _ = try await temp.database.ingest(item)
    }
    for limit in [1, 2, 3, 4, 6, 10] {
      let listed = try temp.database.listSync(.all, limit: limit).map(\.id)
      let page = try await temp.database.page(QueueQuery(filter: .all, limit: limit)).items
      #expect(listed == page.map(\.id), "limit \(limit)")
      #expect(listed.count == min(limit, 6))
    }
    #expect(try temp.database.listSync(.all).map(\.id) == ["r2", "r4", "1", "2", "3", "r6"])
  }

  @Test("a sender's latest acceptance is the latest by its time, whatever updated an inquiry since")
  func latestAcceptanceWins() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    func lead(_ n: Int) async throws -> String {
      let result = try await temp.database.ingest(
        submission(key: "site:\(n)", email: nil, phone: "+79161112233"))
      return try #require(result.inquiryID)
    }
    func accept(_ id: String, client: String) async throws {
      try await acceptAsNewClient(id, client: client, in: temp.database)
    }
    let first = try await lead(1)
    try await accept(first, client: "K-1")
    try await Task.sleep(for: .milliseconds(1100))  // acceptances a second apart
    let second = try await lead(2)
    try await accept(second, client: "K-2")
    // The first inquiry is written again later (a late call event, a replay refresh): its
    // row's `updated_at` is then GRDB's date text, which SQLite sorts above any number.
    try await temp.database.write { db in
      try db.execute(
        sql: "UPDATE inquiries SET updated_at = ? WHERE id = ?",
        arguments: ["2099-01-01 00:00:00.000", Int64(first)])
    }
    let third = try #require(try await temp.database.inquiry(id: try await lead(3)))
    #expect(third.match.clientID == "K-2")
    #expect(third.match.acceptedInquiryID == second)
  }

  @Test("numbers in extra read back as written, also after a decision")
  func numbersInExtraKeepTheirText() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    var inquiry = Inquiry(
      channel: "site", kind: .form, receivedAt: Date(), text: "Счёт",
      sender: .init(email: "lead@example.ru"))
    inquiry.extra = [
      "price": .number("1500.50"), "ref": .number("18446744073709551616"),
      "count": .number("12"), "items": .array([.object(["weight": .number("2.50")])]),
    ]
    let id = try #require(
      try await temp.database.ingest(submission(key: "site:n", disposition: .inquiry(inquiry)))
        .inquiryID)
    func extra() async throws -> [String: Value] {
      try #require(try await temp.database.inquiry(id: id)).extra
    }
    #expect(try await extra() == inquiry.extra)
    _ = try await temp.database.apply(
      .accept(action: .newClient, clientID: "K-9", contactID: nil, interestID: nil, comment: nil),
      to: id, by: "crm")
    #expect(try await extra() == inquiry.extra)
    _ = try await temp.database.reopen(id)
    #expect(try await extra() == inquiry.extra)
  }

  @Test("`new` lists a reopened inquiry where it entered again, with the filters before the limit")
  func reopenedWithFilters() async throws {
    let temp = try TempDatabase()
    var ids: [String] = []
    for n in 0..<6 {
      var item = submission(key: "k\(n)", email: "lead\(n)@example.ru")
      if n < 3, case .inquiry(var inquiry) = item.disposition {
        inquiry.channel = "other"
        item.channel = "other"
        item.disposition = .inquiry(inquiry)
      }
      ids.append(try createdID(try await temp.database.ingest(item)))
    }
    let accept = Transition.accept(
      action: .newClient, clientID: nil, contactID: nil, interestID: nil, comment: nil)
    for id in ids.prefix(4) { _ = try await temp.database.apply(accept, to: id, by: "crm") }
    // Three of another channel reopened before the site's: more than a page of them.
    for id in ids.prefix(4) { _ = try await temp.database.reopen(id) }
    func walk(_ channel: String?, limit: Int) async throws -> [String] {
      var seen: [String] = []
      var after = QueueCursor()
      while true {
        let page = try await temp.database.page(
          QueueQuery(filter: .new, channel: channel, after: after, limit: limit))
        seen += page.items.compactMap(\.id)
        guard let next = page.next else { return seen }
        after = next
      }
    }
    #expect(try await walk("site", limit: 2) == [ids[4], ids[5], ids[3]])
    #expect(try await walk("site", limit: 1) == [ids[4], ids[5], ids[3]])
    #expect(try await walk("other", limit: 2) == [ids[0], ids[1], ids[2]])
    #expect(
      try await walk(nil, limit: 3) == [ids[4], ids[5], ids[0], ids[1], ids[2], ids[3]])
  }
}
