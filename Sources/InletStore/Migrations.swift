import GRDB
import InletCore

/// The schema, as named, append-only migrations: never edit one that has shipped; add a new one.
public enum Migrations {
  /// The names, in order, so tests can migrate a file up to an earlier version.
  public static var names: [String] { migrator.migrations }

  /// Names a migration had before it was renamed (merged into the current one): a file that
  /// recorded them is of this version, not a newer one.
  public static let mergedNames: Set<String> = ["2026-11-29-8-conversations"]

  /// Every migration of this version of inlet.
  public static let migrator: DatabaseMigrator = {
    var migrator = DatabaseMigrator()

    migrator.registerMigration("2026-11-29-1-raw-journal") { db in
      // Every authenticated input as received, before it is acknowledged.
      try db.create(table: "raw_items") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("channel", .text).notNull()
        t.column("event", .text)
        t.column("transport", .text).notNull()
        t.column("body", .blob).notNull()
        t.column("idempotency_key", .text).unique()
        t.column("received_at", .double).notNull()
        t.column("status", .text).notNull()
        t.column("reason", .text)
        t.column("extracted", .text)
      }
      try db.create(index: "raw_items_status", on: "raw_items", columns: ["status", "id"])
    }

    migrator.registerMigration("2026-11-29-2-inquiries") { db in
      try db.create(table: "inquiries") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("status", .text).notNull()
        t.column("channel", .text).notNull()
        t.column("kind", .text).notNull()
        t.column("received_at", .double).notNull()
        t.column("raw_id", .integer).notNull().references("raw_items")
        t.column("sender_email", .text)
        t.column("sender_phone", .text)
        t.column("sender_messenger", .text)
        t.column("company_inn", .text)
        t.column("document", .text).notNull()
        t.column("updated_at", .double).notNull()
      }
      try db.create(index: "inquiries_status", on: "inquiries", columns: ["status", "id"])
      try db.create(index: "inquiries_sender_email", on: "inquiries", columns: ["sender_email"])
      try db.create(index: "inquiries_sender_phone", on: "inquiries", columns: ["sender_phone"])
      try db.create(
        index: "inquiries_sender_messenger", on: "inquiries", columns: ["sender_messenger"])
      try db.alter(table: "raw_items") { t in
        t.add(column: "inquiry_id", .integer).references("inquiries")
      }
      // Continuations appended to an inquiry (design.md, "Statuses").
      try db.create(table: "inquiry_messages") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("inquiry_id", .integer).notNull().references("inquiries").indexed()
        t.column("raw_id", .integer).notNull().references("raw_items")
        t.column("received_at", .double).notNull()
        t.column("text", .text)
      }
      try db.create(table: "attachments") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("raw_id", .integer).notNull().references("raw_items").indexed()
        t.column("inquiry_id", .integer).references("inquiries").indexed()
        t.column("name", .text).notNull()
        t.column("content_type", .text).notNull()
        t.column("size", .integer).notNull()
        t.column("data", .blob).notNull()
      }
    }

    migrator.registerMigration("2026-11-29-3-directory") { db in
      // The CRM's clients, contacts and interests; ids are the CRM's.
      try db.create(table: "clients") { t in
        t.primaryKey("id", .text)
        t.column("name", .text)
        t.column("inn", .text).indexed()
        t.column("kpp", .text)
        t.column("potential", .boolean).notNull().defaults(to: false)
        t.column("updated_at", .double).notNull()
      }
      try db.create(table: "contacts") { t in
        t.primaryKey("id", .text)
        t.column("client_id", .text).indexed()
        t.column("name", .text)
        t.column("updated_at", .double).notNull()
      }
      try db.create(table: "interests") { t in
        t.primaryKey("id", .text)
        t.column("client_id", .text).indexed()
        t.column("contact_id", .text)
        t.column("title", .text)
        t.column("stage", .text)
        t.column("status", .text).notNull()
        t.column("updated_at", .double).notNull()
      }
      // One row per normalised e-mail, phone, domain or messenger id of a directory record, so
      // matching is one indexed lookup per criterion.
      try db.create(table: "directory_keys") { t in
        t.column("kind", .text).notNull()
        t.column("value", .text).notNull()
        t.column("record_type", .text).notNull()
        t.column("record_id", .text).notNull()
        t.primaryKey(["kind", "value", "record_type", "record_id"])
      }
      try db.create(
        index: "directory_keys_record", on: "directory_keys", columns: ["record_type", "record_id"])
    }

    migrator.registerMigration("2026-11-29-4-imap-cursors") { db in
      try db.create(table: "imap_cursors") { t in
        t.column("mailbox", .text).notNull()
        t.column("folder", .text).notNull()
        t.column("uidvalidity", .integer).notNull()
        t.column("last_uid", .integer).notNull()
        t.column("updated_at", .double).notNull()
        t.primaryKey(["mailbox", "folder"])
      }
    }

    migrator.registerMigration("2026-11-29-5-directory-matching") { db in
      try DirectorySchema.addMatchingColumns(in: db)
    }
    migrator.registerMigration("2026-11-29-6-queue-api") { db in
      try QueueAPISchema.create(in: db)
    }
    migrator.registerMigration("2026-11-29-7-calls") { db in
      // One row per provider call: the merged state of its events and its one inquiry.
      try db.create(table: "calls") { t in
        t.column("channel", .text).notNull()
        t.column("call_id", .text).notNull()
        t.column("record", .text).notNull()
        t.column("inquiry_id", .integer).references("inquiries")
        t.column("updated_at", .double).notNull()
        t.primaryKey(["channel", "call_id"])
      }
    }
    migrator.registerMigration("2026-11-29-8-mail") { db in
      // Every (mailbox, folder, epoch, UID) that was fetched, linked to the raw item holding the
      // letter: a copy of a letter already ingested is linked here, not stored again.
      try db.create(table: "mail_copies") { t in
        t.column("mailbox", .text).notNull()
        t.column("folder", .text).notNull()
        t.column("uidvalidity", .integer).notNull()
        t.column("uid", .integer).notNull()
        t.column("raw_id", .integer).notNull().references("raw_items").indexed()
        t.primaryKey(["mailbox", "folder", "uidvalidity", "uid"])
      }
      // Letters by sender, for the per-sender rate limit.
      try db.create(table: "mail_senders") { t in
        t.primaryKey("raw_id", .integer).references("raw_items")
        t.column("sender", .text).notNull()
        t.column("received_at", .double).notNull()
      }
      try db.create(
        index: "mail_senders_sender", on: "mail_senders", columns: ["sender", "received_at"])
      try db.alter(table: "imap_cursors") { t in t.add(column: "created_at", .double) }
    }
    // Named `2026-11-29-8-conversations` for one early commit (9af3a85) before the mail one
    // took that number: a file from then has it applied under the old name.
    migrator.registerMigration(
      "2026-11-29-9-conversations", merging: ["2026-11-29-8-conversations"]
    ) { db, applied in
      if !applied.contains("2026-11-29-8-conversations") { try ConversationSchema.create(in: db) }
    }
    migrator.registerMigration("2026-11-29-9a-directory-keys-in-rows") { db in
      // A record lists its keys in its own row; they are deleted by primary key when it
      // changes, so `directory_keys` needs no second index (an import writes each key once).
      for (table, type) in [("clients", "client"), ("contacts", "contact")] {
        try db.alter(table: table) { t in t.add(column: "keys", .text) }
        try db.execute(
          sql: """
            UPDATE \(table) SET keys = (
              SELECT group_concat(kind || char(9) || value, char(10)) FROM directory_keys
              WHERE record_type = ? AND record_id = \(table).id)
            """, arguments: [type])
      }
      try db.execute(sql: "DROP INDEX IF EXISTS directory_keys_record")
    }
    migrator.registerMigration("2026-11-29-9b-unused-directory-indexes") { db in
      // No query looked contacts up by client then (matching goes from a key to the contact and
      // reads its client_id; since 2026-11-30-4 a client's write re-matches its contacts'
      // inquiries, by an index of its own), and `interests_client_open` (client_id, status, updated_at) serves every
      // look-up of a client's interests: two indexes every import row paid for, never read.
      try db.execute(sql: "DROP INDEX IF EXISTS contacts_on_client_id")
      try db.execute(sql: "DROP INDEX IF EXISTS interests_on_client_id")
    }
    migrator.registerMigration("2026-11-30-1-imap-rescan-window") { db in
      // After a UIDVALIDITY change a `from_now` folder is rescanned from a day before its first
      // sync; letters older than that sync are left alone up to the UID the change found —
      // kept in the cursor, so a rescan interrupted halfway goes on with the same rule.
      try db.alter(table: "imap_cursors") { t in
        t.add(column: "rescan_before", .double)
        t.add(column: "rescan_until", .integer)
      }
    }
    migrator.registerMigration("2026-11-30-2-mail-after-ingest-owed") { db in
      // Whether `after_ingest` (seen, move) is still owed for a stored letter: set in the
      // commit that stores it, cleared once the server took the command. What a person does
      // to a letter afterwards (marks it unread again) is theirs.
      try db.alter(table: "mail_copies") { t in
        t.add(column: "owed", .integer).notNull().defaults(to: 0)
      }
      try db.execute(
        sql: """
          CREATE INDEX mail_copies_owed ON mail_copies (mailbox, folder, uidvalidity, uid)
            WHERE owed = 1
          """)
    }
    migrator.registerMigration("2026-11-30-3-mail-unfetched") { db in
      // Letters the server listed but would not give: each has a quarantined placeholder and
      // is asked for again on later passes (no `mail_copies` row until it came or was given
      // up on), so a passing refusal does not lose the letter.
      try db.create(table: "mail_unfetched") { t in
        t.column("mailbox", .text).notNull()
        t.column("folder", .text).notNull()
        t.column("uidvalidity", .integer).notNull()
        t.column("uid", .integer).notNull()
        t.column("raw_id", .integer).notNull().references("raw_items")
        t.column("attempts", .integer).notNull()
        t.column("first_seen", .double).notNull()
        t.primaryKey(["mailbox", "folder", "uidvalidity", "uid"])
      }
    }
    migrator.registerMigration("2026-11-30-4-contacts-by-client") { db in
      // A client written or deleted re-matches the inquiries of its contacts (a contact names
      // its client only while the client is in the directory): found by this index, not by a
      // scan of every contact inside the writer's transaction.
      try db.execute(sql: "CREATE INDEX contacts_client ON contacts (client_id)")
    }
    migrator.registerMigration("2026-11-30-5-messenger-usernames") { db in
      // Messenger values are compared as `DirectoryNormalizer.messenger` writes them now:
      // `@usernames` lower-cased, `t.me/` links as `@username`, `tg:` as `telegram:`. Contacts
      // stored before are written again so, so a Telegram `@username` finds them without a
      // new import.
      let rows = try Row.fetchAll(
        db,
        sql: "SELECT id, messengers, keys FROM contacts WHERE messengers IS NOT NULL")
      // (Only the contacts whose messengers read differently now are written.)
      for row in rows {
        let id: String = row["id"]
        let old = (row["messengers"] as String? ?? "").split(separator: "\n").map(String.init)
        let messengers = old.map { DirectoryNormalizer.messenger($0) ?? $0 }
        guard messengers != old else { continue }
        var unique: [String] = []
        for value in messengers where !unique.contains(value) { unique.append(value) }
        let oldKeys = InletDatabase.parseKeys(row["keys"])
        let keys = oldKeys.map { key in
          key.kind == .messenger
            ? DirectoryKey(.messenger, DirectoryNormalizer.messenger(key.value) ?? key.value) : key
        }
        var uniqueKeys: [DirectoryKey] = []
        for key in keys where !uniqueKeys.contains(key) { uniqueKeys.append(key) }
        try db.execute(
          sql: "UPDATE contacts SET messengers = ?, keys = ? WHERE id = ?",
          arguments: [unique.joined(separator: "\n"), InletDatabase.keysText(uniqueKeys), id])
        // By the primary key (kind, value, …): no index has the record first.
        for key in oldKeys {
          try db.execute(
            sql: """
              DELETE FROM directory_keys WHERE kind = ? AND value = ? AND record_type = 'contact'
                AND record_id = ?
              """, arguments: [key.kind.rawValue, key.value, id])
        }
        for key in uniqueKeys {
          try db.execute(
            sql: """
              INSERT OR IGNORE INTO directory_keys (kind, value, record_type, record_id)
              VALUES (?, ?, 'contact', ?)
              """, arguments: [key.kind.rawValue, key.value, id])
        }
      }
    }
    // A sender's accepted inquiries, for a sender the directory does not know yet
    // (`applyAcceptedSender`): partial indexes, so the webhook path's lookup stays small however
    // many `new` inquiries share a phone.
    migrator.registerMigration("2026-11-30-6-accepted-senders") { db in
      for column in ["sender_email", "sender_phone", "sender_messenger"] {
        let name = "inquiries_accepted_" + column.dropFirst("sender_".count)
        try db.execute(
          sql: """
            CREATE INDEX \(name) ON inquiries(\(column), updated_at)
            WHERE status = 'accepted'
            """)
      }
    }
    // A conversation's latest inquiry (`ORDER BY last_message_at DESC, id DESC LIMIT 1` for each
    // messenger message) read from the index, not sorted from all the chat's inquiries; only
    // conversations are indexed.
    migrator.registerMigration("2026-12-01-1-conversation-latest") { db in
      try db.execute(sql: "DROP INDEX inquiries_conversation")
      try db.execute(
        sql: """
          CREATE INDEX inquiries_conversation_latest
          ON inquiries(conversation_key, last_message_at, id) WHERE conversation_key IS NOT NULL
          """)
    }
    migrator.registerMigration("2026-12-01-2-open-calls") { db in
      // Calls no event has ended yet, by their last event: the few a sweep of lost hangups
      // reads (`call_timeout`), without a scan of every call ever made.
      try db.execute(sql: "ALTER TABLE calls ADD COLUMN open INTEGER NOT NULL DEFAULT 0")
      try db.execute(
        sql: """
          UPDATE calls SET open = 1
          WHERE json_extract(record, '$.state') NOT IN ('ended', 'missed')
          """)
      try db.execute(sql: "CREATE INDEX calls_open ON calls(updated_at) WHERE open = 1")
    }
    migrator.registerMigration("2026-12-01-3-directory-inn") { db in
      // Clients' INNs are read as an inquiry's are now (`INN.read`): an «ИНН/КПП» column
      // (`7707083893/770701001`), dashes or a label. Clients stored before with such a value
      // were kept without their INN key; they get it now, without a new import.
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT id, inn, keys FROM clients
          WHERE inn IS NOT NULL AND (inn_valid IS NULL OR inn_valid = 0)
          """)
      for row in rows {
        let id: String = row["id"]
        guard let raw: String = row["inn"], let inn = INN.read(raw) else { continue }
        try db.execute(
          sql: "UPDATE clients SET inn = ?, inn_valid = 1 WHERE id = ?", arguments: [inn, id])
        try InletDatabase.addKeys(
          [DirectoryKey(.inn, inn)], to: .client, id: id,
          listed: InletDatabase.parseKeys(row["keys"]), in: db)
      }
    }
    migrator.registerMigration("2026-12-01-4-call-raw-item") { db in
      // A call's latest raw event: the raw item a call closed by its timeout, its direction
      // never stated, links the inquiry it then makes to.
      try db.execute(sql: "ALTER TABLE calls ADD COLUMN raw_id INTEGER")
    }
    migrator.registerMigration("2026-12-01-5-email-keys") { db in
      // What a fresh import now stores, for records stored before (without an import): a
      // website's address in a client's `domains` is its host's key; the domain of a client's
      // own e-mail is a key (`email_domain`, unless the client lists that domain); an aliased
      // address's mailbox is a key (`mailbox`). Only contacts whose keys can hold an alias are
      // read: a directory of a million contacts is not loaded whole.
      let queries: [(DirectoryHit.RecordType, String)] = [
        (
          .client,
          """
          SELECT id, keys, domains FROM clients
          WHERE keys LIKE '%email' || char(9) || '%' OR domains IS NOT NULL
          """
        ),
        (
          .contact,
          """
          SELECT id, keys, NULL AS domains FROM contacts
          WHERE keys LIKE '%+%' OR keys LIKE '%@gmail.com%' OR keys LIKE '%@googlemail.com%'
            OR keys LIKE '%@ya.ru%' OR keys LIKE '%@yandex.%'
          """
        ),
      ]
      for (type, sql) in queries {
        for row in try Row.fetchAll(db, sql: sql) {
          let id: String = row["id"]
          let keys = InletDatabase.parseKeys(row["keys"])
          var added: [DirectoryKey] = []
          if let text: String = row["domains"] {
            let domains = DirectoryNormalizer.normalizedDomains(
              text.split(separator: "\n").map(String.init))
            let normalised = domains.values.joined(separator: "\n")
            if normalised != text {
              try db.execute(
                sql: "UPDATE clients SET domains = ? WHERE id = ?", arguments: [normalised, id])
            }
            added += domains.keys
          }
          let emails = keys.filter { $0.kind == .email }.map(\.value)
          if type == .client {
            let listed = (keys + added).filter { $0.kind == .domain }.map(\.value)
            DirectoryNormalizer.addEmailDomains(of: emails, listed: listed, to: &added)
          }
          added += emails.compactMap(EmailNormalizer.mailbox).map { DirectoryKey(.mailbox, $0) }
          added = added.filter { !keys.contains($0) }
          guard !added.isEmpty else { continue }
          try InletDatabase.addKeys(added, to: type, id: id, listed: keys, in: db)
        }
      }
    }
    // An inquiry stored with an empty `document` is as its `inquiry.created` event's payload
    // says (the ingest writes that JSON once, not twice); the index finds the event, and the
    // view `inquiry_documents` gives every inquiry's JSON to whoever reads the file with SQL.
    migrator.registerMigration("2026-12-01-6-created-events") { db in
      try db.execute(
        sql: """
          CREATE INDEX events_created ON events(inquiry_id) WHERE type = 'inquiry.created';
          CREATE VIEW inquiry_documents AS
            SELECT id, COALESCE(NULLIF(inquiries.document, ''), (SELECT payload FROM events
              WHERE events.inquiry_id = inquiries.id AND events.type = 'inquiry.created'
              ORDER BY events.id LIMIT 1)) AS document
            FROM inquiries;
          """)
    }
    // A client that is a person (B2C): its own keys are the sender's own.
    migrator.registerMigration("2026-12-01-7-person-clients") { db in
      try db.alter(table: "clients") { t in
        t.add(column: "person", .boolean).notNull().defaults(to: false)
      }
    }
    // What the queue was last matched with (``InletDatabase/rematchQueueIfRulesChanged()``).
    migrator.registerMigration("2026-12-01-8-matching-state") { db in
      try db.create(table: "matching_state") { t in
        t.primaryKey("id", .integer).check { $0 == 1 }
        t.column("fingerprint", .text).notNull()
      }
    }
    // Retention of the change feed (``InletDatabase/pruneEvents(before:)``): how far it
    // deleted, and the deliveries of an event found without a scan.
    migrator.registerMigration("2026-12-01-9-event-retention") { db in
      try db.create(table: "events_pruned") { t in
        t.primaryKey("id", .integer).check { $0 == 1 }
        t.column("through", .integer).notNull()
      }
      try db.create(index: "deliveries_event", on: "deliveries", columns: ["event_id"])
    }
    // Where push delivery was switched off (``InletDatabase/setDeliveryEnabled(_:now:)``): the
    // last event recorded while it was on.
    migrator.registerMigration("2026-12-01-9a-delivery-off-since") { db in
      try db.alter(table: "delivery_settings") { t in
        t.add(column: "off_since_event", .integer)
        t.add(column: "off_at", .double)
      }
    }
    // `inquiries.updated_at` as the text every writer uses: decisions wrote seconds before,
    // which compare as below every date.
    migrator.registerMigration("2026-12-01-9b-inquiry-updated-at-text") { db in
      try db.execute(
        sql: """
          UPDATE inquiries SET updated_at = strftime('%Y-%m-%d %H:%M:%f', updated_at, 'unixepoch')
          WHERE typeof(updated_at) IN ('real', 'integer')
          """)
    }
    // An inquiry's place in the `new` queue when a decision was taken back (``reopen``): a
    // number from the inquiries' own sequence, so it sorts after every lead that came before
    // the reopening, and a listing resumed from an earlier position returns it.
    migrator.registerMigration("2026-12-02-1-requeued") { db in
      try db.create(table: "inquiry_requeued") { t in
        t.primaryKey("inquiry_id", .integer).references("inquiries", onDelete: .cascade)
        t.column("position", .integer).notNull().unique()
      }
    }
    // The match's client and contact beside the document (``InquiryRecord/matchClientID``): a
    // directory write selects the `new` inquiries matched to what it changed from them, not
    // by reading every document. The ingest writes them with the row; every later writer of
    // `document` through the trigger.
    migrator.registerMigration("2026-12-02-2-inquiry-match-columns") { db in
      try db.alter(table: "inquiries") { t in
        t.add(column: "match_client_id", .text)
        t.add(column: "match_contact_id", .text)
      }
      try db.execute(
        sql: """
          CREATE TRIGGER inquiries_match_columns AFTER UPDATE OF document ON inquiries
          WHEN NEW.document != '' AND json_valid(NEW.document)
            AND (NEW.match_client_id IS NOT json_extract(NEW.document, '$.match.client_id')
              OR NEW.match_contact_id IS NOT json_extract(NEW.document, '$.match.contact_id'))
          BEGIN
            UPDATE inquiries SET
              match_client_id = json_extract(NEW.document, '$.match.client_id'),
              match_contact_id = json_extract(NEW.document, '$.match.contact_id')
            WHERE id = NEW.id;
          END
          """)
      // Only `new` inquiries are read by them; one reopened gets them as its document is written.
      try db.execute(
        sql: """
          UPDATE inquiries SET
            match_client_id = json_extract(\(InquiryRecord.documentSQL), '$.match.client_id'),
            match_contact_id = json_extract(\(InquiryRecord.documentSQL), '$.match.contact_id')
          WHERE status = 'new' AND json_valid(\(InquiryRecord.documentSQL))
          """)
    }
    migrator.registerMigration("2026-12-02-3-directory-deleted") { db in
      // What the CRM deleted: an acceptance naming it (a client, a deal) is no longer offered.
      // A row counts only while the record is absent: one written again is simply there.
      try db.create(table: "directory_deleted") { t in
        t.column("kind", .text).notNull()
        t.column("id", .text).notNull()
        t.column("deleted_at", .double).notNull()
        t.primaryKey(["kind", "id"])
      }
    }
    migrator.registerMigration("2026-12-02-4-mail-references") { db in
      // The letters each stored letter references (its In-Reply-To and References, as
      // `mail:<Message-ID>` keys): a letter that arrives after a reply to it (fetched from
      // another mailbox first) finds the reply's inquiry and joins it.
      try db.create(table: "mail_references") { t in
        t.column("message_key", .text).notNull()
        t.column("raw_id", .integer).notNull()
        t.primaryKey(["message_key", "raw_id"])
      }
    }
    return migrator
  }()
}
