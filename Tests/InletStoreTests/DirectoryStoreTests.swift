import Foundation
import GRDB
import InletCore
import Testing

@testable import InletStore

/// The directory on a real SQLite file: idempotent writes, matching inside ingest, re-matching of
/// still-new inquiries, the caller lookup, and the SQLite lookup agreeing with the in-memory one.
@Suite("Directory store")
struct DirectoryStoreTests {
  static let clients = [
    DirectoryClient(
      id: "c1", name: "ООО Ромашка", inn: "7707083893", domains: ["romashka.ru"],
      phones: ["+7 495 111-22-33"]),
    DirectoryClient(id: "c2", name: "ООО Лютик", inn: "5001007329", domains: ["mail.ru"]),
    DirectoryClient(id: "c3", name: "ИП Сидоров", inn: "7707083894", potential: true),
    DirectoryClient(id: "c4", name: "Газпром", inn: "7736010018", domains: ["gazprom.ru"]),
    DirectoryClient(
      id: "c5", name: "Петров Пётр", inn: "772158349022", emails: ["petrov.home@mail.ru"],
      phones: ["+7 903 555-66-77"], person: true),
  ]
  static let contacts = [
    DirectoryContact(
      id: "p1", clientID: "c1", name: "Иван Петров", emails: ["Ivan@Romashka.ru"],
      phones: ["8 916 123-45-67"], messengers: ["telegram:1001"]),
    DirectoryContact(id: "p2", clientID: "c4", name: "Олег", phones: ["+7 916 000-00-01"]),
    DirectoryContact(id: "p3", clientID: "c4", name: "Офис 1", phones: ["+7 916 000-00-09"]),
    DirectoryContact(id: "p4", clientID: "c1", name: "Офис 2", phones: ["+7 916 000-00-09"]),
  ]
  static let interests = [
    DirectoryInterest(
      id: "i1", clientID: "c1", status: .open, updatedAt: DirectoryDate.parse("2026-10-01")),
    DirectoryInterest(
      id: "i2", clientID: "c1", status: .open, updatedAt: DirectoryDate.parse("2026-11-01")),
    DirectoryInterest(
      id: "i3", clientID: "c1", status: .closed, updatedAt: DirectoryDate.parse("2026-11-20")),
  ]

  static func loaded() async throws -> TempDatabase {
    let temp = try TempDatabase()
    _ = try await temp.database.applyDirectoryBatch(
      DirectoryBatch(clients: clients, contacts: contacts, interests: interests))
    return temp
  }

  static func inquiry(_ id: String, in database: InletDatabase) async throws -> Inquiry {
    try #require(try await database.inquiry(id: id))
  }

