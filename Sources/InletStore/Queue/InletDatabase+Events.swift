import Foundation
import GRDB

/// Events after a position were deleted by `retention.events` (up to and with `through`):
/// reading on from it would skip them.
public struct EventsPruned: Error, Sendable {
  public let through: Int64
}

extension InletDatabase {
  /// Events after `id` in sequence order; ``EventsPruned`` when some of them were deleted
  /// (checked in the same read: a sweep between the check and the read cannot open a gap).
  public func events(after id: Int64, limit: Int = 200) async throws -> [QueueEvent] {
    try await read { db in
      let pruned = try Self.prunedThrough(db)
      guard id >= pruned else { throw EventsPruned(through: pruned) }
      return try Row.fetchAll(
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
    try await read { db in try Self.lastEventID(db) }
  }

  static func event(_ row: Row) -> QueueEvent {
    QueueEvent(
      id: row["id"], type: ChangeType(rawValue: row["type"]) ?? .updated,
      inquiryID: row["inquiry_id"], payload: row["payload"],
      createdAt: Date(timeIntervalSince1970: row["created_at"]))
  }
}
