import Foundation
import GRDB
import InletCore
import Testing

@testable import InletStore

@Suite("Migrations")
struct MigrationTests {
  @Test("a fresh file gets every migration and every table")
  func freshFile() throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    #expect(try temp.database.appliedMigrations() == Migrations.names)
    #expect(try temp.database.isMigrated())
    let tables = try temp.database.readSync { db in
      try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    for table in [
      "raw_items", "inquiries", "inquiry_messages", "attachments", "clients", "contacts",
      "interests", "directory_keys", "directory_deleted", "imap_cursors",
    ] {
      #expect(tables.contains(table), "missing table \(table)")
    }
    let journalMode = try temp.database.readSync { db in
      try String.fetchOne(db, sql: "PRAGMA journal_mode")
    }
    #expect(journalMode == "wal")
  }

  @Test("a file from the previous migration upgrades and keeps its rows")
  func upgradeFromPrevious() async throws {
    let temp = try TempDatabase(migrate: false)
    defer { temp.remove() }
    let names = Migrations.names
    try #require(names.count >= 2)
    try temp.database.migrate(upTo: names[names.count - 2])
    #expect(try temp.database.appliedMigrations() == Array(names.dropLast()))
    #expect(try !temp.database.isMigrated())

    // A raw item and its inquiry written by the older schema.
    let inquiryID = try await Self.legacyInquiry(temp, matchedTo: "C-1")
    try temp.database.migrate()
    #expect(try temp.database.appliedMigrations() == names)
    let inquiry = try #require(try await temp.database.inquiry(id: inquiryID))
    #expect(inquiry.sender.email == "lead@example.ru")
    #expect(inquiry.text == "Нужен счёт")
    #expect(inquiry.match.clientID == "C-1")
    // Migrating again is a no-op.
    try temp.database.migrate()
    #expect(try temp.database.appliedMigrations() == names)
  }

  @Test("contacts stored before usernames were compared are found by their @username")
  func messengerUsernames() async throws {
    let temp = try TempDatabase(migrate: false)
    defer { temp.remove() }
    try temp.database.migrate(upTo: "2026-11-30-4-contacts-by-client")
    // As the previous version stored a contact listing `tg:@Ivan_P` and a t.me link.
    try await temp.database.pool.write { db in
      try db.execute(
        sql: """
          INSERT INTO contacts (id, client_id, name, updated_at, emails, phones, messengers, keys)
          VALUES ('P-1', NULL, 'Иван', 0, NULL, NULL, ?, ?)
          """,
        arguments: [
          "tg:@Ivan_P\ntelegram:https://t.me/Ivan_P\ntelegram:5123",
          "messenger\ttg:@Ivan_P\nmessenger\ttelegram:https://t.me/Ivan_P\nmessenger\ttelegram:5123",
        ])
      for value in ["tg:@Ivan_P", "telegram:https://t.me/Ivan_P", "telegram:5123"] {
        try db.execute(
          sql: """
            INSERT INTO directory_keys (kind, value, record_type, record_id)
            VALUES ('messenger', ?, 'contact', 'P-1')
            """, arguments: [value])
      }
    }
    try temp.database.migrate()
    let (messengers, keys) = try temp.database.readSync { db in
      (
        try String.fetchOne(db, sql: "SELECT messengers FROM contacts WHERE id = 'P-1'"),
        try String.fetchAll(
          db, sql: "SELECT value FROM directory_keys WHERE record_id = 'P-1' ORDER BY value")
      )
    }
    #expect(messengers == "telegram:@ivan_p\ntelegram:5123")
    #expect(keys == ["telegram:5123", "telegram:@ivan_p"])
    // A message from that Telegram user (another numeric id) finds the contact.
    let draft = Inquiry(
      channel: "tg", kind: .message, receivedAt: Date(), text: "Добрый день",
      sender: .init(
        messenger: Inquiry.Messenger(network: "telegram", id: "999", username: "ivan_p")))
    guard
      case .created(let id, _) = try await temp.database.ingest(
        submission(key: "tg:1", disposition: .inquiry(draft)))
    else {
      Issue.record("expected an inquiry")
      return
    }
    #expect(try await temp.database.inquiry(id: id)?.match.contactID == "P-1")
  }

