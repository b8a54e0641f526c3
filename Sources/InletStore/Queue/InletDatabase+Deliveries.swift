import Foundation
import GRDB

/// A delivery ready to send, with the body it carries.
public struct DueDelivery: Sendable {
  public var delivery: Delivery
  /// The inquiry JSON of the event.
  public var payload: String
}

extension InletDatabase {
  /// For a pending delivery, the earlier undelivered one of its inquiry it waits behind.
  private static let waitingFor = """
    CASE WHEN d.status = 'pending' THEN (SELECT MIN(p.id) FROM deliveries p
      WHERE p.inquiry_id = d.inquiry_id AND p.id < d.id
        AND p.status NOT IN ('delivered', 'discarded'))
    END AS waiting_for
    """

  static let deliveryColumns = """
    d.id, d.event_id, e.type, d.inquiry_id, d.status, d.attempts, d.next_attempt_at,
    d.last_error, d.created_at, d.delivered_at, e.payload
    """

  /// Pending deliveries whose time has come, at most one per inquiry: the oldest not yet
  /// delivered. A later change of an inquiry waits behind an earlier one (even a dead one),
  /// which keeps the order per inquiry.
  public func dueDeliveries(now: Date, limit: Int, excluding inFlight: Set<String> = [])
    async throws -> [DueDelivery]
  {
    // The deliveries in flight are still pending: left out here, not read again.
    let excluded = inFlight.compactMap { Int64($0) }
    let notInFlight =
      excluded.isEmpty
      ? "" : "AND d.id NOT IN (\(excluded.map { _ in "?" }.joined(separator: ", ")))"
    return try await read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT \(Self.deliveryColumns) FROM deliveries d JOIN events e ON e.id = d.event_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= ? \(notInFlight)
            AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.inquiry_id = d.inquiry_id
              AND p.id < d.id AND p.status NOT IN ('delivered', 'discarded'))
          ORDER BY d.id LIMIT ?
          """,
        arguments: StatementArguments(
          [now.timeIntervalSince1970 as any DatabaseValueConvertible] + excluded + [limit])
      ).map { DueDelivery(delivery: Self.delivery($0), payload: $0["payload"]) }
    }
  }

  /// Records a 2xx answer.
  public func markDelivered(_ id: String, at now: Date) async throws {
    try await write { db in
      try db.execute(
        sql: """
          UPDATE deliveries SET status = 'delivered', attempts = attempts + 1,
            delivered_at = ?, last_error = NULL WHERE id = ? AND status IN ('pending', 'discarded')
          """,
        arguments: [now.timeIntervalSince1970, Int64(id) ?? -1])
    }
  }

  /// Records a failed attempt: retried at `retryAt`, or dead when `retryAt` is nil.
  /// `counted: false` — the receiver asked to be called back later (429 or 503 with
  /// `Retry-After`): the attempt is not one of `max_attempts`.
  public func markFailed(_ id: String, error: String, retryAt: Date?, counted: Bool = true)
    async throws
  {
    try await write { db in
      try db.execute(
        sql: """
          UPDATE deliveries SET attempts = attempts + \(counted ? 1 : 0), last_error = ?,
            status = ?, next_attempt_at = COALESCE(?, next_attempt_at)
          WHERE id = ? AND status = 'pending'
          """,
        arguments: [
          String(error.prefix(500)), retryAt == nil ? "dead" : "pending",
          retryAt?.timeIntervalSince1970, Int64(id) ?? -1,
        ])
    }
  }

  /// Deliveries in id order, optionally of one status, after the id `after`.
  public func deliveries(status: Delivery.Status?, after: Int64, limit: Int) async throws
    -> [Delivery]
  {
    try await read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT \(Self.deliveryColumns), \(Self.waitingFor)
          FROM deliveries d JOIN events e ON e.id = d.event_id
          WHERE d.id > ? AND (? IS NULL OR d.status = ?) ORDER BY d.id LIMIT ?
          """,
        arguments: [after, status?.rawValue, status?.rawValue, limit]
      ).map(Self.delivery)
    }
  }

  /// What retrying or discarding a dead delivery did.
  public enum DeadDeliveryOutcome: Sendable, Equatable {
    /// Done: the delivery as it is now.
    case changed(Delivery)
    /// Done before (a client's retry of the same request): the delivery as it is now.
    case unchanged(Delivery)
    case notFound
    case notDead(Delivery.Status)
  }

  /// Puts a dead delivery back in the queue with a fresh attempt budget.
  /// One that is pending or delivered already was retried before (or never needed it): it is
  /// answered as it is, unchanged.
  public func retryDelivery(_ id: String, now: Date) async throws -> DeadDeliveryOutcome {
    try await changeDead(
      id, done: [.pending, .delivered],
      sql:
        "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ?",
      arguments: [now.timeIntervalSince1970])
  }

  /// Gives up on a dead or pending delivery (a change the CRM refuses for good: a body over its
  /// limit, a record it rejects; or one a receiver keeps deferring), so the inquiry's later
  /// changes go out; it stays listed, `discarded`. An attempt in flight meanwhile that is
  /// answered 2xx still marks it delivered. A discarded one was discarded before: answered as
  /// it is, unchanged.
  public func discardDelivery(_ id: String) async throws -> DeadDeliveryOutcome {
    try await changeDead(
      id, done: [.discarded], also: [.pending],
      sql: "UPDATE deliveries SET status = 'discarded' WHERE id = ?")
  }

  /// Runs `sql` (its last argument the delivery's id, after `arguments`) on delivery `id` when
  /// it is dead (or of a status in `also`), in one transaction; the delivery as it is then. One
  /// whose status is in `done` already is answered unchanged.
  private func changeDead(
    _ id: String, done: Set<Delivery.Status>, also: Set<Delivery.Status> = [], sql: String,
    arguments: [Double] = []
  ) async throws -> DeadDeliveryOutcome {
    try await write { db in
      guard let key = Int64(id),
        let text = try String.fetchOne(
          db, sql: "SELECT status FROM deliveries WHERE id = ?", arguments: [key])
      else { return .notFound }
      let status = Delivery.Status(rawValue: text) ?? .pending
      func current() throws -> Delivery? {
        try Row.fetchOne(
          db,
          sql:
            "SELECT \(Self.deliveryColumns), \(Self.waitingFor) FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = ?",
          arguments: [key]
        ).map(Self.delivery)
      }
      if done.contains(status) { return try current().map { .unchanged($0) } ?? .notFound }
      guard status == .dead || also.contains(status) else { return .notDead(status) }
      var values: [any DatabaseValueConvertible] = arguments
      values.append(key)
      try db.execute(sql: sql, arguments: StatementArguments(values))
      return try current().map { .changed($0) } ?? .notFound
    }
  }

  /// Puts every dead delivery back in the queue with a fresh attempt budget, in one
  /// transaction (the CRM is back after an outage longer than the retries); returns how many.
  /// Each inquiry's changes still go out oldest first: a revived one is the oldest undelivered
  /// change of its inquiry, and the later ones wait behind it as before.
  public func retryDeadDeliveries(now: Date) async throws -> Int {
    try await write { db in
      try db.execute(
        sql: """
          UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?
          WHERE status = 'dead'
          """,
        arguments: [now.timeIntervalSince1970])
      return db.changesCount
    }
  }

  /// Deliveries by status (metrics and `inlet status`).
  public func deliveryCounts() async throws -> [String: Int] {
    try await read { db in
      var counts: [String: Int] = [:]
      for row in try Row.fetchAll(
        db, sql: "SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status")
      {
        counts[row["status"]] = row["n"]
      }
      return counts
    }
  }

  static func delivery(_ row: Row) -> Delivery {
    Delivery(
      id: String(row["id"] as Int64), eventID: String(row["event_id"] as Int64),
      event: ChangeType(rawValue: row["type"]) ?? .updated,
      inquiryID: String(row["inquiry_id"] as Int64),
      status: Delivery.Status(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
      nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]),
      lastError: row["last_error"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
      deliveredAt: (row["delivered_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
      waitingFor: (row["waiting_for"] as Int64?).map { String($0) })
  }
}
