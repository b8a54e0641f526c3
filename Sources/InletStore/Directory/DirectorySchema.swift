import GRDB

/// The directory's additions to the schema of `2026-11-29-3-directory` (migration
/// `2026-11-29-5-directory-matching`).
enum DirectorySchema {
  static func addMatchingColumns(in db: Database) throws {
    // The lists as the CRM sent them (normalised where possible), one value per line, so a
    // record reads back whole without joining `directory_keys`.
    try db.alter(table: "clients") { t in
      t.add(column: "inn_valid", .boolean)
      t.add(column: "domains", .text)
      t.add(column: "emails", .text)
      t.add(column: "phones", .text)
    }
    try db.alter(table: "contacts") { t in
      t.add(column: "emails", .text)
      t.add(column: "phones", .text)
      t.add(column: "messengers", .text)
    }
    // The keys table becomes WITHOUT ROWID: its primary key is the whole row, so every key was
    // stored twice (table and index); a 1,000,000-contact import writes about 4,000,000 keys.
    try db.execute(
      sql: """
        CREATE TABLE directory_keys_new (
          kind TEXT NOT NULL, value TEXT NOT NULL, record_type TEXT NOT NULL,
          record_id TEXT NOT NULL, PRIMARY KEY (kind, value, record_type, record_id)
        ) WITHOUT ROWID;
        INSERT INTO directory_keys_new SELECT kind, value, record_type, record_id
          FROM directory_keys;
        DROP TABLE directory_keys;
        ALTER TABLE directory_keys_new RENAME TO directory_keys;
        CREATE INDEX directory_keys_record ON directory_keys (record_type, record_id);
        """)
    // The open interests of a client, newest first, in one index range.
    try db.create(
      index: "interests_client_open", on: "interests",
      columns: ["client_id", "status", "updated_at"])
  }
}
