import Foundation
import GRDB
import InletCore

extension InletDatabase {
  /// The stored position of a mailbox folder, if it was ever synchronised.
  public func mailCursor(mailbox: String, folder: String) async throws -> MailCursor? {
    try await read { db in try Self.mailCursor(mailbox: mailbox, folder: folder, in: db) }
  }

  static func mailCursor(mailbox: String, folder: String, in db: Database) throws -> MailCursor? {
    guard
      let row = try Row.fetchOne(
        db,
        sql: """
          SELECT uidvalidity, last_uid, created_at, updated_at, rescan_before, rescan_until
          FROM imap_cursors WHERE mailbox = ? AND folder = ?
          """, arguments: [mailbox, folder])
    else { return nil }
    let updated: Double = row["updated_at"]
    let created: Double? = row["created_at"]
    let before: Double? = row["rescan_before"]
    let until: Int64? = row["rescan_until"]
    return MailCursor(
      uidValidity: UInt32(truncatingIfNeeded: row["uidvalidity"] as Int64),
      lastUID: UInt32(truncatingIfNeeded: row["last_uid"] as Int64),
      createdAt: Date(timeIntervalSince1970: created ?? updated),
      updatedAt: Date(timeIntervalSince1970: updated),
      rescanBefore: before.map { Date(timeIntervalSince1970: $0) },
      rescanUntil: until.map { UInt32(truncatingIfNeeded: $0) })
  }

  /// Sets a folder's cursor without storing letters (the first sync's starting point, or a
  /// new epoch after a UIDVALIDITY change). `createdAt` is kept when the row exists.
  /// `rescan`: the window a rescan after a UIDVALIDITY change leaves alone (letters that
  /// arrived before `before`, among UIDs up to `until`); `nil` clears it.
  public func setMailCursor(
    _ location: MailLocation, lastUID: UInt32, rescan: MailWindow? = nil
  ) async throws {
    try await write { db in
      try Self.advanceCursor(location, to: lastUID, force: true, in: db)
      // A new epoch: the UIDs of letters still to be asked for again name nothing now (their
      // placeholders stay; the rescan finds the letters under their new UIDs).
      try db.execute(
        sql: "DELETE FROM mail_unfetched WHERE mailbox = ? AND folder = ? AND uidvalidity <> ?",
        arguments: [location.mailbox, location.folder, Int64(location.uidValidity)])
      try db.execute(
        sql: """
          UPDATE imap_cursors SET rescan_before = ?, rescan_until = ?
          WHERE mailbox = ? AND folder = ?
          """,
        arguments: [
          rescan?.before.timeIntervalSince1970, rescan.map { Int64($0.until) },
          location.mailbox, location.folder,
        ])
    }
  }

  static func advanceCursor(
    _ location: MailLocation, to lastUID: UInt32, force: Bool, in db: Database
  ) throws {
    let now = Date().timeIntervalSince1970
    // Within one epoch the cursor only moves forward; a new epoch replaces it.
    try db.cachedStatement(
      sql: """
        INSERT INTO imap_cursors (mailbox, folder, uidvalidity, last_uid, updated_at, created_at)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (mailbox, folder) DO UPDATE SET
          last_uid = CASE
            WHEN ? OR imap_cursors.uidvalidity <> excluded.uidvalidity THEN excluded.last_uid
            ELSE max(imap_cursors.last_uid, excluded.last_uid) END,
          uidvalidity = excluded.uidvalidity, updated_at = excluded.updated_at
        """
    ).execute(arguments: [
      location.mailbox, location.folder, Int64(location.uidValidity), Int64(lastUID), now, now,
      force,
    ])
  }

