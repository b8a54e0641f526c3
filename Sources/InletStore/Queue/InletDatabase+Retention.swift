import Foundation
import GRDB

extension InletDatabase {
  /// Events deleted per transaction: the daemon's other writers are not held up.
  static let retentionChunk = 1000

  /// The highest event id retention deleted (0 when none was): a reader whose position is
  /// below it has missed events for good.
  public func prunedEventsThrough() async throws -> Int64 {
    try await read { db in try Self.prunedThrough(db) }
  }

  static func prunedThrough(_ db: Database) throws -> Int64 {
    try Int64.fetchOne(db, sql: "SELECT through FROM events_pruned WHERE id = 1") ?? 0
  }

  /// Deletes the change feed's oldest events, those recorded before `cutoff`, with their
  /// finished deliveries (`retention.events`); returns how many events went.
  ///
  /// Only a prefix of the sequence goes, so "pruned through N" says exactly what a reader
  /// missed: it stops at the first event at or after `cutoff` and at the first event a delivery
  /// still owes the CRM (pending or dead, while push delivery is on). An inquiry whose JSON only its `inquiry.created`
  /// event held (never changed since the ingest) gets it written into its row first: the
  /// inquiry itself is never pruned. Chunked; each chunk is one transaction.
  public func pruneEvents(before cutoff: Date) async throws -> Int {
    var deleted = 0
    while true {
      let count = try await write { db in
        try Self.pruneChunk(before: cutoff.timeIntervalSince1970, in: db)
      }
      deleted += count
      // A shutdown does not wait for a long backlog (a lowered `retention.events`): each
      // chunk is its own transaction, and the next sweep goes on from where this one stopped.
      if count < Self.retentionChunk || Task.isCancelled { return deleted }
    }
  }

  /// What holds retention back: the deliveries still owed (pending, or dead until retried or
  /// discarded) while push delivery is on. Switched off, it owes nothing: switched on again,
  /// it catches up with each inquiry's latest change (``setDeliveryEnabled(_:now:)``).
  static let owedDeliveries = """
    d.status IN ('pending', 'dead')
      AND COALESCE((SELECT enabled FROM delivery_settings WHERE id = 1), 1) = 1
    """

  /// The delivery that keeps events older than `cutoff` (the oldest still owed), if one does:
  /// retention stops there.
  public func retentionHeld(before cutoff: Date) async throws -> Delivery? {
    try await read { db in
      try Row.fetchOne(
        db,
        sql: """
          SELECT \(Self.deliveryColumns) FROM deliveries d JOIN events e ON e.id = d.event_id
          WHERE \(Self.owedDeliveries) AND e.created_at < ?
          ORDER BY d.event_id LIMIT 1
          """,
        arguments: [cutoff.timeIntervalSince1970]
      ).map(Self.delivery)
    }
  }

  private static func pruneChunk(before cutoff: Double, in db: Database) throws -> Int {
    let from = try prunedThrough(db)
    // The first event a delivery still owes: it and every later one stay.
    let owed = try Int64.fetchOne(
      db,
      sql: "SELECT MIN(d.event_id) FROM deliveries d WHERE \(owedDeliveries)")
    var through = from
    var count = 0
    let rows = try Row.fetchCursor(
      db, sql: "SELECT id, created_at FROM events WHERE id > ? ORDER BY id LIMIT ?",
      arguments: [from, retentionChunk])
    while let row = try rows.next() {
      let id: Int64 = row["id"]
      let createdAt: Double = row["created_at"]
      guard createdAt < cutoff, owed.map({ id < $0 }) ?? true else { break }
      through = id
      count += 1
    }
    guard through > from else { return 0 }
    try db.execute(
      sql: """
        UPDATE inquiries SET document = (SELECT e.payload FROM events e
            WHERE e.inquiry_id = inquiries.id AND e.type = 'inquiry.created'
            ORDER BY e.id LIMIT 1)
          WHERE document = '' AND id IN (SELECT inquiry_id FROM events
            WHERE type = 'inquiry.created' AND id > ? AND id <= ?);
        DELETE FROM deliveries WHERE event_id > ? AND event_id <= ?;
        DELETE FROM events WHERE id > ? AND id <= ?;
        INSERT OR REPLACE INTO events_pruned (id, through) VALUES (1, ?);
        """,
      arguments: [from, through, from, through, from, through, through])
    return count
  }
}