  @Test("a decision's updated_at stored as seconds becomes the text every other writer uses")
  func updatedAtAsText() async throws {
    let temp = try TempDatabase(migrate: false)
    defer { temp.remove() }
    try temp.database.migrate(upTo: "2026-12-01-9a-delivery-off-since")
    let id = try await Self.legacyInquiry(temp)
    // As a decision wrote it before: seconds.
    try await temp.database.write { db in
      try db.execute(
        sql: "UPDATE inquiries SET updated_at = ? WHERE id = ?",
        arguments: [1_796_170_374.2921305, id])
    }
    try temp.database.migrate()
    let stored = try await temp.database.read { db in
      try Row.fetchOne(
        db, sql: "SELECT updated_at, typeof(updated_at) AS kind FROM inquiries WHERE id = ?",
        arguments: [id]
      ).map { [$0["kind"] as String, $0["updated_at"] as String] }
    }
    #expect(stored == ["text", "2026-12-02 00:12:54.292"])
    #expect(try await temp.database.inquiry(id: id)?.sender.email == "lead@example.ru")
  }

  /// A raw item and its inquiry as an older schema holds them, written in SQL of the first
  /// schema (this version's inserts name columns an older one lacks); the inquiry's id.
  static func legacyInquiry(_ temp: TempDatabase, matchedTo client: String? = nil) async throws
    -> String
  {
    var inquiry = Inquiry(
      channel: "site", kind: .form, receivedAt: Date(), text: "Нужен счёт",
      sender: .init(name: "Иван", email: "lead@example.ru"))
    inquiry.match.clientID = client
    let document = String(decoding: inquiry.jsonBytes, as: UTF8.self)
    let now = StoredDate.text(Date())
    return try await temp.database.write { db in
      try db.execute(
        sql: """
          INSERT INTO raw_items (channel, event, transport, body, idempotency_key, received_at,
            status) VALUES ('site', 'submission', '{}', x'7B7D', 'site:old', ?, 'normalised')
          """, arguments: [now])
      let rawID = db.lastInsertedRowID
      try db.execute(
        sql: """
          INSERT INTO inquiries (status, channel, kind, received_at, raw_id, sender_email,
            document, updated_at) VALUES ('new', 'site', 'form', ?, ?, 'lead@example.ru', ?, ?)
          """, arguments: [now, rawID, document, now])
      let id = db.lastInsertedRowID
      try db.execute(
        sql: "UPDATE raw_items SET inquiry_id = ? WHERE id = ?", arguments: [id, rawID])
      return String(id)
    }
  }