  /// Stores a batch of fetched letters and advances the folder's cursor to `cursor` in the same
  /// transaction: after a crash the batch is either wholly there (and not fetched again) or
  /// wholly absent (and fetched again). Each letter is written in its own savepoint, so one
  /// that fails is quarantined alone.
  public func ingestMail(
    _ items: [MailItem], at location: MailLocation, cursor: UInt32,
    rateLimit: MailRateLimit = MailRateLimit(), owed: Bool = false
  ) async throws -> [MailIngestResult] {
    let settings = directorySettings
    return try await write { db in
      // Usually no letter fails: the chunk is written in one savepoint, not one per letter
      // (two statements each). If one does fail, that savepoint is rolled back and the chunk
      // written again letter by letter, each in its own savepoint, as below.
      var results: [MailIngestResult] = []
      results.reserveCapacity(items.count)
      do {
        try db.inSavepoint {
          for item in items {
            results.append(
              try Self.ingestLetter(
                item, at: location, rateLimit: rateLimit, owed: owed, settings: settings, in: db))
          }
          return .commit
        }
        try Self.advanceCursor(location, to: cursor, force: false, in: db)
        return results
      } catch {
        // A failure after which SQLite rolled the whole transaction back (disk full, an I/O
        // error, out of memory) is not one letter's: going on would write the letters outside
        // any transaction (statements stepped directly commit alone: GRDB refuses only its own
        // once the transaction is gone), so the chunk fails whole and is fetched again by the
        // next pass.
        guard db.isInsideTransaction else { throw error }
        results.removeAll(keepingCapacity: true)
      }
      for item in items {
        var result: MailIngestResult?
        do {
          try db.inSavepoint {
            result = try Self.ingestLetter(
              item, at: location, rateLimit: rateLimit, owed: owed, settings: settings, in: db)
            return .commit
          }
        } catch {
          // A full disk or an I/O error that rolled back only the statement is no fault of the
          // letter's: the chunk fails whole, the cursor stays, the next pass fetches it again.
          guard db.isInsideTransaction, !StorageFailure.isTransient(error) else { throw error }
          // The letter's own data broke a constraint or an encoding: keep it raw, quarantined.
          var failed = item
          failed.outcome = .quarantined(reason: "store_failed: \(error)", partial: nil)
          result = try Self.ingestLetter(
            failed, at: location, rateLimit: rateLimit, owed: owed, settings: settings, in: db)
        }
        results.append(result!)
      }
      try Self.advanceCursor(location, to: cursor, force: false, in: db)
      return results
    }
  }

  static func ingestLetter(
    _ item: MailItem, at location: MailLocation, rateLimit: MailRateLimit, owed: Bool = false,
    settings: DirectorySettings, in db: Database
  ) throws -> MailIngestResult {
    // This copy's place: mailbox, folder, UIDVALIDITY, UID (parameters 1–4 of both statements).
    func bindCopy(_ bind: DirectBindings) throws {
      try bind.text(1, location.mailbox)
      try bind.text(2, location.folder)
      try bind.integer(3, Int64(location.uidValidity))
      try bind.integer(4, Int64(item.uid))
    }
    let copied = try db.queryFirstDirect(
      db.cachedStatement(
        sql: """
          SELECT raw_id FROM mail_copies
          WHERE mailbox = ? AND folder = ? AND uidvalidity = ? AND uid = ?
          """),
      bind: bindCopy
    ) { row in row.integer(0) ?? 0 }
    if let copied { return .alreadyStored(rawID: String(copied)) }
    if item.isUnfetchable { return try keepUnfetchable(item, at: location, in: db) }
    // A letter held back by the per-sender limit owes the server nothing: left where it is, a
    // person still sees it in the mailbox.
    var owed = owed
    func link(_ rawID: Int64) throws {
      let statement = try db.cachedStatement(
        sql: """
          INSERT OR IGNORE INTO mail_copies (mailbox, folder, uidvalidity, uid, raw_id, owed)
          VALUES (?, ?, ?, ?, ?, ?)
          """)
      try db.executeDirect(statement) { bind in
        try bindCopy(bind)
        try bind.integer(5, rawID)
        try bind.integer(6, owed ? 1 : 0)
      }
    }
    func stored(under key: String) throws -> (
      rawID: Int64, inquiryID: Int64?, rateLimited: Bool
    )? {
      try db.queryFirstDirect(
        db.cachedStatement(
          sql: "SELECT id, inquiry_id, reason FROM raw_items WHERE idempotency_key = ?")
      ) { bind in
        try bind.text(1, key)
      } row: { row in
        (
          rawID: row.integer(0) ?? 0, inquiryID: row.integer(1),
          rateLimited: row.text(2) == MailIngestResult.rateLimitedReason
        )
      }
    }
    let existing = try stored(under: item.key) ?? item.earlierKey.flatMap(stored(under:))
    if let existing {
      if existing.rateLimited, existing.inquiryID == nil {
        // Another copy of a letter the limit held back (sent to two of our mailboxes): left
        // where it is too.
        owed = false
        try link(existing.rawID)
        return .kept(
          rawID: String(existing.rawID), status: .ignored,
          reason: MailIngestResult.rateLimitedReason)
      }
      try link(existing.rawID)
      return .duplicate(
        rawID: String(existing.rawID), inquiryID: existing.inquiryID.map(String.init))
    }

    var outcome = item.outcome
    var rateLimited = false
    if case .inquiry(let draft, _, _) = outcome, let sender = item.sender,
      try recentLetters(from: sender, before: item.arrivedAt, window: rateLimit.window, in: db)
        >= rateLimit.count
    {
      outcome = .ignored(reason: MailIngestResult.rateLimitedReason, partial: draft)
      rateLimited = true
      owed = false
    }

    var raw = RawItemRecord(
      id: nil, channel: location.mailbox, event: "letter", transport: item.transport,
      body: Data(item.bytes), idempotencyKey: item.key, receivedAt: item.receivedAt,
      status: RawItemStatus.pending.rawValue, reason: nil, extracted: nil, inquiryID: nil)
    switch outcome {
    case .ignored(let reason, let partial), .quarantined(let reason, let partial):
      let status: RawItemStatus
      if case .ignored = outcome { status = .ignored } else { status = .quarantined }
      raw.status = status.rawValue
      raw.reason = reason
      raw.extracted = partial.map { String(decoding: $0.jsonBytes, as: UTF8.self) }
      try raw.insertCached(db)
      try link(raw.id!)
      // Only letters let through count: a sender at the limit gets `count` per window, not
      // none for as long as they keep writing.
      if !rateLimited { try recordSender(item, rawID: raw.id!, in: db) }
      return .kept(rawID: String(raw.id!), status: status, reason: reason)

    case .inquiry(let inquiry, let files, let references):
      raw.status = RawItemStatus.normalised.rawValue
      try raw.insertCached(db)
      let rawID = raw.id!
      try link(rawID)
      try recordSender(item, rawID: rawID, in: db)
      try recordReferences(references, rawID: rawID, in: db)
      let earlier =
        try threadTarget(of: inquiry, references: references, in: db)
        ?? threadTarget(answering: item.key, in: db)
      if let earlier, earlier.status == InquiryStatus.new.rawValue {
        // The reply may say what the first letter did not (requisites, a phone).
        try fillMissingDetails(of: earlier.id, from: inquiry, settings: settings, in: db)
        // The message is dated by its arrival in the mailbox; the inquiry was updated now.
        try appendContinuation(
          to: earlier.id, raw: &raw, text: inquiry.text, receivedAt: inquiry.receivedAt,
          updatedAt: item.receivedAt, files: files, in: db)
        return .continued(inquiryID: String(earlier.id), rawID: String(rawID))
      }
      let created = try insertInquiry(
        inquiry, raw: &raw, files: files, settings: settings, thread: earlier,
        encoded: item.encoded, in: db)
      guard case .created(let inquiryID, let rawID) = created else {
        throw DatabaseError(message: "a new letter's inquiry was not created: \(created)")
      }
      return .created(inquiryID: inquiryID, rawID: rawID)
    }
  }

