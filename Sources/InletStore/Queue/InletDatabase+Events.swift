import Foundation
import GRDB

extension InletDatabase {
  /// Events after `id` in sequence order.
  public func events(after id: Int64, limit: Int = 200) async throws -> [QueueEvent] {
    try await read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT id, type, inquiry_id, payload, created_at FROM events WHERE id > ?
          ORDER BY id LIMIT ?
          """,
        arguments: [id, limit]
      ).map(Self.event)
    }
  }

  /// The id of the newest event, or the last one given out if a restore skipped past it (0
  /// when there is none): where a fresh stream starts.
  public func lastEventID() async throws -> Int64 {
    // With the ids a restore skipped (`sqlite_sequence`): a CRM's id from the replaced
    // database is not ahead of this one.
    try await read { db in
      try Int64.fetchOne(
        db,
        sql: """
          SELECT MAX(COALESCE((SELECT MAX(id) FROM events), 0),
            COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0))
          """) ?? 0
    }
  }

  static func event(_ row: Row) -> QueueEvent {
    QueueEvent(
      id: row["id"], type: ChangeType(rawValue: row["type"]) ?? .updated,
      inquiryID: row["inquiry_id"], payload: row["payload"],
      createdAt: Date(timeIntervalSince1970: row["created_at"]))
  }
}
