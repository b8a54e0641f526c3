import GRDB

/// The body of migration `2026-11-29-6-queue-api`: transitions on the inquiry row, the event
/// sequence of the SSE stream and the delivery outbox. Like every migration, frozen once shipped.
enum QueueAPISchema {
  static func create(in db: Database) throws {
    try db.alter(table: "inquiries") { t in
      // The manager's decision as JSON (also inside `document`), queryable without decoding it.
      t.add(column: "acceptance", .text)
      t.add(column: "merged_into", .integer).references("inquiries")
    }
    // One increasing sequence of changes; ids are assigned in commit order, so a reader that
    // saw event N has seen every event below N.
    try db.create(table: "events") { t in
      t.autoIncrementedPrimaryKey("id")
      t.column("type", .text).notNull()
      t.column("inquiry_id", .integer).notNull().references("inquiries")
      t.column("payload", .text).notNull()
      t.column("created_at", .double).notNull()
    }
    // The outbox: one row per event to push, written in the event's transaction.
    try db.create(table: "deliveries") { t in
      t.autoIncrementedPrimaryKey("id")
      t.column("event_id", .integer).notNull().references("events")
      t.column("inquiry_id", .integer).notNull()
      t.column("status", .text).notNull()
      t.column("attempts", .integer).notNull().defaults(to: 0)
      t.column("next_attempt_at", .double).notNull()
      t.column("last_error", .text)
      t.column("created_at", .double).notNull()
      t.column("delivered_at", .double)
    }
    try db.create(
      index: "deliveries_due", on: "deliveries", columns: ["status", "next_attempt_at"])
    try db.create(index: "deliveries_inquiry", on: "deliveries", columns: ["inquiry_id", "id"])
    // Whether push delivery is configured, kept in the file so every writer (the daemon, the
    // CLI's replay) fills the outbox only when something will drain it.
    try db.create(table: "delivery_settings") { t in
      t.primaryKey("id", .integer)
      t.column("enabled", .boolean).notNull()
    }
  }
}