  static func recordSender(_ item: MailItem, rawID: Int64, in db: Database) throws {
    guard let sender = item.sender else { return }
    let statement = try db.cachedStatement(
      sql: "INSERT OR REPLACE INTO mail_senders (raw_id, sender, received_at) VALUES (?, ?, ?)")
    try db.executeDirect(statement) { bind in
      try bind.integer(1, rawID)
      try bind.text(2, sender)
      try bind.real(3, item.arrivedAt.timeIntervalSince1970)
    }
  }

  /// The sender's letters that arrived within `window` up to `moment` (arrival times:
  /// `mail_senders.received_at` holds each letter's INTERNALDATE).
  static func recentLetters(
    from sender: String, before moment: Date, window: TimeInterval, in db: Database
  ) throws -> Int {
    try db.queryFirstDirect(
      db.cachedStatement(
        sql: """
          SELECT COUNT(*) FROM mail_senders
          WHERE sender = ? AND received_at >= ? AND received_at <= ?
          """)
    ) { bind in
      try bind.text(1, sender)
      try bind.real(2, (moment - window).timeIntervalSince1970)
      try bind.real(3, moment.timeIntervalSince1970)
    } row: { row in
      Int(row.integer(0) ?? 0)
    } ?? 0
  }

  /// The inquiry a letter continues: the one of the latest letter it references
  /// (``threadTarget(references:in:)``); else, for a reply whose references name no letter
  /// we have (Outlook's name only the letter answered: our manager's, sent from elsewhere),
  /// the latest e-mail inquiry of the last 60 days from the same address whose subject the
  /// reply's is (`Re: Заявка на поставку` → `Заявка на поставку`, also `Re: Re: …`).
  static func threadTarget(of inquiry: Inquiry, references: [String], in db: Database) throws
    -> ThreadTarget?
  {
    if let found = try threadTarget(references: references, in: db) { return found }
    guard inquiry.kind == .email, let email = inquiry.sender.email,
      let subject = MailSubject.replyBase(inquiry.subject)
    else { return nil }
    let rows = try Row.fetchAll(
      db,
      sql: """
        SELECT id, status, merged_into, acceptance,
          json_extract(\(InquiryRecord.documentSQL), '$.subject') AS subject
        FROM inquiries
        WHERE sender_email = ? AND kind = 'email' AND received_at >= ? AND received_at <= ?
        ORDER BY id DESC LIMIT 50
        """,
      arguments: [
        email, StoredDate(inquiry.receivedAt.addingTimeInterval(-60 * 86_400)),
        StoredDate(inquiry.receivedAt.addingTimeInterval(60)),
      ])
    guard let row = rows.first(where: { MailSubject.base($0["subject"]) == subject }) else {
      return nil
    }
    return try threadTarget(row, in: db)
  }

