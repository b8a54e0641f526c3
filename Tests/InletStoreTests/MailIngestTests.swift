import Foundation
import GRDB
import InletCore
import Testing

@testable import InletStore

/// A normalised letter as the mail channel hands it to the store.
private func letter(
  uid: UInt32, messageID: String, from: String = "client@example.ru", text: String = "Нужен счёт",
  subject: String = "Запрос", references: [String] = [], files: [UploadedFile] = [],
  receivedAt: Date = Date(), arrivedAt: Date? = nil
) -> MailItem {
  let inquiry = Inquiry(
    channel: "sales", kind: .email, receivedAt: receivedAt, subject: subject, text: text,
    sender: .init(name: "Клиент", email: from), source: .init(messageID: messageID))
  return MailItem(
    uid: uid, bytes: Array("Message-ID: <\(messageID)>\r\n\r\n\(text)".utf8),
    key: "mail:\(messageID)", receivedAt: receivedAt, arrivedAt: arrivedAt,
    transport: #"{"uid":\#(uid)}"#,
    sender: from, outcome: .inquiry(inquiry, files: files, references: references))
}

@Suite("Mail ingest: cursor, duplicates, threads, rate limit")
struct MailIngestTests {
  let inbox = MailLocation(mailbox: "sales", folder: "INBOX", uidValidity: 7)