  @Test("the match's client and contact columns follow every write of the document")
  func matchColumns() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    func columns(_ id: String) async throws -> [String?] {
      try await temp.database.read { db in
        try Row.fetchOne(
          db, sql: "SELECT match_client_id, match_contact_id FROM inquiries WHERE id = ?",
          arguments: [id]
        ).map { [$0[0], $0[1]] } ?? []
      }
    }
    // Written with the row by the ingest (its document lives in the created event).
    let id = try createdID(try await temp.database.ingest(submission(key: "site:m")))
    #expect(try await columns(id) == [nil, nil])
    try await temp.database.write { db in
      try db.execute(
        sql: """
          UPDATE inquiries SET document = json_set(\(InquiryRecord.documentSQL),
            '$.match.client_id', 'C-9', '$.match.contact_id', 'P-9') WHERE id = ?
          """, arguments: [id])
    }
    #expect(try await columns(id) == ["C-9", "P-9"])
  }

  @Test("migration names are unique and ordered")
  func names() {
    let names = Migrations.names
    #expect(Set(names).count == names.count)
    #expect(names == names.sorted())
  }

  @Test("clients stored with an «ИНН/КПП» value get their INN key without a new import")
  func directoryINN() async throws {
    let temp = try TempDatabase(migrate: false)
    defer { temp.remove() }
    try temp.database.migrate(upTo: "2026-12-01-2-open-calls")
    // As the previous version stored them: the value as sent, flagged invalid, no key.
    try await temp.database.pool.write { db in
      for (id, inn) in [("C-1", "7707083893/770701001"), ("C-2", "7707083894")] {
        try db.execute(
          sql: """
            INSERT INTO clients (id, name, inn, inn_valid, potential, updated_at, keys)
            VALUES (?, 'ООО', ?, 0, 0, 0, NULL)
            """, arguments: [id, inn])
      }
    }
    try temp.database.migrate()
    let (inns, keys) = try temp.database.readSync { db in
      (
        try String.fetchAll(db, sql: "SELECT inn || ':' || inn_valid FROM clients ORDER BY id"),
        try String.fetchAll(
          db, sql: "SELECT record_id || ':' || value FROM directory_keys WHERE kind = 'inn'")
      )
    }
    #expect(inns == ["7707083893:1", "7707083894:0"], "a mistyped INN stays as it was")
    #expect(keys == ["C-1:7707083893"])
    // A lead naming that INN finds the client.
    var draft = Inquiry(
      channel: "site", kind: .form, receivedAt: Date(), text: "Счёт",
      sender: .init(email: "buh@mail.ru"))
    draft.company = Inquiry.Company(inn: "7707083893")
    guard
      case .created(let id, _) = try await temp.database.ingest(
        submission(key: "inn:1", disposition: .inquiry(draft)))
    else {
      Issue.record("expected an inquiry")
      return
    }
    #expect(try await temp.database.inquiry(id: id)?.match.clientID == "C-1")
  }

  @Test("records stored before get their domain and mailbox keys without an import")
  func emailDomains() async throws {
    let temp = try TempDatabase(migrate: false)
    defer { temp.remove() }
    try temp.database.migrate(upTo: "2026-12-01-4-call-raw-item")
    // As the previous version stored them: an e-mail key each, no domain.
    try await temp.database.pool.write { db in
      try db.execute(
        sql: """
          INSERT INTO clients (id, name, potential, updated_at, emails, keys)
          VALUES ('C-1', 'ООО Вектор', 0, 0, 'info@vektor.ru', 'email' || char(9) || 'info@vektor.ru');
          INSERT INTO clients (id, name, potential, updated_at, emails, keys)
          VALUES ('C-2', 'ООО Стройка', 0, 0, 'office@stroika.ru|zakaz@mail.ru',
            'email' || char(9) || 'office@stroika.ru' || char(10) || 'email' || char(9)
              || 'zakaz@mail.ru');
          INSERT INTO clients (id, name, potential, updated_at, domains)
          VALUES ('C-4', 'ООО Сайт', 0, 0, 'https://www.Sait.ru/kontakty');
          INSERT INTO clients (id, name, potential, updated_at, domains, emails, keys)
          VALUES ('C-3', 'ООО Листик', 0, 0, 'listik.ru', 'info@listik.ru',
            'domain' || char(9) || 'listik.ru' || char(10) || 'email' || char(9)
              || 'info@listik.ru');
          INSERT INTO contacts (id, client_id, updated_at, emails, keys) VALUES
            ('P-1', 'C-2', 0, 'anna@stroika.ru', 'email' || char(9) || 'anna@stroika.ru'),
            ('P-2', 'C-2', 0, 'anna@mail.ru', 'email' || char(9) || 'anna@mail.ru'),
            ('P-3', 'C-1', 0, 'oleg.ivanov@yandex.ru',
              'email' || char(9) || 'oleg.ivanov@yandex.ru'),
            ('P-4', 'C-2', 0, 'buh+1c@stroika.ru', 'email' || char(9) || 'buh+1c@stroika.ru');
          INSERT INTO directory_keys VALUES ('email', 'info@vektor.ru', 'client', 'C-1'),
            ('email', 'office@stroika.ru', 'client', 'C-2'), ('email', 'zakaz@mail.ru', 'client', 'C-2'),
            ('domain', 'listik.ru', 'client', 'C-3'), ('email', 'info@listik.ru', 'client', 'C-3'),
            ('email', 'anna@stroika.ru', 'contact', 'P-1'), ('email', 'anna@mail.ru', 'contact', 'P-2'),
            ('email', 'oleg.ivanov@yandex.ru', 'contact', 'P-3'),
            ('email', 'buh+1c@stroika.ru', 'contact', 'P-4');
          """)
    }
    try temp.database.migrate()
    let keys = try temp.database.readSync { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT record_id || ':' || value FROM directory_keys WHERE kind = 'email_domain'
          ORDER BY record_id
          """)
    }
    #expect(
      keys == ["C-1:vektor.ru", "C-2:stroika.ru"],
      "a client's own, not a public mail service's, a listed domain's or a person's")
    let mailboxes = try temp.database.readSync { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT record_id || ':' || value FROM directory_keys WHERE kind = 'mailbox'
          ORDER BY record_id
          """)
    }
    #expect(mailboxes == ["P-4:buh@stroika.ru"], "only an address that is an alias")
    // A website stored as sent before is its host's key now, as an import would make it.
    let site = try temp.database.readSync { db in
      (
        try String.fetchOne(db, sql: "SELECT domains FROM clients WHERE id = 'C-4'"),
        try String.fetchAll(
          db, sql: "SELECT value FROM directory_keys WHERE kind = 'domain' AND record_id = 'C-4'")
      )
    }
    #expect(site.0 == "sait.ru" && site.1 == ["sait.ru"], "\(site)")
    // The bookkeeper writing without her tag, and Oleg from ya.ru, are found.
    for (number, (email, contact)) in [("buh@stroika.ru", "P-4"), ("oleg-ivanov@ya.ru", "P-3")]
      .enumerated()
    {
      let draft = Inquiry(
        channel: "site", kind: .form, receivedAt: Date(), text: "Счёт",
        sender: .init(email: email))
      let id = try #require(
        try await temp.database.ingest(
          submission(key: "mailbox:\(number)", disposition: .inquiry(draft))
        ).inquiryID)
      #expect(try await temp.database.inquiry(id: id)?.match.contactID == contact, "\(email)")
    }
    // A colleague writing from the company's domain finds the client.
    for (number, (email, client)) in [("petr@stroika.ru", "C-2"), ("buh@vektor.ru", "C-1")]
      .enumerated()
    {
      let draft = Inquiry(
        channel: "site", kind: .form, receivedAt: Date(), text: "Счёт",
        sender: .init(email: email))
      guard
        case .created(let id, _) = try await temp.database.ingest(
          submission(key: "domain:\(number)", disposition: .inquiry(draft)))
      else {
        Issue.record("expected an inquiry")
        return
      }
      let match = try await temp.database.inquiry(id: id)?.match
      #expect(match?.clientID == client, "\(email)")
      #expect(match?.by == ["domain"])
    }
  }

  /// Shipped names never change (a file records them): new migrations only append.
  @Test("the shipped migrations keep their names")
  func shippedNames() {
    let shipped = [
      "2026-11-29-1-raw-journal", "2026-11-29-2-inquiries", "2026-11-29-3-directory",
      "2026-11-29-4-imap-cursors", "2026-11-29-5-directory-matching", "2026-11-29-6-queue-api",
      "2026-11-29-7-calls", "2026-11-29-8-mail", "2026-11-29-9-conversations",
      "2026-11-29-9a-directory-keys-in-rows", "2026-11-29-9b-unused-directory-indexes",
      "2026-11-30-1-imap-rescan-window",
      "2026-11-30-2-mail-after-ingest-owed",
      "2026-11-30-3-mail-unfetched",
      "2026-11-30-4-contacts-by-client",
      "2026-11-30-5-messenger-usernames",
      "2026-11-30-6-accepted-senders",
      "2026-12-01-1-conversation-latest",
      "2026-12-01-2-open-calls",
    ]
    #expect(Array(Migrations.names.prefix(shipped.count)) == shipped)
  }

  @Test("a file from the commit that named the conversations migration -8- still upgrades")
  func renamedConversations() throws {
    let temp = try TempDatabase(migrate: false)
    defer { temp.remove() }
    try temp.database.migrate(upTo: "2026-11-29-8-mail")
    try temp.database.pool.write { db in
      try ConversationSchema.create(in: db)
      try db.execute(
        sql: "INSERT INTO grdb_migrations (identifier) VALUES ('2026-11-29-8-conversations')")
    }
    // `serve` asks before it migrates: the old name is this version's, not a newer one's.
    #expect(try !temp.database.isSuperseded())
    try temp.database.migrate()
    #expect(try temp.database.isMigrated())
    #expect(try !temp.database.isSuperseded())
  }

  @Test("a file migrated by a newer version is recognised as such")
  func superseded() throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    #expect(try !temp.database.isSuperseded())
    try temp.database.pool.write { db in
      try db.execute(
        sql: "INSERT INTO grdb_migrations (identifier) VALUES ('2099-01-01-1-from-the-future')")
    }
    #expect(try temp.database.isSuperseded())
  }

  @Test("the directory keeps the indexes its queries use and none that no query reads")
  func directoryIndexes() throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let indexes = try temp.database.readSync { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT name FROM sqlite_master WHERE type = 'index'
            AND tbl_name IN ('clients', 'contacts', 'interests', 'directory_keys')
            AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name
          """)
    }
    #expect(indexes == ["clients_on_inn", "contacts_client", "interests_client_open"])
    // A client's write finds its contacts by the index, not by reading every contact.
    let plan = try temp.database.readSync { db in
      try Row.fetchAll(
        db, sql: "EXPLAIN QUERY PLAN SELECT id, keys FROM contacts WHERE client_id IN (?, ?)",
        arguments: ["c1", "c2"]
      ).map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
    }
    #expect(plan.contains("USING INDEX contacts_client"), "\(plan)")
  }

  @Test("the log file is cut back when it starts over, on the connection that writes")
  func logSizeLimit() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let limit = try await temp.database.write { db in
      try Int.fetchOne(db, sql: "PRAGMA journal_size_limit")
    }
    #expect(limit == InletDatabase.logSizeLimit)
  }

  @Test("a conversation's latest inquiry is read from an index, not sorted")
  func conversationLatest() throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let plan = try temp.database.readSync { db in
      try Row.fetchAll(
        db,
        sql: """
          EXPLAIN QUERY PLAN SELECT id, status, merged_into, acceptance, last_message_at
          FROM inquiries WHERE conversation_key = ? ORDER BY last_message_at DESC, id DESC LIMIT 1
          """, arguments: ["telegram:1"]
      ).map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
    }
    #expect(plan.contains("USING INDEX inquiries_conversation_latest"), "\(plan)")
    #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
  }
}
