import Foundation
import GRDB
import InletCore

/// What storing an input did.
public enum IngestResult: Sendable, Equatable {
  /// A new raw item and a new inquiry.
  case created(inquiryID: String, rawID: String)
  /// The idempotency key was seen before: nothing new; the earlier ids.
  case duplicate(inquiryID: String?, rawID: String, status: RawItemStatus)
  /// An existing inquiry was updated (a later event of the same call).
  case updated(inquiryID: String, rawID: String)
  /// Kept without an inquiry (`ignored` or `quarantined`, or an event of a call that makes
  /// none, such as an outgoing one: `normalised`).
  case kept(rawID: String, status: RawItemStatus)

  /// The inquiry the input made, joined or repeats, if any.
  public var inquiryID: String? {
    switch self {
    case .created(let id, _), .updated(let id, _): return id
    case .duplicate(let id, _, _): return id
    case .kept: return nil
    }
  }
}

extension InletDatabase {
  /// Stores an authenticated input and what it became, in one transaction shared with the
  /// other concurrent inputs; returns only after the commit.
  public func ingest(_ submission: RawSubmission) async throws -> IngestResult {
    let settings = directorySettings
    // The raw row (transport JSON, body) is prepared here, on the request's task: the writer is
    // the one thread every webhook waits on.
    let raw = RawItemRecord(pending: submission)
    return try await write { db in
      try Self.ingest(submission, raw: raw, settings: settings, in: db)
    }
  }

  static func ingest(
    _ submission: RawSubmission, settings: DirectorySettings = DirectorySettings(), in db: Database
  ) throws -> IngestResult {
    try ingest(submission, raw: RawItemRecord(pending: submission), settings: settings, in: db)
  }

  /// The same with the submission's raw row already prepared (``RawItemRecord/init(pending:)``).
  static func ingest(
    _ submission: RawSubmission, raw prepared: RawItemRecord, settings: DirectorySettings,
    in db: Database
  ) throws -> IngestResult {
    var superseded: Int64?
    if let key = submission.idempotencyKey {
      let statement = try db.cachedStatement(
        sql: "SELECT id, inquiry_id, status FROM raw_items WHERE idempotency_key = ?")
      let duplicate = try db.queryFirstDirect(statement) { bind in
        try bind.text(1, key)
      } row: { row in
        IngestResult.duplicate(
          inquiryID: row.integer(1).map(String.init), rawID: String(row.integer(0) ?? 0),
          status: row.text(2).flatMap(RawItemStatus.init(rawValue:)) ?? .pending)
      }
      if case .duplicate(_, let rawID, let status) = duplicate, status == .quarantined,
        !submission.disposition.isQuarantined, let rawID = Int64(rawID)
      {
        // The sender corrected what made the first attempt unreadable (its Content-Type, a
        // missing field) and retried with the same key: the retry is taken, and the kept
        // attempt gives up its key to it.
        try db.execute(
          sql: """
            UPDATE raw_items SET idempotency_key = NULL,
              reason = COALESCE(reason, '') || '; superseded by a later request with its key, ' ||
                'which could be read'
            WHERE id = ?
            """, arguments: [rawID])
        superseded = rawID
      } else if let duplicate {
        return duplicate
      }
    }
    let result = try store(submission, raw: prepared, settings: settings, in: db)
    if let superseded, let inquiryID = result.inquiryID.flatMap(Int64.init) {
      // The kept attempt is the lead's too: promoted or replayed later, it makes no second one.
      try db.execute(
        sql: "UPDATE raw_items SET inquiry_id = ? WHERE id = ?",
        arguments: [inquiryID, superseded])
    }
    return result
  }

  /// Stores a submission that is no repeat: its raw item and what it became.
  private static func store(
    _ submission: RawSubmission, raw prepared: RawItemRecord, settings: DirectorySettings,
    in db: Database
  ) throws -> IngestResult {
    var raw = prepared

    switch submission.disposition {
    case .ignored(let reason):
      raw.status = RawItemStatus.ignored.rawValue
      raw.reason = reason
      raw.extracted = submission.partial.map { String(decoding: $0.jsonBytes, as: UTF8.self) }
      try raw.insertCached(db)
      return .kept(rawID: String(raw.id!), status: .ignored)
    case .quarantined(let failure, let partial):
      raw.status = RawItemStatus.quarantined.rawValue
      raw.reason = "\(failure.code): \(failure.message)"
      raw.extracted = partial.map { String(decoding: $0.jsonBytes, as: UTF8.self) }
      try raw.insertCached(db)
      return .kept(rawID: String(raw.id!), status: .quarantined)
    case .call(let event, let draft):
      raw.status = RawItemStatus.normalised.rawValue
      try raw.insertCached(db)
      return try applyCall(
        event, draft: draft, raw: &raw, options: submission.context.options, settings: settings,
        in: db)
    case .inquiry(let draft):
      raw.status = RawItemStatus.normalised.rawValue
      try raw.insertCached(db)
      if let conversation = submission.conversation {
        return try applyConversation(
          conversation, draft: draft, raw: &raw, files: submission.files, settings: settings,
          in: db)
      }
      return try insertInquiry(
        draft, raw: &raw, files: submission.files, settings: settings, in: db)
    }
  }