  /// Notes the letters a stored letter references, for ``threadTarget(answering:in:)``.
  static func recordReferences(_ references: [String], rawID: Int64, in db: Database) throws {
    guard !references.isEmpty else { return }
    let statement = try db.cachedStatement(
      sql: "INSERT OR IGNORE INTO mail_references (message_key, raw_id) VALUES (?, ?)")
    for reference in references.suffix(50) {
      try db.executeDirect(statement) { bind in
        try bind.text(1, MailItem.messageIDKeyPrefix + reference)
        try bind.integer(2, rawID)
      }
    }
  }

  /// The inquiry of a letter stored before the one keyed `key` and referencing it: a reply
  /// fetched before the letter it answers (the two came to different mailboxes, or the
  /// original was held up). The earlier letter then joins the reply's inquiry — the same
  /// thread, one lead — rather than making a second one.
  static func threadTarget(answering key: String, in db: Database) throws -> ThreadTarget? {
    guard key.hasPrefix(MailItem.messageIDKeyPrefix) else { return nil }
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(
          sql: """
            SELECT i.id, i.status, i.merged_into, i.acceptance FROM mail_references m
            JOIN raw_items r ON r.id = m.raw_id JOIN inquiries i ON i.id = r.inquiry_id
            WHERE m.message_key = ? ORDER BY r.id LIMIT 1
            """), arguments: [key])
    else { return nil }
    return try threadTarget(row, in: db)
  }

  /// The inquiry an earlier letter of the thread belongs to: the latest referenced letter that
  /// was ingested and made (or joined) an inquiry.
  struct ThreadTarget {
    var id: Int64
    var status: String
    /// The manager's acceptance of it, if it was accepted.
    var acceptance: Inquiry.Acceptance?

    var acceptedInterest: String? { acceptance?.interestID }
  }

  static func threadTarget(references: [String], in db: Database) throws -> ThreadTarget? {
    guard !references.isEmpty else { return nil }
    let keys = references.suffix(50).map { MailItem.messageIDKeyPrefix + $0 }
    let placeholders = Array(repeating: "?", count: keys.count).joined(separator: ",")
    guard
      let row = try Row.fetchOne(
        db,
        sql: """
          SELECT i.id, i.status, i.merged_into, i.acceptance FROM raw_items r
          JOIN inquiries i ON i.id = r.inquiry_id
          WHERE r.idempotency_key IN (\(placeholders)) ORDER BY r.id DESC LIMIT 1
          """, arguments: StatementArguments(keys))
    else { return nil }
    return try threadTarget(row, in: db)
  }

  /// The target an inquiry row (`id, status, merged_into, acceptance`) stands for: a merged
  /// inquiry lives on in the one it went into (followed along a chain of merges: A into B, then
  /// B into C); an acceptance is carried along.
  static func threadTarget(_ row: Row, in db: Database) throws -> ThreadTarget {
    var row = row
    var hops = 0
    while hops < 32, let into: Int64 = row["merged_into"],
      let target = try Row.fetchOne(
        db, sql: "SELECT id, status, merged_into, acceptance FROM inquiries WHERE id = ?",
        arguments: [into])
    {
      row = target
      hops += 1
    }
    var acceptance: Inquiry.Acceptance?
    if let text: String = row["acceptance"] {
      acceptance = try? InquiryJSON.decoder().decode(Inquiry.Acceptance.self, from: Data(text.utf8))
    }
    return ThreadTarget(id: row["id"], status: row["status"], acceptance: acceptance)
  }

  /// The decided inquiry `id` continues (its `thread.inquiry_id`), as a thread target.
  static func threadTarget(id: Int64, in db: Database) throws -> ThreadTarget? {
    guard
      let row = try Row.fetchOne(
        db, sql: "SELECT id, status, merged_into, acceptance FROM inquiries WHERE id = ?",
        arguments: [id])
    else { return nil }
    return try threadTarget(row, in: db)
  }

  /// Appends a continuation (a reply in the thread, another message of the conversation) to a
  /// still-new inquiry: one `messages[]` entry, its files attached, one `inquiry.updated` event.
  static func appendContinuation(
    to inquiryID: Int64, raw: inout RawItemRecord, text: String?, receivedAt: Date,
    updatedAt: Date? = nil, files: [UploadedFile], in db: Database
  ) throws {
    var message = InquiryMessageRecord(
      id: nil, inquiryID: inquiryID, rawID: raw.id!, receivedAt: receivedAt, text: text)
    try message.insert(db)
    try raw.link(to: inquiryID, db)
    _ = try storeFiles(files, rawID: raw.id!, inquiryID: inquiryID, in: db)
    try db.execute(
      sql: "UPDATE inquiries SET updated_at = ? WHERE id = ?",
      arguments: [updatedAt ?? receivedAt, inquiryID])
    try recordChange(.updated, inquiryID: inquiryID, in: db)
  }

  static func storeFiles(
    _ files: [UploadedFile], rawID: Int64, inquiryID: Int64?, in db: Database
  ) throws -> [Inquiry.Attachment] {
    var attachments: [Inquiry.Attachment] = []
    for file in files {
      var attachment = AttachmentRecord(
        id: nil, rawID: rawID, inquiryID: inquiryID, name: sanitize(file.filename),
        contentType: file.contentType, size: file.data.count, data: Data(file.data))
      try attachment.insert(db)
      attachments.append(
        Inquiry.Attachment(
          id: String(attachment.id!), name: attachment.name,
          contentType: attachment.contentType, size: attachment.size))
    }
    return attachments
  }

  /// How many letters each (mailbox, folder) holds in the journal, for tests and status.
  public func mailCopies(mailbox: String) async throws -> Int {
    try await read { db in
      try Int.fetchOne(
        db, sql: "SELECT COUNT(*) FROM mail_copies WHERE mailbox = ?", arguments: [mailbox]) ?? 0
    }
  }
}

