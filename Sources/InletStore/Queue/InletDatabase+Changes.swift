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

  static func deliveryEnabled(in db: Database) throws -> Bool {
    try db.queryFirstDirect(
      db.cachedStatement(sql: "SELECT enabled FROM delivery_settings WHERE id = 1")
    ) { row in (row.integer(0) ?? 0) != 0 } ?? false
  }

  /// Turns filling the outbox on or off; the daemon sets it from `delivery:` at start-up.
  ///
  /// Switched off, it notes the last event; switched on again, every inquiry that changed
  /// meanwhile gets one delivery of its latest state (its newest event), so the CRM is not left
  /// with the snapshot it had before the pause. Returns how many were queued so (0 when it was
  /// on already, or never on: a first `delivery:` on an old database does not push its
  /// history — the CRM reads the queue).
  @discardableResult
  public func setDeliveryEnabled(_ enabled: Bool, now: Date = Date()) async throws -> Int {
    try await write { db in
      let row = try Row.fetchOne(
        db, sql: "SELECT enabled, off_since_event FROM delivery_settings WHERE id = 1")
      let wasEnabled = row.map { ($0["enabled"] as Int64? ?? 0) != 0 }
      let offSince: Int64? = row?["off_since_event"]
      switch (enabled, wasEnabled) {
      case (true, true), (false, false):
        return 0
      case (false, nil):
        // Never on: nothing to catch up with when it is.
        try db.execute(
          sql: "INSERT INTO delivery_settings (id, enabled) VALUES (1, 0)")
        return 0
      case (false, true):
        let last = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM events") ?? 0
        try db.execute(
          sql: "UPDATE delivery_settings SET enabled = 0, off_since_event = ? WHERE id = 1",
          arguments: [last])
        return 0
      case (true, _):
        var queued = 0
        if let offSince {
          let time = now.timeIntervalSince1970
          try db.execute(
            sql: """
              INSERT INTO deliveries (event_id, inquiry_id, status, attempts, next_attempt_at,
                created_at)
              SELECT MAX(id), inquiry_id, 'pending', 0, ?, ? FROM events WHERE id > ?
              GROUP BY inquiry_id ORDER BY MAX(id)
              """,
            arguments: [time, time, offSince])
          queued = db.changesCount
        }
        try db.execute(
          sql: """
            INSERT OR REPLACE INTO delivery_settings (id, enabled, off_since_event)
            VALUES (1, 1, NULL)
            """)
        return queued
      }
    }
  }
}
