import Foundation
import GRDB
import InletCore

extension InletDatabase {
  /// Applies a decision to inquiry `id` in one transaction with its event and outbox rows.
  public func apply(_ transition: Transition, to id: String, by token: String) async throws
    -> TransitionOutcome
  {
    let now = Date()
    let settings = directorySettings
    return try await write { db in
      try Self.apply(transition, to: id, by: token, at: now, settings: settings, in: db)
    }
  }

  static func apply(
    _ requested: Transition, to id: String, by token: String, at now: Date,
    settings: DirectorySettings, in db: Database
  ) throws -> TransitionOutcome {
    var transition = requested
    let key: Int64
    switch try resolve(id, in: db) {
    case .inquiry(let inquiryID): key = inquiryID
    case .rawItem(let status): return .rawItem(status: status)
    case .none: return .notFound
    }
    guard let record = try InquiryRecord.fetchOne(db, key: key) else { return .notFound }
    // `into` may be an `r<raw id>` of a listing too: the inquiry that item made, recorded by
    // its own id. One that made none is no target — after the source's own state is checked:
    // a decided inquiry answers 409 whatever the target (an `r<id>` left as it is is no
    // inquiry id below).
    if case .merge(let into) = requested, into.hasPrefix("r"), let rawID = Int64(into.dropFirst()),
      let target = try Int64.fetchOne(
        db, sql: "SELECT inquiry_id FROM raw_items WHERE id = ?", arguments: [rawID])
    {
      transition = .merge(into: String(target))
    }
    let current = try assemble(record, in: db)
    if record.status != InquiryStatus.new.rawValue {
      if record.status == transition.status.rawValue, let existing = current.acceptance,
        transition.isRepeat(of: existing)
      {
        return .unchanged(current)
      }
      return .conflict(
        "inquiry \(key) is already `\(record.status)`; only a `new` inquiry can be "
          + "\(verb(transition))")
    }
    var mergedInto: Int64?
    if case .merge(let into) = transition {
      guard let target = Int64(into), let targetRecord = try InquiryRecord.fetchOne(db, key: target)
      else { return .targetNotFound }
      if target == key { return .conflict("an inquiry cannot be merged into itself") }
      if targetRecord.status == InquiryStatus.merged.rawValue {
        return .conflict("inquiry \(into) was itself merged; merge into the one it went into")
      }
      mergedInto = target
    }
    let acceptance = transition.acceptance(by: token, at: now)
    var document = try InquiryJSON.decodeStored(record.document)
    document.acceptance = acceptance
    document.status = transition.status.rawValue
    let encoder = InquiryJSON.encoder()
    try db.execute(
      sql: """
        UPDATE inquiries SET status = ?, document = ?, acceptance = ?, merged_into = ?,
          updated_at = ? WHERE id = ?
        """,
      arguments: [
        transition.status.rawValue, String(decoding: document.jsonBytes, as: UTF8.self),
        String(decoding: try encoder.encode(acceptance), as: UTF8.self), mergedInto,
        StoredDate.text(now), key,
      ])
    try recordChange(.updated, inquiryID: key, in: db)
    if let mergedInto {
      try carry(current, into: mergedInto, settings: settings, at: now, in: db)
    }
    if acceptance.clientID != nil, transition.status == .accepted {
      // The sender's other `new` inquiries now have a client to be suggested for.
      try rematch(
        sameSenderAs: current.sender, excluding: key, settings: settings, at: now, in: db)
    }
    if transition.status == .accepted {
      // The `new` inquiries continuing it (replies that came while it was new again after a
      // reopen) take its decision, as reopening took it away from them.
      try rematch(stored: threadedInquiries(of: key, in: db), settings: settings, at: now, in: db)
    }
    guard let updated = try InquiryRecord.fetchOne(db, key: key) else { return .notFound }
    return .changed(try assemble(updated, in: db))
  }

  /// What an id of the API names: an inquiry, or for `r<raw id>` (as `GET /inquiries/r<raw id>`
  /// reads it) the inquiry the raw item made or joined, also one `inlet replay` made later; an
  /// item without one is no inquiry.
  enum Resolved {
    case inquiry(Int64)
    case rawItem(status: String)
  }

  static func resolve(_ id: String, in db: Database) throws -> Resolved? {
    guard id.hasPrefix("r"), let rawID = Int64(id.dropFirst()) else {
      return Int64(id).map(Resolved.inquiry)
    }
    guard
      let row = try Row.fetchOne(
        db, sql: "SELECT status, inquiry_id FROM raw_items WHERE id = ?", arguments: [rawID])
    else { return nil }
    if let inquiryID = row["inquiry_id"] as Int64? { return .inquiry(inquiryID) }
    return .rawItem(status: row["status"])
  }

  /// Puts a reopened inquiry at the end of the `new` queue's order (``queued(_:after:limit:in:)``):
  /// its position is the next number of the inquiries' sequence, which the next lead's id then
  /// follows.
  static func requeue(_ id: Int64, in db: Database) throws {
    // (The inquiry it reopens was inserted: the table's sequence row exists.)
    let position = try Int64.fetchOne(
      db,
      sql: "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'inquiries' RETURNING seq")
    try db.execute(
      sql: """
        INSERT INTO inquiry_requeued (inquiry_id, position) VALUES (?, ?)
        ON CONFLICT (inquiry_id) DO UPDATE SET position = excluded.position
        """, arguments: [id, position])
  }

