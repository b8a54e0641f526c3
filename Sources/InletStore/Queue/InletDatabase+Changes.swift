import Foundation
import GRDB
import InletCore

/// The kind of change an event reports.
public enum ChangeType: String, Sendable, Codable, CaseIterable {
  case created = "inquiry.created"
  case updated = "inquiry.updated"
}

extension InletDatabase {
  /// Records a change of an inquiry inside the caller's transaction: one row in `events` (the
  /// SSE sequence) and, when push delivery is enabled, one in the `deliveries` outbox — so a
  /// committed change is never missing from either. Returns the event id.
  @discardableResult
  static func recordChange(_ type: ChangeType, inquiryID: Int64, in db: Database) throws -> Int64 {
    guard let record = try InquiryRecord.fetchOne(db, key: inquiryID) else {
      throw DatabaseError(message: "no inquiry \(inquiryID) to record a change of")
    }
    return try recordChange(type, inquiry: try assemble(record, in: db), in: db)
  }

  /// The same, for a caller that holds the inquiry as ``assemble(_:in:)`` would return it (the
  /// ingest path, which just wrote it): no read-back, one JSON encoding.
  @discardableResult
  static func recordChange(_ type: ChangeType, inquiry: Inquiry, in db: Database) throws -> Int64 {
    guard let inquiryID = Int64(inquiry.id) else {
      throw DatabaseError(message: "inquiry id `\(inquiry.id)` is not a queue id")
    }
    return try recordChange(type, inquiryID: inquiryID, payload: inquiry.jsonBytes, in: db)
  }

  /// The same, with the inquiry already encoded as `assemble` would return it (the bytes are
  /// bound as they are).
  @discardableResult
  static func recordChange(
    _ type: ChangeType, inquiryID: Int64, payload: [UInt8], in db: Database
  ) throws -> Int64 {
    let now = Date().timeIntervalSince1970
    let insert = try db.cachedStatement(
      sql: "INSERT INTO events (type, inquiry_id, payload, created_at) VALUES (?, ?, ?, ?)")
    try db.executeDirect(insert) { bind in
      try bind.text(1, type.rawValue)
      try bind.integer(2, inquiryID)
      try bind.text(3, utf8: payload)
      try bind.real(4, now)
    }
    let eventID = db.lastInsertedRowID
    if try deliveryEnabled(in: db) {
      try db.cachedStatement(
        sql: """
          INSERT INTO deliveries (event_id, inquiry_id, status, attempts, next_attempt_at,
            created_at) VALUES (?, ?, 'pending', 0, ?, ?)
          """
      ).execute(arguments: [eventID, inquiryID, now, now])
    }
    return eventID
  }

  /// Rewrites stored inquiry `id` through `change` — its document and `updated_at`, with an
  /// `inquiry.updated` event — when `change` says it changed something (it is handed the
  /// stored row too). Returns whether it was written.
  @discardableResult
  static func rewriteInquiry(
    _ id: Int64, at now: Date, in db: Database,
    _ change: (_ inquiry: inout Inquiry, _ stored: InquiryRecord) throws -> Bool
  ) throws -> Bool {
    guard var record = try InquiryRecord.fetchOne(db, key: id) else { return false }
    var inquiry = try InquiryJSON.decodeStored(record.document)
    guard try change(&inquiry, record) else { return false }
    record.document = String(decoding: inquiry.jsonBytes, as: UTF8.self)
    record.updatedAt = now
    try record.update(db, columns: ["document", "updated_at"])
    try recordChange(.updated, inquiryID: id, in: db)
    return true
  }

  static func deliveryEnabled(in db: Database) throws -> Bool {
    try db.queryFirstDirect(
      db.cachedStatement(sql: "SELECT enabled FROM delivery_settings WHERE id = 1")
    ) { row in (row.integer(0) ?? 0) != 0 } ?? false
  }

