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

  /// The id of the newest event (0 when there is none): where a fresh stream starts.
  public func lastEventID() async throws -> Int64 {
    try await read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM events") ?? 0 }
  }

  static func event(_ row: Row) -> QueueEvent {
    QueueEvent(
      id: row["id"], type: ChangeType(rawValue: row["type"]) ?? .updated,
      inquiryID: row["inquiry_id"], payload: row["payload"],
      createdAt: Date(timeIntervalSince1970: row["created_at"]))
  }
}