  /// Takes a decision back: the inquiry is `new` again, without its `acceptance` (the event
  /// sequence keeps the decision it had), matched again, for the manager or a CRM that decided
  /// wrongly; the `new` inquiries threaded to it are matched again without its decision. A
  /// merged inquiry's messages stay on the one it went into as well. Already `new`: unchanged.
  /// With `decidedAt` (the decision's `acceptance.at` as the client read it), only that
  /// decision is taken back: a later one (another manager's, after this client's first try)
  /// is a conflict, not undone by a retry.
  /// Decision times are whole seconds, as the JSON shows them.
  public func reopen(_ id: String, decidedAt: Date? = nil) async throws -> TransitionOutcome {
    let now = Date()
    let settings = directorySettings
    return try await write { db in
      let key: Int64
      switch try Self.resolve(id, in: db) {
      case .inquiry(let inquiryID): key = inquiryID
      case .rawItem(let status): return .rawItem(status: status)
      case .none: return .notFound
      }
      guard let record = try InquiryRecord.fetchOne(db, key: key) else { return .notFound }
      if record.status == InquiryStatus.new.rawValue {
        return .unchanged(try Self.assemble(record, in: db))
      }
      var document = try InquiryJSON.decodeStored(record.document)
      if let decidedAt {
        func second(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
        let current = document.acceptance.map { Inquiry.timestamp($0.at) }
        guard let at = document.acceptance?.at, second(at) == second(decidedAt) else {
          return .conflict(
            "inquiry \(key) is `\(record.status)` by a decision "
              + (current.map { "taken at \($0)" } ?? "without a time")
              + ", not the one taken at \(Inquiry.timestamp(decidedAt)): it was decided again "
              + "since; read it "
              + "and reopen with its `acceptance.at` if that decision is to be taken back")
        }
      }
      document.acceptance = nil
      document.status = InquiryStatus.new.rawValue
      // Matched again: the directory may have changed while it was decided (the client the
      // manager created since), and only `new` inquiries follow it.
      try Self.applyMatch(to: &document, settings: settings, storedAs: key, in: db)
      try db.execute(
        sql: """
          UPDATE inquiries SET status = 'new', document = ?, acceptance = NULL,
            merged_into = NULL, updated_at = ? WHERE id = ?
          """,
        arguments: [
          String(decoding: document.jsonBytes, as: UTF8.self), StoredDate.text(now), key,
        ])
      try Self.requeue(key, in: db)
      try Self.recordChange(.updated, inquiryID: key, in: db)
      // The `new` inquiries continuing it, and those of its sender, no longer have its decision
      // to go by.
      try Self.rematch(
        stored: Self.threadedInquiries(of: key, in: db), settings: settings, at: now, in: db)
      if record.status == InquiryStatus.accepted.rawValue {
        try Self.rematch(
          sameSenderAs: document.sender, excluding: key, settings: settings, at: now, in: db)
      }
      guard let updated = try InquiryRecord.fetchOne(db, key: key) else { return .notFound }
      return .changed(try Self.assemble(updated, in: db))
    }
  }

  /// The `new` inquiries continuing inquiry `key` (`thread.inquiry_id`). A continuation is
  /// made after what it continues, so only the inquiries after `key` are read (an accept of
  /// the latest lead reads few, not every `new` inquiry's document).
  static func threadedInquiries(of key: Int64, in db: Database) throws -> [Int64] {
    try Int64.fetchAll(
      db,
      sql: """
        SELECT id FROM inquiries WHERE id > ? AND +status = 'new'
          AND json_extract(\(InquiryRecord.documentSQL), '$.thread.inquiry_id') = ?
        """, arguments: [key, String(key)])
  }

  /// What a merged inquiry brings to the one it went into, so the manager working on that one
  /// sees it: its text and its own continuations as `messages[]` entries (each naming its raw
  /// item), and — while the target is `new` — the contact details and company it lacked, matched
  /// again. The target's `inquiry.updated` event tells the CRM.
  static func carry(
    _ merged: Inquiry, into target: Int64, settings: DirectorySettings, at now: Date,
    in db: Database
  ) throws {
    guard let rawID = merged.source.rawID.flatMap({ Int64($0) }) else { return }
    var entries = [
      (rawID, merged.receivedAt, merged.text ?? merged.subject)
    ]
    for message in merged.messages {
      if let id = Int64(message.rawID) { entries.append((id, message.receivedAt, message.text)) }
    }
    // Each raw item once: a merge again after a reopen, or a merge back the other way, brings
    // nothing the target shows already (its own item, or an entry carried before).
    guard
      let row = try Row.fetchOne(
        db, sql: "SELECT raw_id, status FROM inquiries WHERE id = ?", arguments: [target])
    else { return }
    var shown = Set(
      try Int64.fetchAll(
        db, sql: "SELECT raw_id FROM inquiry_messages WHERE inquiry_id = ?", arguments: [target]))
    shown.insert(row["raw_id"])
    var carried = false
    for (raw, receivedAt, text) in entries where shown.insert(raw).inserted {
      var record = InquiryMessageRecord(
        id: nil, inquiryID: target, rawID: raw, receivedAt: receivedAt, text: text)
      try record.insert(db)
      carried = true
    }
    if row["status"] == InquiryStatus.new.rawValue {
      // The text is in the entry already.
      carried =
        try fillMissingDetails(
          of: target, from: merged, settings: settings, text: false, merged: true, in: db)
        || carried
    }
    // Nothing new for the target (merged again after a reopen): no change to tell of.
    guard carried else { return }
    try db.execute(
      sql: "UPDATE inquiries SET updated_at = ? WHERE id = ?",
      arguments: [StoredDate.text(now), target])
    try recordChange(.updated, inquiryID: target, in: db)
  }

  private static func verb(_ transition: Transition) -> String {
    switch transition {
    case .accept: return "accepted"
    case .reject: return "rejected"
    case .merge: return "merged"
    }
  }
}
