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
    let inquiry = try assemble(record, in: db)
    let payload = String(decoding: try InquiryJSON.encoder().encode(inquiry), as: UTF8.self)
    let now = Date().timeIntervalSince1970
    try db.execute(
      sql: "INSERT INTO events (type, inquiry_id, payload, created_at) VALUES (?, ?, ?, ?)",
      arguments: [type.rawValue, inquiryID, payload, now])
    let eventID = db.lastInsertedRowID
    if try deliveryEnabled(in: db) {
      try db.execute(
        sql: """
          INSERT INTO deliveries (event_id, inquiry_id, status, attempts, next_attempt_at,
            created_at) VALUES (?, ?, 'pending', 0, ?, ?)
          """,
        arguments: [eventID, inquiryID, now, now])
    }
    return eventID
  }

  static func deliveryEnabled(in db: Database) throws -> Bool {
    try Bool.fetchOne(db, sql: "SELECT enabled FROM delivery_settings WHERE id = 1") ?? false
  }

  /// Turns filling the outbox on or off; the daemon sets it from `delivery:` at start-up.
  public func setDeliveryEnabled(_ enabled: Bool) async throws {
    try await write { db in
      try db.execute(
        sql: "INSERT OR REPLACE INTO delivery_settings (id, enabled) VALUES (1, ?)",
        arguments: [enabled])
    }
  }
}