extension InletDatabase {
  /// `body` for `uids` in parts of 500: the placeholders of `uid IN (…)` and the arguments of
  /// `mailbox = ? AND folder = ? AND uidvalidity = ? AND uid IN (…)`.
  static func forEachPart(
    of uids: [UInt32], at location: MailLocation,
    _ body: (_ placeholders: String, _ arguments: StatementArguments) throws -> Void
  ) rethrows {
    for start in stride(from: 0, to: uids.count, by: 500) {
      let part = uids[start..<min(start + 500, uids.count)]
      var arguments: StatementArguments = [
        location.mailbox, location.folder, Int64(location.uidValidity),
      ]
      arguments += StatementArguments(part.map { Int64($0) })
      try body(Array(repeating: "?", count: part.count).joined(separator: ","), arguments)
    }
  }

  /// Letters stored at `location` whose `after_ingest` (seen, move) the server has not yet
  /// taken, up to `uid`: a crash or a refusal between the commit and the command.
  public func owedMailUIDs(_ location: MailLocation, upTo uid: UInt32) async throws -> [UInt32] {
    try await read { db in
      try Int64.fetchAll(
        db,
        sql: """
          SELECT uid FROM mail_copies WHERE owed = 1 AND mailbox = ? AND folder = ?
            AND uidvalidity = ? AND uid <= ? ORDER BY uid
          """,
        arguments: [location.mailbox, location.folder, Int64(location.uidValidity), Int64(uid)]
      ).map { UInt32(truncatingIfNeeded: $0) }
    }
  }

  /// Records that the server took `after_ingest` for these letters (or no longer has them).
  public func clearOwed(_ location: MailLocation, uids: [UInt32]) async throws {
    guard !uids.isEmpty else { return }
    try await write { db in
      try Self.forEachPart(of: uids, at: location) { placeholders, arguments in
        try db.execute(
          sql: """
            UPDATE mail_copies SET owed = 0 WHERE owed = 1 AND mailbox = ? AND folder = ?
              AND uidvalidity = ? AND uid IN (\(placeholders))
            """, arguments: arguments)
      }
    }
  }
}