  /// Turns filling the outbox on or off; the daemon sets it from `delivery:` at start-up.
  ///
  /// Switched off, it notes the last event and the time; switched on again, every inquiry that
  /// changed meanwhile is pushed: its `inquiry.created` when it arrived meanwhile, and its
  /// newest event — so the CRM hears of each new lead as created and is not left with the
  /// state it had before the pause. (Where `retention.events` deleted those events, an
  /// inquiry changed since the switch-off gets a fresh event of its state now.) Returns how
  /// many deliveries were queued so (0 when it was on already, or never on: a first
  /// `delivery:` on an old database does not push its history — the CRM reads the queue).
  @discardableResult
  public func setDeliveryEnabled(_ enabled: Bool, now: Date = Date()) async throws -> Int {
    try await write { db in
      let row = try Row.fetchOne(
        db, sql: "SELECT enabled, off_since_event, off_at FROM delivery_settings WHERE id = 1")
      let wasEnabled = row.map { ($0["enabled"] as Int64? ?? 0) != 0 }
      let offSince: Int64? = row?["off_since_event"]
      let offAt: Double? = row?["off_at"]
      switch (enabled, wasEnabled) {
      case (true, true), (false, false):
        return 0
      case (false, nil):
        // Never on: nothing to catch up with when it is.
        try db.execute(sql: "INSERT INTO delivery_settings (id, enabled) VALUES (1, 0)")
        return 0
      case (false, true):
        try db.execute(
          sql: """
            UPDATE delivery_settings SET enabled = 0, off_since_event = ?, off_at = ?
            WHERE id = 1
            """,
          arguments: [try Self.lastEventID(db), now.timeIntervalSince1970])
        return 0
      case (true, _):
        try db.execute(
          sql: """
            INSERT OR REPLACE INTO delivery_settings (id, enabled, off_since_event, off_at)
            VALUES (1, 1, NULL, NULL)
            """)
        guard let offSince else { return 0 }
        return try Self.catchUp(after: offSince, offAt: offAt, now: now, in: db)
      }
    }
  }

  /// The deliveries of ``setDeliveryEnabled(_:now:)`` switched on again after event `offSince`.
  private static func catchUp(after offSince: Int64, offAt: Double?, now: Date, in db: Database)
    throws -> Int
  {
    let time = now.timeIntervalSince1970
    try db.execute(
      sql: """
        WITH latest AS (SELECT MAX(id) AS id FROM events WHERE id > ? GROUP BY inquiry_id)
        INSERT INTO deliveries (event_id, inquiry_id, status, attempts, next_attempt_at,
          created_at)
        SELECT e.id, e.inquiry_id, 'pending', 0, ?, ? FROM events e
        WHERE e.id > ? AND (e.type = 'inquiry.created' OR e.id IN (SELECT id FROM latest))
        ORDER BY e.id
        """,
      arguments: [offSince, time, time, offSince])
    var queued = db.changesCount
    // Events of the pause that retention deleted: their inquiries are found by time.
    guard let offAt, try prunedThrough(db) > offSince else { return queued }
    let changed = try Row.fetchAll(
      db,
      sql: """
        SELECT id, received_at >= :off AS arrived FROM inquiries
        WHERE (updated_at >= :off OR received_at >= :off)
          AND NOT EXISTS (SELECT 1 FROM events WHERE events.inquiry_id = inquiries.id
            AND events.id > :after)
        ORDER BY id
        """,
      arguments: ["off": StoredDate.text(Date(timeIntervalSince1970: offAt)), "after": offSince])
    for row in changed {
      let arrived: Bool = row["arrived"]
      try recordChange(arrived ? .created : .updated, inquiryID: row["id"], in: db)
      queued += 1
    }
    return queued
  }

  /// The last event id given out (with the ids a restore skipped).
  static func lastEventID(_ db: Database) throws -> Int64 {
    try Int64.fetchOne(
      db,
      sql: """
        SELECT MAX(COALESCE((SELECT MAX(id) FROM events), 0),
          COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0))
        """) ?? 0
  }
}