  @Test("writes are idempotent and read back normalised")
  func idempotentWrites() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    let record = DirectoryRecord.contact(Self.contacts[0])
    let (first, _) = try await temp.database.upsertDirectory(record)
    let (second, _) = try await temp.database.upsertDirectory(record)
    #expect(first == second)
    let stored = try await temp.database.directoryRecord(.contacts, id: "p1")
    #expect(
      stored
        == .contact(
          DirectoryContact(
            id: "p1", clientID: "c1", name: "Иван Петров", emails: ["ivan@romashka.ru"],
            phones: ["+79161234567"], messengers: ["telegram:1001"])))
    let keys = try temp.database.readSync { db in
      try Int.fetchOne(
        db,
        sql:
          "SELECT COUNT(*) FROM directory_keys WHERE record_type = 'contact' AND record_id = 'p1'")
    }
    // E-mail, phone, messenger (a person's domain is no key).
    #expect(keys == 3)
    // An update replaces the keys: the old e-mail no longer finds the contact.
    var moved = Self.contacts[0]
    moved.emails = ["ivan.new@romashka.ru"]
    _ = try await temp.database.upsertDirectory(.contact(moved))
    let emails = try temp.database.readSync { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT value FROM directory_keys
          WHERE kind = 'email' AND record_type = 'contact' AND record_id = 'p1'
          """)
    }
    #expect(emails == ["ivan.new@romashka.ru"])
    _ = try await temp.database.upsertDirectory(record)
    let client = try await temp.database.directoryRecord(.clients, id: "c3")
    guard case .client(let c3) = client else {
      Issue.record("c3 missing")
      return
    }
    #expect(c3.inn == "7707083894")
    #expect(c3.innValid == false)
    #expect(!c3.person)
    guard case .client(let c5) = try await temp.database.directoryRecord(.clients, id: "c5")
    else {
      Issue.record("c5 missing")
      return
    }
    #expect(c5.person)
    let deleted = try await temp.database.deleteDirectory(.contacts, id: "p1")
    let again = try await temp.database.deleteDirectory(.contacts, id: "p1")
    #expect(deleted.deleted["contacts"] == 1)
    #expect(again.deleted["contacts"] == 0)
    #expect(try await temp.database.directoryRecord(.contacts, id: "p1") == nil)
    let orphanKeys = try temp.database.readSync { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM directory_keys WHERE record_id = 'p1'")
    }
    #expect(orphanKeys == 0)
  }

  @Test("the suggested deal is the writer's own first: the matched contact's interests lead")
  func contactsOwnInterestFirst() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    // Ivan's deal, updated before the client's others.
    _ = try await temp.database.upsertDirectory(
      .interest(
        DirectoryInterest(
          id: "i0", clientID: "c1", contactID: "p1", status: .open,
          updatedAt: DirectoryDate.parse("2026-09-01"))))
    let ivan = try createdID(
      try await temp.database.ingest(submission(key: "k1", email: "ivan@romashka.ru")))
    #expect(
      try await Self.inquiry(ivan, in: temp.database).match.interestIDs == ["i0", "i2", "i1"])
    // A colleague of his (the domain names the client, no contact): the newest first.
    let petr = try createdID(
      try await temp.database.ingest(submission(key: "k2", email: "petr@romashka.ru")))
    #expect(
      try await Self.inquiry(petr, in: temp.database).match.interestIDs == ["i2", "i1", "i0"])
  }

  @Test("a colleague known by the domain, accepted as a new contact: his next lead has it")
  func acceptedSenderAddsToTheDirectorysClient() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    func lead(_ key: String, _ email: String) async throws -> String {
      try createdID(try await temp.database.ingest(submission(key: key, email: email)))
    }
    func lead(_ key: String, phone: String) async throws -> String {
      try createdID(
        try await temp.database.ingest(submission(key: key, email: nil, phone: phone)))
    }
    let first = try await lead("k1", "petr@romashka.ru")
    let waiting = try await lead("k2", "petr@romashka.ru")
    let before = try await Self.inquiry(waiting, in: temp.database).match
    #expect(before.clientID == "c1" && before.contactID == nil && before.by == ["domain"])
    // The manager creates his contact and a deal in the CRM; the import brings them tonight.
    let outcome = try await temp.database.apply(
      .accept(
        action: .newContactOfClient, clientID: "c1", contactID: "P-NEW", interestID: "I-NEW",
        comment: nil), to: first, by: "crm")
    guard case .changed = outcome else {
      Issue.record("not accepted: \(outcome)")
      return
    }
    // Both the one waiting and the next one: his contact, his deal first.
    let next = try await lead("k3", "petr@romashka.ru")
    for id in [waiting, next] {
      let match = try await Self.inquiry(id, in: temp.database).match
      #expect(match.clientID == "c1", "\(id)")
      #expect(match.contactID == "P-NEW", "\(id)")
      #expect(match.interestIDs == ["I-NEW", "i2", "i1"], "\(id)")
      #expect(match.suggestedAction == .interactionOnInterest)
      #expect(match.acceptedInquiryID == first)
      #expect(match.by == ["domain"], "the directory's criteria stay")
    }
    // A colleague of his is not him.
    let olga = try await Self.inquiry(try await lead("k4", "olga@romashka.ru"), in: temp.database)
    #expect(olga.match.contactID == nil && olga.match.acceptedInquiryID == nil)
    // An acceptance of another client does not overrule the directory.
    let anna = try await lead("k5", "anna@romashka.ru")
    _ = try await temp.database.apply(
      .accept(
        action: .newClient, clientID: "K-OTHER", contactID: nil, interestID: nil, comment: nil),
      to: anna, by: "crm")
    let again = try await Self.inquiry(try await lead("k6", "anna@romashka.ru"), in: temp.database)
    #expect(again.match.clientID == "c1")
    #expect(again.match.acceptedInquiryID == nil)
    #expect(again.match.interestIDs == ["i2", "i1"])
    // The company's own number (the client record's, by which the directory names it) is
    // everyone's there: the person accepted from it is not the next caller.
    let receptionist = try await lead("k7", phone: "+74951112233")
    _ = try await temp.database.apply(
      .accept(
        action: .newContactOfClient, clientID: "c1", contactID: "P-ANNA", interestID: nil,
        comment: nil), to: receptionist, by: "crm")
    let caller = try await Self.inquiry(
      try await lead("k8", phone: "+74951112233"), in: temp.database)
    #expect(caller.match.clientID == "c1" && caller.match.by == ["phone"])
    #expect(caller.match.contactID == nil, "\(caller.match)")
    #expect(caller.match.acceptedInquiryID == nil)
  }

  @Test(
    "an acceptance still counts when another of the sender's values is a switchboard, and chooses among candidates"
  )
  func acceptanceBesideASharedNumber() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    // A business centre's switchboard on 21 client cards (more than matching.max_matches).
    _ = try await temp.database.applyDirectoryBatch(
      DirectoryBatch(
        clients: (1...21).map {
          DirectoryClient(id: "bc\($0)", name: "Арендатор \($0)", phones: ["+7 495 777-00-00"])
        }, contacts: [], interests: []))
    func lead(_ key: String, email: String?, phone: String?) async throws -> String {
      try createdID(
        try await temp.database.ingest(submission(key: key, email: email, phone: phone)))
    }
    func accept(_ id: String, client: String) async throws {
      try await acceptAsNewClient(id, client: client, in: temp.database)
    }
    let first = try await lead("s1", email: "ivan@novaya.ru", phone: "+74957770000")
    #expect(try await Self.inquiry(first, in: temp.database).match.conflicts == ["phone"])
    try await accept(first, client: "K-1")
    // Same e-mail, same switchboard: the e-mail's acceptance decides, the number stays unused.
    let second = try await Self.inquiry(
      try await lead("s2", email: "ivan@novaya.ru", phone: "+74957770000"), in: temp.database)
    #expect(second.match.clientID == "K-1", "\(second.match)")
    #expect(second.match.by == ["email"])
    #expect(second.match.conflicts == ["phone"])
    #expect(second.match.acceptedInquiryID == first)
    // Someone else calling from the switchboard is not Ivan's company.
    let caller = try await Self.inquiry(
      try await lead("s3", email: nil, phone: "+74957770000"), in: temp.database)
    #expect(caller.match.clientID == nil && caller.match.acceptedInquiryID == nil)

    // A number on two clients' cards: the manager chose c1 for it; the next call from it is
    // suggested for c1, not left between the two.
    let ambiguous = try await lead("s4", email: nil, phone: "+79160000009")
    #expect(
      Set(try await Self.inquiry(ambiguous, in: temp.database).match.candidates.map(\.clientID))
        == ["c1", "c4"])
    try await accept(ambiguous, client: "c1")
    let next = try await Self.inquiry(
      try await lead("s5", email: nil, phone: "+79160000009"), in: temp.database)
    #expect(next.match.clientID == "c1", "\(next.match)")
    #expect(next.match.candidates.isEmpty)
    #expect(next.match.acceptedInquiryID == ambiguous)
    // The latest acceptance, of a client that is not among the candidates, decides nothing.
    try await accept(try await lead("s6", email: nil, phone: "+79160000009"), client: "K-9")
    let third = try await Self.inquiry(
      try await lead("s7", email: nil, phone: "+79160000009"), in: temp.database)
    #expect(third.match.clientID == nil, "\(third.match)")
    #expect(third.match.acceptedInquiryID == nil)
    #expect(Set(third.match.candidates.map(\.clientID)) == ["c1", "c4"])
  }

  @Test("a client, contact or deal the CRM deleted after an acceptance named it is offered no more")
  func deletedAfterAcceptance() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    func lead(_ key: String, _ email: String) async throws -> Inquiry {
      try await Self.inquiry(
        try createdID(try await temp.database.ingest(submission(key: key, email: email))),
        in: temp.database)
    }
    // A new client the manager created in the CRM, not yet in the directory.
    let first = try await lead("d1", "anna@novaya.ru")
    _ = try await temp.database.apply(
      .accept(
        action: .newClient, clientID: "K-1", contactID: "P-1", interestID: "I-1", comment: nil),
      to: first.id, by: "crm")
    let waiting = try await lead("d2", "anna@novaya.ru")
    #expect(waiting.match.clientID == "K-1" && waiting.match.interestIDs == ["I-1"])
    // The CRM merged K-1 into another card and deleted it.
    _ = try await temp.database.deleteDirectory(.clients, id: "K-1")
    let rematched = try await Self.inquiry(waiting.id, in: temp.database)
    #expect(rematched.match.clientID == nil, "\(rematched.match)")
    #expect(rematched.match.acceptedInquiryID == nil)
    let next = try await lead("d3", "anna@novaya.ru")
    #expect(next.match.clientID == nil && next.match.suggestedAction == .newClient)
    // Written again (the merge undone): offered again.
    _ = try await temp.database.upsertDirectory(.client(DirectoryClient(id: "K-1", name: "Новая")))
    #expect(try await lead("d4", "anna@novaya.ru").match.clientID == "K-1")

    // A colleague at c1 accepted with a new contact and deal; both deleted in the CRM.
    let petr = try await lead("d5", "petr@romashka.ru")
    _ = try await temp.database.apply(
      .accept(
        action: .newContactOfClient, clientID: "c1", contactID: "P-NEW", interestID: "I-NEW",
        comment: nil), to: petr.id, by: "crm")
    #expect(try await lead("d6", "petr@romashka.ru").match.interestIDs.first == "I-NEW")
    _ = try await temp.database.deleteDirectory(.interests, id: "I-NEW")
    _ = try await temp.database.deleteDirectory(.contacts, id: "P-NEW")
    let later = try await lead("d7", "petr@romashka.ru")
    #expect(later.match.clientID == "c1")
    #expect(!later.match.interestIDs.contains("I-NEW"), "\(later.match)")
    #expect(later.match.contactID == nil, "\(later.match)")
  }

  @Test("a new inquiry is matched in its ingest transaction; a known contact is returning")
  func matchedOnIngest() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    let id = try createdID(
      try await temp.database.ingest(submission(key: "k1", email: "ivan@romashka.ru")))
    let inquiry = try await Self.inquiry(id, in: temp.database)
    #expect(inquiry.match.clientID == "c1")
    #expect(inquiry.match.contactID == "p1")
    #expect(inquiry.match.suggestedAction == .interactionOnInterest)
    #expect(inquiry.match.interestIDs == ["i2", "i1"])
    #expect(inquiry.match.by == ["email", "domain"])
    #expect(inquiry.returning)
    let stranger = try createdID(
      try await temp.database.ingest(submission(key: "k2", email: "someone@mail.ru")))
    let strangerInquiry = try await Self.inquiry(stranger, in: temp.database)
    #expect(strangerInquiry.match == Inquiry.Match())
    #expect(!strangerInquiry.returning)
  }

  @Test("a directory change re-matches the still-new inquiries it affects, and only those")
  func rematch() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    let database = temp.database
    let fresh = try createdID(
      try await database.ingest(submission(key: "a", email: "anna@lutik.ru")))
    let accepted = try createdID(
      try await database.ingest(submission(key: "b", email: "boris@lutik.ru")))
    let other = try createdID(
      try await database.ingest(submission(key: "c", email: "x@other.ru")))
    try await database.write { db in
      try db.execute(
        sql: "UPDATE inquiries SET status = 'accepted' WHERE id = ?", arguments: [accepted])
    }
    #expect(try await Self.inquiry(fresh, in: database).match.suggestedAction == .newClient)

    // The CRM adds the domain to the client: the new inquiry now points at it.
    var lutik = Self.clients[1]
    lutik.domains = ["lutik.ru"]
    let (_, domainResult) = try await database.upsertDirectory(.client(lutik))
    #expect(domainResult.rematched == 1)
    var inquiry = try await Self.inquiry(fresh, in: database)
    #expect(inquiry.match.clientID == "c2")
    #expect(inquiry.match.suggestedAction == .newContactOfClient)
    #expect(!inquiry.returning)

    // Then the person as a contact: existing_contact, and now a returning sender.
    let (_, contactResult) = try await database.upsertDirectory(
      .contact(DirectoryContact(id: "p9", clientID: "c2", name: "Анна", emails: ["anna@lutik.ru"])))
    #expect(contactResult.rematched == 1)
    inquiry = try await Self.inquiry(fresh, in: database)
    #expect(inquiry.match.contactID == "p9")
    #expect(inquiry.match.suggestedAction == .existingContact)
    #expect(inquiry.returning)

    // An open interest of that client wins.
    let (_, interestResult) = try await database.upsertDirectory(
      .interest(DirectoryInterest(id: "i9", clientID: "c2", status: .open)))
    #expect(interestResult.rematched == 1)
    inquiry = try await Self.inquiry(fresh, in: database)
    #expect(inquiry.match.suggestedAction == .interactionOnInterest)
    #expect(inquiry.match.interestIDs == ["i9"])

    // Closing it and deleting the contact go back step by step.
    let closed = try await database.applyDirectoryBatch(
      DirectoryBatch(
        interests: [DirectoryInterest(id: "i9", clientID: "c2", status: .closed)],
        deleted: .init(contacts: ["p9"])))
    #expect(closed.rematched == 1)
    inquiry = try await Self.inquiry(fresh, in: database)
    #expect(inquiry.match.suggestedAction == .newContactOfClient)
    #expect(inquiry.match.contactID == nil)
    #expect(!inquiry.returning)

    // The accepted inquiry kept its match; the unrelated one was never touched.
    #expect(try await Self.inquiry(accepted, in: database).match.clientID == nil)
    #expect(try await Self.inquiry(other, in: database).match == Inquiry.Match())
    // An unrelated change re-matches nothing.
    let (_, unrelated) = try await database.upsertDirectory(.client(Self.clients[3]))
    #expect(unrelated.rematched == 0)
    // Each re-match is an `inquiry.updated` event for the API's consumers.
    let events = try database.readSync { db in
      try Int.fetchOne(
        db, sql: "SELECT COUNT(*) FROM events WHERE type = 'inquiry.updated' AND inquiry_id = ?",
        arguments: [fresh])
    }
    #expect(events == 4)
  }

  @Test("a directory write finds each affected `new` inquiry by what it changed, and no other")
  func rematchSelection() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    let database = temp.database
    func lead(
      _ key: String, email: String? = nil, phone: String? = nil, inn: String? = nil,
      telegram: (String, String)? = nil
    ) async throws -> String {
      var draft = Inquiry(
        channel: "site", kind: .form, receivedAt: Date(), text: "Заявка",
        sender: .init(name: "Клиент", email: email, phone: phone))
      if let inn { draft.company = Inquiry.Company(inn: inn) }
      if let (id, username) = telegram {
        draft.sender.messenger = Inquiry.Messenger(network: "telegram", id: id, username: username)
      }
      return try createdID(
        try await database.ingest(submission(key: key, disposition: .inquiry(draft))))
    }
    let byPhone = try await lead("p", phone: "+74957778899")
    let byAlias = try await lead("a", email: "i.van+order@gmail.com")
    let byINN = try await lead("i", inn: "7702070139")
    let byUsername = try await lead("u", telegram: ("555000", "olga_k"))
    let unrelated = try await lead("x", email: "nobody@example.org", phone: "+79990001122")
    func client(_ id: String) async throws -> String? {
      try await Self.inquiry(id, in: database).match.clientID
    }
    func write(_ record: DirectoryRecord) async throws -> Int {
      try await database.upsertDirectory(record).1.rematched
    }
    // A colleague's number with an extension: the office line finds the client.
    #expect(
      try await write(
        .contact(DirectoryContact(id: "o1", clientID: "c4", phones: ["+7 495 777-88-99 доб. 5"])))
        == 1)
    #expect(try await client(byPhone) == "c4")
    // The mailbox a Gmail alias delivers to.
    #expect(
      try await write(
        .contact(DirectoryContact(id: "g1", clientID: "c1", emails: ["ivan@gmail.com"])))
        == 1)
    #expect(try await client(byAlias) == "c1")
    // An INN.
    #expect(
      try await write(.client(DirectoryClient(id: "c9", name: "ООО Сбыт", inn: "7702070139")))
        == 1)
    #expect(try await client(byINN) == "c9")
    // The @username a CRM knows a Telegram contact by.
    #expect(
      try await write(
        .contact(DirectoryContact(id: "t1", clientID: "c2", messengers: ["telegram:@olga_k"])))
        == 1)
    #expect(try await client(byUsername) == "c2")
    // The client it matched deleted: no client any more.
    #expect(try await database.deleteDirectory(.clients, id: "c9").rematched == 1)
    #expect(try await client(byINN) == nil)
    #expect(try await Self.inquiry(unrelated, in: database).match == Inquiry.Match())
  }

  @Test("changed rules (an upgrade, a new free-mail list) match the queue again, once")
  func rematchOnRulesChange() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    var database = temp.database
    let queued = try createdID(
      try await database.ingest(submission(key: "a", email: "someone@mail.ru")))
    let decided = try createdID(
      try await database.ingest(submission(key: "b", email: "other@mail.ru")))
    try await database.write { db in
      try db.execute(
        sql: "UPDATE inquiries SET status = 'accepted' WHERE id = ?", arguments: [decided])
    }
    // A file that was never matched under a fingerprint (new, or from before): matched again;
    // nothing differs under the same rules, and the next start has nothing to do.
    #expect(try await database.rematchQueueIfRulesChanged() == 0)
    #expect(try await database.rematchQueueIfRulesChanged() == nil)
    #expect(try await Self.inquiry(queued, in: database).match.suggestedAction == .newClient)
    let before = try await database.lastEventID()

    // The administrator takes mail.ru off the free-mail list: c2 lists it as its domain.
    database.directorySettings = DirectorySettings(
      rules: MatchingRules(freeMailDomains: ["gmail.com"]))
    #expect(try await database.rematchQueueIfRulesChanged() == 1)
    let inquiry = try await Self.inquiry(queued, in: database)
    #expect(inquiry.match.clientID == "c2")
    #expect(inquiry.match.by == ["domain"])
    #expect(try await Self.inquiry(decided, in: database).match.clientID == nil)
    let events = try await database.events(after: before)
    #expect(events.map(\.type) == [.updated])
    #expect(events.map(\.inquiryID) == [Int64(queued)])
    #expect(try await database.rematchQueueIfRulesChanged() == nil)
  }

  @Test("a corrected phone.default_country reads the directory's phones it could not before")
  func renormalizedOnCountryChange() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    var database = temp.database
    // Minsk's sales office, installed as RU: its CRM's numbers are Belarusian.
    _ = try await database.upsertDirectory(
      .client(DirectoryClient(id: "by1", name: "ООО Зубр", phones: ["8 029 123-45-67"])))
    _ = try await database.upsertDirectory(
      .contact(DirectoryContact(id: "p1", clientID: "by1", phones: ["8 017 222-33-44"])))
    #expect(try await database.rematchQueueIfRulesChanged() == 0)
    guard case .client(let kept)? = try await database.directoryRecord(.clients, id: "by1") else {
      Issue.record("no client by1")
      return
    }
    #expect(kept.phones == ["8 029 123-45-67"], "not a Russian number: kept as given")

    database.directorySettings = DirectorySettings(phone: PhoneNormalizer(defaultCountry: "BY"))
    _ = try await database.rematchQueueIfRulesChanged()
    guard case .client(let read)? = try await database.directoryRecord(.clients, id: "by1") else {
      Issue.record("no client by1")
      return
    }
    #expect(read.phones == ["+375291234567"])
    guard case .contact(let contact)? = try await database.directoryRecord(.contacts, id: "p1")
    else {
      Issue.record("no contact p1")
      return
    }
    #expect(contact.phones == ["+375172223344"])
    // A lead from that number finds the client now.
    let lead = try createdID(
      try await database.ingest(submission(key: "by", email: nil, phone: "+375291234567")))
    #expect(try await Self.inquiry(lead, in: database).match.clientID == "by1")
  }

  @Test("a deleted client is named by no match; its contacts stay contacts without a client")
  func deletedClient() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    let database = temp.database
    let id = try createdID(
      try await database.ingest(submission(key: "d1", email: "ivan@romashka.ru")))
    var inquiry = try await Self.inquiry(id, in: database)
    #expect(inquiry.match.clientID == "c1")
    #expect(inquiry.match.suggestedAction == .interactionOnInterest)

    // The CRM deletes the client (with spaces around the id, as a careless script sends it).
    let deleted = try await database.applyDirectoryBatch(
      DirectoryBatch(deleted: .init(clients: [" c1 "])))
    #expect(deleted.deleted["clients"] == 1)
    #expect(deleted.rematched == 1)
    inquiry = try await Self.inquiry(id, in: database)
    #expect(inquiry.match.clientID == nil)
    #expect(inquiry.match.contactID == "p1")
    #expect(inquiry.match.interestIDs.isEmpty)
    #expect(inquiry.match.suggestedAction == .existingContact)
    #expect(try await database.callerName(phone: "+79161234567") == "Иван Петров")
    #expect(try await database.callerName(phone: "+74951112233") == nil)

    // The client comes back: the contact's inquiry names it again.
    let (_, restored) = try await database.upsertDirectory(.client(Self.clients[0]))
    #expect(restored.rematched == 1)
    inquiry = try await Self.inquiry(id, in: database)
    #expect(inquiry.match.clientID == "c1")
    #expect(inquiry.match.suggestedAction == .interactionOnInterest)
  }

  @Test("an office number a contact lists with an extension finds the client, and is kept whole")
  func officeExtension() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    let database = temp.database
    // The contact arrives before its client: the office line finds nobody yet.
    let (stored, _) = try await database.upsertDirectory(
      .contact(
        DirectoryContact(
          id: "p7", clientID: "c7", name: "Секретарь", phones: ["8 495 222-33-44 доб. 12"])))
    guard case .contact(let contact) = stored else {
      Issue.record("expected a contact, got \(stored)")
      return
    }
    #expect(contact.phones == ["+74952223344;ext=12"])
    #expect(try await database.callerName(phone: "+74952223344") == nil)
    let id = try createdID(
      try await database.ingest(submission(key: "o1", phone: "+74952223344")))
    #expect(try await Self.inquiry(id, in: database).match.clientID == nil)
    // The client comes: the waiting inquiry from its office line is matched to it.
    let (_, added) = try await database.upsertDirectory(
      .client(DirectoryClient(id: "c7", name: "ООО Офис")))
    #expect(added.rematched == 1)
    #expect(try await database.callerName(phone: "+74952223344") == "ООО Офис")
    let inquiry = try await Self.inquiry(id, in: database)
    #expect(inquiry.match.clientID == "c7")
    #expect(inquiry.match.contactID == nil)
    #expect(inquiry.match.suggestedAction == .newContactOfClient)
  }

  @Test("the caller lookup names the contact, else the client; unknown or ambiguous is nil")
  func callerName() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    #expect(try await temp.database.callerName(phone: "8 (916) 123-45-67") == "Иван Петров")
    #expect(try await temp.database.callerName(phone: "+74951112233") == "ООО Ромашка")
    #expect(try await temp.database.callerName(phone: "+79160000001") == "Олег")
    #expect(try await temp.database.callerName(phone: "+79160000009") == nil)
    #expect(try await temp.database.callerName(phone: "+79990000000") == nil)
    #expect(try await temp.database.callerName(phone: "anonymous") == nil)
  }

  @Test("the SQLite lookup agrees with the in-memory reference")
  func sqliteAgreesWithMemory() async throws {
    let temp = try await Self.loaded()
    defer { temp.remove() }
    let memory = InMemoryDirectory(
      clients: Self.clients, contacts: Self.contacts, interests: Self.interests)
    let senders: [(Inquiry.Sender, Inquiry.Company?)] = [
      (Inquiry.Sender(email: "ivan@romashka.ru"), nil),
      (Inquiry.Sender(phone: "+79160000009"), nil),
      (Inquiry.Sender(phone: "+74951112233"), Inquiry.Company(inn: "7736010018")),
      (Inquiry.Sender(email: "x@gazprom.ru"), nil),
      (Inquiry.Sender(email: "x@mail.ru"), Inquiry.Company(inn: "7707083894")),
      (Inquiry.Sender(messenger: .init(network: "Telegram", id: "1001")), nil),
      (Inquiry.Sender(), Inquiry.Company(inn: "5001007329")),
      // A person client, by its own phone; a free-mail contact who typed another's INN.
      (Inquiry.Sender(phone: "+79035556677"), nil),
      (Inquiry.Sender(email: "petrov.home@mail.ru"), Inquiry.Company(inn: "7736010018")),
    ]
    let matcher = Matcher()
    for (sender, company) in senders {
      let expected = try matcher.match(sender: sender, company: company, in: memory)
      let actual = try temp.database.readSync { db in
        try matcher.match(sender: sender, company: company, in: SQLiteDirectoryLookup(db: db))
      }
      #expect(actual == expected, "\(sender)")
    }
  }

  @Test("an office line shared by two clients is a conflict however many contacts one has")
  func sharedOfficeLine() async throws {
    // Ромашка has 42 people on its PBX line, Ромашка-Логистика one: the lookup must not cut
    // its rows before folding them per client, or the second client is never seen.
    let clients = [
      DirectoryClient(id: "c1", name: "ООО Ромашка"),
      DirectoryClient(id: "c2", name: "ООО Ромашка-Логистика"),
    ]
    var contacts = (100...120).map {
      DirectoryContact(
        id: "p\($0)", clientID: "c1", name: "Сотрудник \($0)",
        phones: ["+7 495 123-45-67 доб. \($0)"])
    }
    contacts.append(
      DirectoryContact(
        id: "p200", clientID: "c2", name: "Логист", phones: ["+7 495 123-45-67 доб. 201"]))
    contacts += (300...320).map {
      DirectoryContact(
        id: "p\($0)", clientID: "c1", name: "Сотрудник \($0)",
        phones: ["+7 495 123-45-67 доб. \($0)"])
    }
    let temp = try TempDatabase()
    defer { temp.remove() }
    _ = try await temp.database.applyDirectoryBatch(
      DirectoryBatch(clients: clients, contacts: contacts, interests: []))
    let memory = InMemoryDirectory(clients: clients, contacts: contacts, interests: [])
    let matcher = Matcher()
    let sender = Inquiry.Sender(phone: "+74951234567")
    let expected = try matcher.match(sender: sender, company: nil, in: memory)
    let actual = try temp.database.readSync { db in
      try matcher.match(sender: sender, company: nil, in: SQLiteDirectoryLookup(db: db))
    }
    #expect(expected.match.clientID == nil)
    #expect(expected.match.conflicts == ["phone"], "\(expected)")
    #expect(actual == expected)
    #expect(try await temp.database.callerName(phone: "+74951234567") == nil)
  }

  @Test("an import of the windows-1251 fixture stores the good rows and re-matches")
  func importFixture() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let id = try createdID(
      try await temp.database.ingest(submission(key: "k", email: "boss@romashka.ru")))
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .appendingPathComponent("Fixtures/directory/clients-1251.csv")
    var reader = try DirectoryFileReader(
      bytes: Array(try Data(contentsOf: url)), kind: .clients,
      columnMap: ["Наименование": "name", "ИНН": "inn"])
    var records: [NormalizedDirectoryRecord] = []
    var malformed: [Int] = []
    while let item = reader.next() {
      switch item {
      case .record(let record, _):
        records.append(temp.database.directorySettings.normalizer.normalize(record))
      case .malformed(let line, _): malformed.append(line)
      }
    }
    #expect(malformed == [4, 6])
    try await temp.database.importDirectory(records)
    #expect(try temp.database.directoryCountsSync()["clients"] == 4)
    #expect(try await temp.database.rematchNewInquiries() == 1)
    let inquiry = try await Self.inquiry(id, in: temp.database)
    #expect(inquiry.match.clientID == "c1")
    #expect(inquiry.match.by == ["domain"])
    // c6's INN is invalid: kept, flagged, never a key.
    let innKeys = try temp.database.readSync { db in
      try String.fetchAll(
        db, sql: "SELECT value FROM directory_keys WHERE kind = 'inn' ORDER BY value")
    }
    #expect(innKeys == ["5001007329", "7707083893", "7736010018"])
    guard case .client(let ivanov) = try await temp.database.directoryRecord(.clients, id: "c6")
    else {
      Issue.record("c6 missing")
      return
    }
    #expect(ivanov.inn == "7707083894")
    #expect(ivanov.innValid == false)
  }

  @Test("a bulk load checkpoints from another connection and restores the writer's settings")
  func bulkLoad() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let normalizer = DirectoryNormalizer()
    let autocheckpoint = { () async throws -> Int? in
      try await temp.database.write { db in
        try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint")
      }
    }
    let during = try await temp.database.checkpointingInBackground {
      for chunk in 0..<4 {
        let records = (0..<500).map { index in
          let number = chunk * 500 + index
          return normalizer.normalize(
            .contact(
              DirectoryContact(
                id: "p\(number)", emails: ["person\(number)@firm\(number % 7).ru"],
                phones: ["+7 916 \(1_000_000 + number)"])))
        }
        try await temp.database.importDirectory(DirectoryImportChunk(records))
      }
      return try await autocheckpoint()
    }
    #expect(during == 0)
    #expect(try await autocheckpoint() == 1000)
    #expect(try temp.database.directoryCountsSync()["contacts"] == 2000)
    let keys = try temp.database.readSync { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM directory_keys")
    }
    // An e-mail and a phone each.
    #expect(keys == 4000)
    // A failing load restores the settings too, and its error reaches the caller.
    struct Stop: Error {}
    await #expect(throws: Stop.self) {
      try await temp.database.checkpointingInBackground { () async throws -> Int in throw Stop() }
    }
    #expect(try await autocheckpoint() == 1000)
  }

  @Test("an import writes what storing each record in turn writes: new, updated, repeated rows")
  func importMatchesStore() async throws {
    let normalizer = DirectoryNormalizer()
    let first: [DirectoryRecord] =
      Self.clients.map(DirectoryRecord.client) + Self.contacts.map(DirectoryRecord.contact)
      + Self.interests.map(DirectoryRecord.interest)
    let second: [DirectoryRecord] = [
      // New records, an update that drops and adds keys, a row repeated in the chunk, a record
      // moved to another client, values that do not normalise, and an empty list.
      .contact(
        DirectoryContact(
          id: "p9", clientID: "c2", name: "Новый", emails: ["New@Lutik.ru", "new@lutik.ru"],
          phones: ["8 916 555-55-55", "not a phone"], messengers: ["Telegram: 9"])),
      .contact(
        DirectoryContact(
          id: "p1", clientID: "c4", name: "Иван", emails: ["ivan@gazprom.ru"],
          phones: ["8 916 123-45-67"])),
      .client(
        DirectoryClient(
          id: "c5", name: "Новый клиент", inn: "7707083893", domains: ["@WWW.New.ru", "bad"],
          emails: ["x@new.ru"], phones: ["+7 495 000-00-01"])),
      .contact(DirectoryContact(id: "p9", clientID: "c2", emails: ["other@lutik.ru"])),
      .client(DirectoryClient(id: "c3", name: "ИП Сидоров", inn: "12", potential: false)),
      .client(DirectoryClient(id: "c6", name: "Сидорова Анна", person: true)),
      .contact(DirectoryContact(id: "p10", name: "Без клиента")),
      .interest(DirectoryInterest(id: "i1", clientID: "c5", status: .closed)),
    ]
    let chunks = [first, second].map { $0.map(normalizer.normalize) }
    let imported = try TempDatabase()
    let stored = try TempDatabase()
    defer {
      imported.remove()
      stored.remove()
    }
    for chunk in chunks {
      try await imported.database.importDirectory(chunk)
      try await stored.database.write { db in
        var change = DirectoryChange(everything: true)
        for item in chunk { try InletDatabase.store(item, change: &change, in: db) }
      }
    }
    let dump = { (temp: TempDatabase) throws -> [String] in
      try temp.database.readSync { db in
        try String.fetchAll(
          db,
          sql: """
            SELECT 'client ' || json_array(id, name, inn, kpp, potential, person, inn_valid,
              domains, emails, phones, keys) FROM clients
            UNION ALL SELECT 'contact ' || json_array(id, client_id, name, emails, phones,
              messengers, keys) FROM contacts
            UNION ALL SELECT 'interest ' || json_array(id, client_id, contact_id, title, stage,
              status) FROM interests
            UNION ALL SELECT 'key ' || json_array(kind, value, record_type, record_id)
              FROM directory_keys
            ORDER BY 1
            """)
      }
    }
    let actual = try dump(imported)
    #expect(actual == (try dump(stored)))
    #expect(actual.contains(#"key ["email","other@lutik.ru","contact","p9"]"#))
    #expect(!actual.contains(#"key ["email","new@lutik.ru","contact","p9"]"#))
    #expect(!actual.contains(#"key ["email","ivan@romashka.ru","contact","p1"]"#))
    #expect(actual.contains { $0.hasPrefix(#"client ["c6","Сидорова Анна",null,null,0,1,"#) })
  }
}

struct StoreTestError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