  @Test("letters become inquiries and the cursor advances in the same commit")
  func createsAndAdvances() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let results = try await temp.database.ingestMail(
      [letter(uid: 1, messageID: "a@x"), letter(uid: 2, messageID: "b@x")], at: inbox, cursor: 2)
    #expect(results.count == 2)
    guard case .created(let id, _) = results[0] else {
      Issue.record("expected created, got \(results[0])")
      return
    }
    let inquiry = try #require(try await temp.database.inquiry(id: id))
    #expect(inquiry.kind == .email)
    #expect(inquiry.channel == "sales")
    let cursor = try #require(try await temp.database.mailCursor(mailbox: "sales", folder: "INBOX"))
    #expect(cursor.uidValidity == 7)
    #expect(cursor.lastUID == 2)
    // Fetching the same UIDs again (a crash after the commit) stores nothing new.
    let again = try await temp.database.ingestMail(
      [letter(uid: 2, messageID: "b@x")], at: inbox, cursor: 2)
    guard case .alreadyStored = again[0] else {
      Issue.record("expected alreadyStored, got \(again[0])")
      return
    }
    #expect(try temp.database.countsSync().inquiries["new"] == 2)
  }

  @Test("an unfetchable letter is asked for again until 5 attempts over 6 hours, then final")
  func unfetchableGivenUp() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let database = temp.database
    let placeholder = MailItem(
      uid: 9, bytes: [], key: MailItem.unfetchableKeyPrefix + "sales/INBOX/9/120/",
      receivedAt: Date(), transport: #"{"uid":9}"#, sender: nil,
      outcome: .quarantined(reason: "unfetchable: no body", partial: nil))
    #expect(placeholder.isUnfetchable)
    // Many passes within the period: still asked for, nothing owed to the server.
    for _ in 1...7 {
      _ = try await database.ingestMail([placeholder], at: inbox, cursor: 9, owed: true)
      #expect(try await database.unfetchedMailUIDs(inbox) == [9])
    }
    #expect(try await database.owedMailUIDs(inbox, upTo: 9).isEmpty)
    #expect(try await database.mailCopies(mailbox: "sales") == 0)
    // Six hours on: the next attempt is the last; the copy is recorded, owing nothing.
    try await database.write { db in
      try db.execute(sql: "UPDATE mail_unfetched SET first_seen = first_seen - 6 * 3600 - 1")
    }
    _ = try await database.ingestMail([placeholder], at: inbox, cursor: 9, owed: true)
    #expect(try await database.unfetchedMailUIDs(inbox).isEmpty)
    #expect(try await database.mailCopies(mailbox: "sales") == 1)
    #expect(try await database.owedMailUIDs(inbox, upTo: 9).isEmpty)
    let statuses = try database.readSync { db in
      try String.fetchAll(db, sql: "SELECT status FROM raw_items")
    }
    #expect(statuses == ["quarantined"], "one placeholder, final")
    // A new UIDVALIDITY epoch drops what was still to be asked for under the old UIDs.
    _ = try await database.ingestMail(
      [
        MailItem(
          uid: 3, bytes: [], key: MailItem.unfetchableKeyPrefix + "sales/INBOX/3/80/",
          receivedAt: Date(), transport: #"{"uid":3}"#, sender: nil,
          outcome: .quarantined(reason: "unfetchable: no body", partial: nil))
      ],
      at: inbox, cursor: 9)
    #expect(try await database.unfetchedMailUIDs(inbox) == [3])
    let renumbered = MailLocation(mailbox: "sales", folder: "INBOX", uidValidity: 8)
    try await database.setMailCursor(renumbered, lastUID: 0)
    #expect(try await database.unfetchedMailUIDs(inbox).isEmpty)
  }

  @Test("the same letter in another mailbox or a new UIDVALIDITY epoch is linked, not stored")
  func duplicatesAcrossMailboxes() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let first = try await temp.database.ingestMail(
      [letter(uid: 5, messageID: "same@x")], at: inbox, cursor: 5)
    let info = MailLocation(mailbox: "info", folder: "INBOX", uidValidity: 1)
    let second = try await temp.database.ingestMail(
      [letter(uid: 9, messageID: "same@x")], at: info, cursor: 9)
    let epoch = MailLocation(mailbox: "sales", folder: "INBOX", uidValidity: 8)
    let third = try await temp.database.ingestMail(
      [letter(uid: 1, messageID: "same@x")], at: epoch, cursor: 1)
    guard case .created(let inquiryID, let rawID) = first[0] else {
      Issue.record("expected created, got \(first[0])")
      return
    }
    #expect(second[0] == .duplicate(rawID: rawID, inquiryID: inquiryID))
    #expect(third[0] == .duplicate(rawID: rawID, inquiryID: inquiryID))
    #expect(try await temp.database.mailCopies(mailbox: "info") == 1)
    #expect(try temp.database.countsSync().inquiries["new"] == 1)
    // A new epoch replaces the cursor even with a lower UID.
    let cursor = try await temp.database.mailCursor(mailbox: "sales", folder: "INBOX")
    #expect(cursor?.uidValidity == 8)
    #expect(cursor?.lastUID == 1)
  }

  @Test("a reply joins a new inquiry, and starts a threaded one after acceptance")
  func threads() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    // The first letter names the company without its INN.
    var rootLetter = letter(uid: 1, messageID: "root@x")
    guard case .inquiry(var rootDraft, let rootFiles, let rootReferences) = rootLetter.outcome
    else { return }
    rootDraft.company = Inquiry.Company(name: "ООО Ромашка")
    rootLetter.outcome = .inquiry(rootDraft, files: rootFiles, references: rootReferences)
    let first = try await temp.database.ingestMail([rootLetter], at: inbox, cursor: 1)
    guard case .created(let rootID, let rootRawID) = first[0] else {
      Issue.record("expected created, got \(first[0])")
      return
    }
    // The reply brings the requisites the first letter lacked; a colleague's reply-all does
    // not lend the client its phone.
    var withRequisites = letter(
      uid: 2, messageID: "reply@x", text: "И ещё вопрос", references: ["root@x"])
    if case .inquiry(var draft, let files, let references) = withRequisites.outcome {
      draft.company = Inquiry.Company(name: "ООО Ромашка", inn: "7707083893")
      draft.sender.phone = "+79161234567"
      withRequisites.outcome = .inquiry(draft, files: files, references: references)
    }
    var colleague = letter(
      uid: 4, messageID: "cc@x", from: "partner@other.ru", text: "Нам тоже",
      references: ["root@x"])
    if case .inquiry(var draft, let files, let references) = colleague.outcome {
      draft.sender.phone = "+79035550000"
      colleague.outcome = .inquiry(draft, files: files, references: references)
    }
    let reply = try await temp.database.ingestMail(
      [withRequisites, colleague], at: inbox, cursor: 4)
    guard case .continued(let continued, _) = reply[0] else {
      Issue.record("expected continued, got \(reply[0])")
      return
    }
    #expect(continued == rootID)
    let root = try #require(try await temp.database.inquiry(id: rootID))
    #expect(root.messages.map(\.text) == ["И ещё вопрос", "Нам тоже"])
    #expect(root.company?.inn == "7707083893")
    #expect(root.sender.phone == "+79161234567")
    // `inlet replay --all` re-reads the first letter (a name, no INN): what the reply added
    // stays.
    _ = try await temp.database.applyReplay(
      rawID: try #require(Int64(rootRawID)),
      outcome: .inquiry(rootDraft, files: [], references: []))
    let replayed = try #require(try await temp.database.inquiry(id: rootID))
    #expect(replayed.company == Inquiry.Company(name: "ООО Ромашка", inn: "7707083893"))
    #expect(replayed.sender.phone == "+79161234567")

    _ = try await temp.database.apply(
      .accept(
        action: .interactionOnInterest, clientID: "c1", contactID: nil, interestID: "i9",
        comment: nil),
      to: rootID, by: "crm")
    let later = try await temp.database.ingestMail(
      [letter(uid: 5, messageID: "later@x", references: ["root@x", "reply@x"])],
      at: inbox, cursor: 5)
    guard case .created(let newID, _) = later[0] else {
      Issue.record("expected created, got \(later[0])")
      return
    }
    let threaded = try #require(try await temp.database.inquiry(id: newID))
    #expect(threaded.thread?.inquiryID == rootID)
    #expect(threaded.match.suggestedAction == .interactionOnInterest)
    #expect(threaded.match.interestIDs.contains("i9"))
    #expect(threaded.returning)
    // The directory does not know the sender: the client is the one the manager accepted for.
    #expect(threaded.match.clientID == "c1")
    #expect(threaded.match.potentialClient == false)

    // A directory change matches the still-new threaded inquiry again: what the thread says
    // stays (the sender now matches a contact of c1 with no open interest of its own).
    let (_, rematched) = try await temp.database.upsertDirectory(
      .contact(
        DirectoryContact(id: "p3", clientID: "c1", name: "Клиент", emails: ["client@example.ru"])))
    #expect(rematched.rematched == 1)
    let after = try #require(try await temp.database.inquiry(id: newID))
    #expect(after.match.contactID == "p3")
    #expect(after.match.suggestedAction == .interactionOnInterest)
    #expect(after.match.interestIDs == ["i9"])
    #expect(after.thread?.inquiryID == rootID)

    // The CRM closes the deal: the thread no longer suggests an interaction on it (the
    // sender is matched as any: a known contact of c1, which has no open interest).
    let (_, closing) = try await temp.database.upsertDirectory(
      .interest(DirectoryInterest(id: "i9", clientID: "c1", status: .closed)))
    #expect(closing.rematched == 1)
    let closed = try #require(try await temp.database.inquiry(id: newID))
    #expect(closed.match.suggestedAction == .existingContact)
    #expect(closed.match.interestIDs.isEmpty)
    #expect(closed.match.clientID == "c1", "the client the manager accepted the thread for")
    #expect(closed.thread?.inquiryID == rootID, "still shown as a continuation")
    #expect(closed.returning)

    // A thread's interest is listed first, before the client's other open ones.
    _ = try await temp.database.upsertDirectory(
      .interest(DirectoryInterest(id: "i9", clientID: "c1", status: .open)))
    _ = try await temp.database.upsertDirectory(
      .interest(
        DirectoryInterest(
          id: "i10", clientID: "c1", status: .open, updatedAt: Date().addingTimeInterval(60))))
    let reopened = try #require(try await temp.database.inquiry(id: newID))
    #expect(reopened.match.interestIDs == ["i9", "i10"], "\(reopened.match)")

    // A person of another client replies to the thread (they were in copy): the directory
    // says who they are, and Ромашка's deal is not suggested for Лютик.
    _ = try await temp.database.upsertDirectory(.client(DirectoryClient(id: "c2", name: "Лютик")))
    _ = try await temp.database.upsertDirectory(
      .contact(DirectoryContact(id: "p8", clientID: "c2", name: "Пётр", emails: ["petr@lutik.ru"])))
    let other = try await temp.database.ingestMail(
      [letter(uid: 6, messageID: "lutik@x", from: "petr@lutik.ru", references: ["root@x"])],
      at: inbox, cursor: 6)
    guard case .created(let otherID, _) = other[0] else {
      Issue.record("expected created, got \(other[0])")
      return
    }
    let lutik = try #require(try await temp.database.inquiry(id: otherID))
    #expect(lutik.thread?.inquiryID == rootID)
    #expect(lutik.match.clientID == "c2")
    #expect(lutik.match.contactID == "p8")
    #expect(!lutik.match.interestIDs.contains("i9"), "\(lutik.match)")
    #expect(lutik.match.suggestedAction == .existingContact)

    // The decision taken back and taken again: a reply threaded to it from another address
    // (not the sender's, whose inquiries an acceptance matches again anyway) follows both times.
    let anna = try await temp.database.ingestMail(
      [letter(uid: 7, messageID: "anna@x", from: "anna@partner.ru", references: ["root@x"])],
      at: inbox, cursor: 7)
    guard case .created(let annaID, _) = anna[0] else {
      Issue.record("expected created, got \(anna[0])")
      return
    }
    #expect(try await temp.database.inquiry(id: annaID)?.match.interestIDs.first == "i9")
    _ = try await temp.database.reopen(rootID)
    let undecided = try #require(try await temp.database.inquiry(id: annaID))
    #expect(!undecided.match.interestIDs.contains("i9"), "\(undecided.match)")
    _ = try await temp.database.apply(
      .accept(
        action: .interactionOnInterest, clientID: "c1", contactID: nil, interestID: "i9",
        comment: nil),
      to: rootID, by: "crm")
    let redecided = try #require(try await temp.database.inquiry(id: annaID))
    #expect(redecided.match.interestIDs.first == "i9", "the thread's deal again")
    #expect(redecided.match.clientID == "c1")

    // A company-level match elsewhere (a domain another client lists) is no person the
    // directory knows: the thread's deal stays suggested.
    _ = try await temp.database.upsertDirectory(
      .client(DirectoryClient(id: "c9", name: "Партнёр", domains: ["partner.ru"])))
    let boss = try await temp.database.ingestMail(
      [letter(uid: 8, messageID: "boss@x", from: "boss@partner.ru", references: ["root@x"])],
      at: inbox, cursor: 8)
    guard case .created(let bossID, _) = boss[0] else {
      Issue.record("expected created, got \(boss[0])")
      return
    }
    let bossInquiry = try #require(try await temp.database.inquiry(id: bossID))
    #expect(bossInquiry.match.interestIDs.first == "i9", "\(bossInquiry.match)")
    #expect(bossInquiry.match.suggestedAction == .interactionOnInterest)
    // The deal with its own client, never another's: the domain's word is a conflict.
    #expect(bossInquiry.match.clientID == "c1", "\(bossInquiry.match)")
    #expect(bossInquiry.match.conflicts == ["domain"])
    #expect(bossInquiry.match.by.isEmpty)

    // Accepted with a deal and no client: the deal's client (the directory's i9 is c1's).
    _ = try await temp.database.reopen(rootID)
    _ = try await temp.database.apply(
      .accept(
        action: .interactionOnInterest, clientID: nil, contactID: nil, interestID: "i9",
        comment: nil),
      to: rootID, by: "crm")
    let clientless = try #require(try await temp.database.inquiry(id: annaID))
    #expect(clientless.match.interestIDs.first == "i9", "\(clientless.match)")
    #expect(clientless.match.clientID == "c1", "\(clientless.match)")
  }

  /// A client's Outlook reply names only the letter it answers (our manager's, sent from a
  /// mailbox inlet does not read): its `Re:` subject and its sender find the inquiry of the
  /// client's first letter. Another sender, another subject, or a letter that is no reply
  /// starts one of its own; after the inquiry was decided the reply is threaded to it.
  @Test func replyToAnAnswerNotSeen() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let first = try await temp.database.ingestMail(
      [letter(uid: 1, messageID: "a@client", subject: "Заявка на поставку насосов")],
      at: inbox, cursor: 1)
    guard case .created(let rootID, _) = first[0] else {
      Issue.record("expected created, got \(first[0])")
      return
    }
    let replies = try await temp.database.ingestMail(
      [
        letter(
          uid: 2, messageID: "r1@client", text: "Да, подходит",
          subject: "RE: Re:  заявка на поставку НАСОСОВ", references: ["m@manager-outlook"]),
        letter(
          uid: 3, messageID: "r2@other", from: "other@example.ru", text: "Мы тоже",
          subject: "Re: Заявка на поставку насосов", references: ["m@manager-outlook"]),
        letter(
          uid: 4, messageID: "n@client", text: "Новая тема", subject: "Заявка на поставку труб"),
        letter(
          uid: 5, messageID: "r3@client", text: "Другое", subject: "Re: Счёт на оплату",
          references: ["x@manager"]),
      ], at: inbox, cursor: 5)
    guard case .continued(let continued, _) = replies[0] else {
      Issue.record("expected continued, got \(replies[0])")
      return
    }
    #expect(continued == rootID)
    for outcome in replies.dropFirst() {
      guard case .created = outcome else {
        Issue.record("expected created, got \(outcome)")
        continue
      }
    }
    let root = try #require(try await temp.database.inquiry(id: rootID))
    #expect(root.messages.map(\.text) == ["Да, подходит"])

    _ = try await temp.database.apply(
      .accept(
        action: .existingContact, clientID: "c1", contactID: "p1", interestID: nil, comment: nil),
      to: rootID, by: "crm")
    let later = try await temp.database.ingestMail(
      [
        letter(
          uid: 6, messageID: "r4@client", text: "Когда отгрузка?",
          subject: "Ответ: Заявка на поставку насосов")
      ], at: inbox, cursor: 6)
    guard case .created(let laterID, _) = later[0] else {
      Issue.record("expected created, got \(later[0])")
      return
    }
    #expect(try await temp.database.inquiry(id: laterID)?.thread?.inquiryID == rootID)
  }

  @Test("a letter fetched after a reply to it joins the reply's inquiry: one lead, not two")
  func originalAfterItsReply() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let info = MailLocation(mailbox: "info", folder: "INBOX", uidValidity: 3)
    // The client's follow-up reached sales@ (polled first); the letter it answers, info@.
    let base = Date(timeIntervalSince1970: 1_796_000_000)
    let reply = try await temp.database.ingestMail(
      [
        letter(
          uid: 1, messageID: "follow@x", text: "Напоминаю о заявке", subject: "Re: Заявка",
          references: ["first@x"], receivedAt: base + 600)
      ], at: inbox, cursor: 1)
    guard case .created(let leadID, _) = reply[0] else {
      Issue.record("expected created, got \(reply[0])")
      return
    }
    let original = try await temp.database.ingestMail(
      [letter(uid: 9, messageID: "first@x", text: "Нужен счёт на 10 шт.", receivedAt: base)],
      at: info, cursor: 9)
    guard case .continued(let joined, _) = original[0] else {
      Issue.record("expected continued, got \(original[0])")
      return
    }
    #expect(joined == leadID)
    #expect(try temp.database.countsSync().inquiries["new"] == 1)
    let lead = try #require(try await temp.database.inquiry(id: leadID))
    #expect(lead.messages.map(\.text) == ["Нужен счёт на 10 шт."])

    // Decided already: the late original starts an inquiry threaded on it, as a reply would.
    _ = try await temp.database.ingestMail(
      [
        letter(
          uid: 2, messageID: "second-follow@x", text: "Ещё раз", subject: "Re: Другое",
          references: ["second@x"])
      ], at: inbox, cursor: 2)
    let rejectedID = String(Int(leadID)! + 1)
    _ = try await temp.database.apply(
      .reject(reason: "spam", comment: nil), to: rejectedID, by: "crm")
    let late = try await temp.database.ingestMail(
      [letter(uid: 10, messageID: "second@x", text: "Другое")], at: info, cursor: 10)
    guard case .created(let lateID, _) = late[0] else {
      Issue.record("expected created, got \(late[0])")
      return
    }
    #expect(try await temp.database.inquiry(id: lateID)?.thread?.inquiryID == rejectedID)
  }

  @Test("more letters from one sender than the limit are kept ignored as rate_limited")
  func rateLimit() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let items = (1...5).map { letter(uid: UInt32($0), messageID: "m\($0)@x") }
    let results = try await temp.database.ingestMail(
      items, at: inbox, cursor: 5, rateLimit: MailRateLimit(count: 3, window: 3600))
    #expect(results.filter { if case .created = $0 { true } else { false } }.count == 3)
    #expect(
      results.suffix(2).allSatisfy {
        $0 == .kept(rawID: $0.rawID, status: .ignored, reason: "rate_limited")
      })
    let ignored = try temp.database.listSync(.ignored)
    #expect(ignored.count == 2)
    #expect(ignored.first?.reason == "rate_limited")
    #expect(ignored.first?.sender.email == "client@example.ru")
  }

  @Test("a sender at the limit gets its letters per window, and those held back stay put")
  func rateLimitCountsLettersLetThrough() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let now = Date()
    let limit = MailRateLimit(count: 3, window: 3600)
    // A robot sending a lead a second: three taken, two held back — and owing no move.
    let first = (1...5).map {
      letter(
        uid: UInt32($0), messageID: "r\($0)@x", receivedAt: now.addingTimeInterval(10),
        arrivedAt: now.addingTimeInterval(Double($0)))
    }
    let results = try await temp.database.ingestMail(
      first, at: inbox, cursor: 5, rateLimit: limit, owed: true)
    #expect(results.map(\.isRateLimited) == [false, false, false, true, true])
    #expect(try await temp.database.owedMailUIDs(inbox, upTo: 5) == [1, 2, 3])
    // Its copy in another mailbox (the same Message-ID) is held back and left there too.
    let info = MailLocation(mailbox: "info", folder: "INBOX", uidValidity: 9)
    let copy = try await temp.database.ingestMail(
      [
        letter(
          uid: 40, messageID: "r5@x", receivedAt: now.addingTimeInterval(10),
          arrivedAt: now.addingTimeInterval(5))
      ], at: info, cursor: 40, rateLimit: limit, owed: true)
    #expect(copy.first?.isRateLimited == true, "\(copy)")
    #expect(try await temp.database.owedMailUIDs(info, upTo: 40).isEmpty)
    // An hour after the first was taken, the next one is taken: the held-back ones do not
    // count (they did, and the sender stayed shut out for as long as it kept writing).
    let later = try await temp.database.ingestMail(
      [
        letter(
          uid: 6, messageID: "r6@x", receivedAt: now.addingTimeInterval(3610),
          arrivedAt: now.addingTimeInterval(3601.5))
      ], at: inbox, cursor: 6, rateLimit: limit, owed: true)
    #expect(later.first?.isRateLimited == false, "\(later)")
  }

  @Test("the rate limit counts letters by their arrival: a backlog fetched at once is no flood")
  func rateLimitByArrival() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let now = Date()
    // Six letters over three days (the daemon was down, or a first sync of old mail), all
    // fetched now; then three within ten minutes today.
    let backlog = (1...6).map {
      letter(
        uid: UInt32($0), messageID: "b\($0)@x", receivedAt: now,
        arrivedAt: now.addingTimeInterval(-Double(7 - $0) * 12 * 3600))
    }
    let burst = (7...9).map {
      letter(
        uid: UInt32($0), messageID: "b\($0)@x", receivedAt: now,
        arrivedAt: now.addingTimeInterval(Double($0 - 10) * 200))
    }
    let results = try await temp.database.ingestMail(
      backlog + burst, at: inbox, cursor: 9, rateLimit: MailRateLimit(count: 3, window: 3600))
    let created = results.map { if case .created = $0 { true } else { false } }
    // The backlog letters are half a day apart and the newest 12 h old: none shares the
    // burst's hour, so all nine are inquiries (counted by fetch time, six were rate_limited).
    #expect(created == [true, true, true, true, true, true, true, true, true], "\(results)")
    // A fourth within the hour is one too many.
    let fourth = try await temp.database.ingestMail(
      [letter(uid: 10, messageID: "b10@x", receivedAt: now, arrivedAt: now)], at: inbox,
      cursor: 10, rateLimit: MailRateLimit(count: 3, window: 3600))
    #expect(fourth == [.kept(rawID: fourth[0].rawID, status: .ignored, reason: "rate_limited")])
  }

  @Test("noise and unparseable letters are kept raw with their reason")
  func keptRaw() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    var bounce = letter(uid: 1, messageID: "bounce@x")
    bounce.outcome = .ignored(reason: "bounce", partial: nil)
    var broken = letter(uid: 2, messageID: "broken@x")
    broken.outcome = .quarantined(reason: "no header block", partial: nil)
    let results = try await temp.database.ingestMail([bounce, broken], at: inbox, cursor: 2)
    #expect(results[0] == .kept(rawID: results[0].rawID, status: .ignored, reason: "bounce"))
    #expect(
      results[1]
        == .kept(rawID: results[1].rawID, status: .quarantined, reason: "no header block"))
    #expect(try temp.database.listSync(.quarantined).count == 1)
    #expect(try await temp.database.mailCursor(mailbox: "sales", folder: "INBOX")?.lastUID == 2)
  }

  @Test("a letter the store refuses is quarantined alone; the chunk's others are stored once")
  func failingLetterAlone() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    // The writer connection refuses one letter's normalised row (as a broken constraint would).
    try await refuseNormalised("bad@x", in: temp, with: "ABORT, 'refused for the test'")
    let results = try await temp.database.ingestMail(
      [
        letter(uid: 1, messageID: "a@x"), letter(uid: 2, messageID: "bad@x"),
        letter(uid: 3, messageID: "c@x"),
      ], at: inbox, cursor: 3)
    #expect(results.count == 3)
    guard case .created = results[0], case .created = results[2] else {
      Issue.record("expected the others created, got \(results)")
      return
    }
    guard case .kept(_, let status, let reason) = results[1] else {
      Issue.record("expected the refused letter kept, got \(results[1])")
      return
    }
    #expect(status == .quarantined)
    #expect(reason?.hasPrefix("store_failed:") == true)
    let counts = try temp.database.countsSync()
    #expect(counts.inquiries["new"] == 2)
    let rows = try temp.database.readSync { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM raw_items") ?? 0
    }
    #expect(rows == 3)
    #expect(try await temp.database.mailCursor(mailbox: "sales", folder: "INBOX")?.lastUID == 3)
  }

  @Test("a failure that rolls the transaction back stores nothing of the chunk; a later pass all")
  func rolledBackChunk() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    try await temp.database.setMailCursor(inbox, lastUID: 0)
    // As a full disk would: SQLite ends the whole transaction, not only the statement.
    try await refuseNormalised("bad@x", in: temp, with: "ROLLBACK, 'disk full, for the test'")
    let letters = [
      letter(uid: 1, messageID: "a@x"), letter(uid: 2, messageID: "bad@x"),
      letter(uid: 3, messageID: "c@x"),
    ]
    await #expect(throws: (any Error).self) {
      _ = try await temp.database.ingestMail(letters, at: inbox, cursor: 3)
    }
    let rows = {
      try temp.database.readSync { db in
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM raw_items") ?? 0
      }
    }
    // Nothing committed outside the transaction (before the fix: three quarantined rows, and
    // the retry took the letters for already stored and moved the cursor past them).
    #expect(try rows() == 0)
    #expect(try await temp.database.mailCursor(mailbox: "sales", folder: "INBOX")?.lastUID == 0)

    // Once the disk has room again, the next pass stores every letter as an inquiry.
    try await temp.database.write { db in try db.execute(sql: "DROP TRIGGER refuse_normalised") }
    let results = try await temp.database.ingestMail(letters, at: inbox, cursor: 3)
    #expect(
      results.allSatisfy {
        if case .created = $0 { return true }
        return false
      })
    #expect(try temp.database.countsSync().inquiries["new"] == 3)
    #expect(try rows() == 3)
    #expect(try await temp.database.mailCursor(mailbox: "sales", folder: "INBOX")?.lastUID == 3)
  }

  /// A full disk that fails only the statement (SQLite keeps the transaction): no fault of the
  /// letter's, so it is not quarantined for good — the chunk fails, the cursor stays, and the
  /// next pass, with room again, stores it as an inquiry.
  @Test func fullDiskIsNoStoreFailure() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    try await temp.database.setMailCursor(inbox, lastUID: 0)
    let pages = try await temp.database.write { db in
      try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
    }
    // Room for a small letter, none for one with a 2 MB attachment.
    try await temp.database.write { db in
      try db.execute(sql: "PRAGMA max_page_count = \(pages + 64)")
    }
    let big = letter(
      uid: 1, messageID: "big@x",
      files: [
        UploadedFile(
          field: "attachment", filename: "plan.pdf", contentType: "application/pdf",
          data: Array(repeating: 0x25, count: 2 << 20))
      ])
    await #expect(throws: (any Error).self) {
      _ = try await temp.database.ingestMail([big], at: inbox, cursor: 1)
    }
    let quarantined = try temp.database.readSync { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM raw_items WHERE status = 'quarantined'")
        ?? 0
    }
    #expect(quarantined == 0)
    #expect(try await temp.database.mailCursor(mailbox: "sales", folder: "INBOX")?.lastUID == 0)
    try await temp.database.write { db in
      try db.execute(sql: "PRAGMA max_page_count = 1073741823")
    }
    let results = try await temp.database.ingestMail([big], at: inbox, cursor: 1)
    guard case .created = results.first else {
      Issue.record("expected created, got \(results)")
      return
    }
  }

  /// A TEMP trigger on the writer connection: storing letter `messageID` as normalised raises
  /// `raise` (`ABORT, '…'` fails the statement, `ROLLBACK, '…'` the whole transaction).
  private func refuseNormalised(_ messageID: String, in temp: TempDatabase, with raise: String)
    async throws
  {
    try await temp.database.write { db in
      try db.execute(
        sql: """
          CREATE TEMP TRIGGER refuse_normalised BEFORE INSERT ON raw_items
          WHEN NEW.idempotency_key = 'mail:\(messageID)' AND NEW.status = 'normalised'
          BEGIN SELECT RAISE(\(raise)); END
          """)
    }
  }
}