  /// Inserts a new inquiry for a stored raw item, with its attachments and its `created` event;
  /// `thread` is the decided inquiry it continues (a messenger conversation).
  static func insertInquiry(
    _ draft: Inquiry, raw: inout RawItemRecord, files: [UploadedFile],
    settings: DirectorySettings, thread earlier: ThreadTarget? = nil,
    encoded parts: InquiryJSONParts? = nil, in db: Database
  ) throws -> IngestResult {
    let rawID = raw.id!
    var inquiry = draft
    if let earlier { inquiry.thread = Inquiry.Thread(inquiryID: String(earlier.id)) }
    try Self.applyMatch(to: &inquiry, settings: settings, thread: earlier, in: db)
    if files.isEmpty, inquiry.messages.isEmpty {
      return try insertEncodedOnce(inquiry, raw: &raw, encoded: parts, in: db)
    }
    var record = InquiryRecord(inquiry, rawID: rawID)
    try record.insertCached(db)
    let inquiryID = record.id!
    try raw.link(to: inquiryID, db)
    let attachments = try storeFiles(files, rawID: rawID, inquiryID: inquiryID, in: db)
    // The inquiry exactly as `assemble` would read it back, without reading it back.
    inquiry.id = String(inquiryID)
    inquiry.source.rawID = String(rawID)
    inquiry.attachments = attachments
    try Self.recordChange(.created, inquiry: inquiry, in: db)
    return .created(inquiryID: String(inquiryID), rawID: String(rawID))
  }

  /// The usual case — no files, no continuations yet — with the inquiry's JSON encoded and
  /// written once: the id it will get is known beforehand (`AUTOINCREMENT`: one more than the
  /// table's `sqlite_sequence`), so the event's payload is the inquiry exactly as `assemble`
  /// reads it back, and the inquiry's row stores an empty document that stands for it
  /// (``InquiryRecord/documentSQL``; `assemble` sets `id` and `source.raw_id` from the columns
  /// anyway). A letter's text is not written three times (document, event and raw letter).
  static func insertEncodedOnce(
    _ draft: Inquiry, raw: inout RawItemRecord, encoded parts: InquiryJSONParts? = nil,
    in db: Database
  ) throws -> IngestResult {
    let rawID = raw.id!
    let sequence = try db.queryFirstDirect(
      db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'inquiries'")
    ) { row in row.integer(0) ?? 0 }
    let predicted = (sequence ?? 0) + 1
    var inquiry = draft
    inquiry.id = String(predicted)
    inquiry.source.rawID = String(rawID)
    inquiry.attachments = []
    let json = inquiry.jsonBytes(reusing: parts)
    var record = InquiryRecord(inquiry, rawID: rawID, document: "")
    try record.insertCached(db, document: [])
    let inquiryID = record.id ?? predicted
    try raw.link(to: inquiryID, db)
    if inquiryID == predicted {
      try Self.recordChange(.created, inquiryID: inquiryID, payload: json, in: db)
    } else {
      // Not expected (nothing inserts ids by hand); the stored document's id is replaced on
      // reading, but the event must carry the right one. (Its payload is the document too.)
      inquiry.id = String(inquiryID)
      try Self.recordChange(.created, inquiry: inquiry, in: db)
    }
    return .created(inquiryID: String(inquiryID), rawID: String(rawID))
  }

  /// A sender is returning when an earlier inquiry came from the same e-mail, phone or
  /// messenger id (directory matching adds known contacts later).
  static func isReturning(_ sender: Inquiry.Sender, in db: Database) throws -> Bool {
    let messenger = InquiryRecord.messengerKey(sender)
    guard sender.email != nil || sender.phone != nil || messenger != nil else { return false }
    // One statement shape for every sender (`= NULL` matches nothing), so it is compiled once.
    let statement = try db.cachedStatement(
      sql: """
        SELECT 1 FROM inquiries WHERE sender_email = ? OR sender_phone = ?
          OR sender_messenger = ? LIMIT 1
        """)
    return try db.queryFirstDirect(statement) { bind in
      try bind.text(1, sender.email)
      try bind.text(2, sender.phone)
      try bind.text(3, messenger)
    } row: { _ in
      true
    } ?? false
  }

  /// Keeps only the last path component and drops control characters: a file name is shown to
  /// people and may end up on a disk.
  static func sanitize(_ filename: String) -> String {
    let last = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init)
    let cleaned = (last ?? "").unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
    let name = String(String.UnicodeScalarView(cleaned)).trimmingCharacters(in: .whitespaces)
    return name.isEmpty || name == "." || name == ".." ? "attachment" : String(name.prefix(255))
  }
}

extension InquiryRecord {
  init(_ inquiry: Inquiry, rawID: Int64) {
    var document = inquiry
    document.id = ""
    document.messages = []
    document.attachments = []
    self.init(inquiry, rawID: rawID, document: String(decoding: document.jsonBytes, as: UTF8.self))
  }

  /// A row whose document is already encoded.
  init(_ inquiry: Inquiry, rawID: Int64, document: String) {
    self.init(
      id: nil, status: inquiry.status, channel: inquiry.channel, kind: inquiry.kind.rawValue,
      receivedAt: inquiry.receivedAt, rawID: rawID, senderEmail: inquiry.sender.email,
      senderPhone: inquiry.sender.phone, senderMessenger: Self.messengerKey(inquiry.sender),
      companyINN: inquiry.company?.inn,
      // Written now, whenever the lead came (a letter keeps its arrival in the mailbox).
      document: document, updatedAt: max(inquiry.receivedAt, Date()),
      matchClientID: inquiry.match.clientID, matchContactID: inquiry.match.contactID)
  }

  static func messengerKey(_ sender: Inquiry.Sender) -> String? {
    guard let messenger = sender.messenger, let id = messenger.id else { return nil }
    return "\(messenger.network):\(id)"
  }
}
