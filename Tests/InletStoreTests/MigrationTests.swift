import Foundation
import GRDB
import Testing

@testable import InletStore

@Suite("Migrations")
struct MigrationTests {
  @Test("a fresh file gets every migration and every table")
  func freshFile() throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    #expect(try temp.database.appliedMigrations() == Migrations.names)
    #expect(try temp.database.isMigrated())
    let tables = try temp.database.readSync { db in
      try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    for table in [
      "raw_items", "inquiries", "inquiry_messages", "attachments", "clients", "contacts",
      "interests", "directory_keys", "imap_cursors",
    ] {
      #expect(tables.contains(table), "missing table \(table)")
    }
    let journalMode = try temp.database.readSync { db in
      try String.fetchOne(db, sql: "PRAGMA journal_mode")
    }
    #expect(journalMode == "wal")
  }

  @Test("a file from the previous migration upgrades and keeps its rows")
  func upgradeFromPrevious() async throws {
    let temp = try TempDatabase(migrate: false)
    defer { temp.remove() }
    let names = Migrations.names
    try #require(names.count >= 2)
    try temp.database.migrate(upTo: names[names.count - 2])
    #expect(try temp.database.appliedMigrations() == Array(names.dropLast()))
    #expect(try !temp.database.isMigrated())

    // A raw item and its inquiry written by the older schema.
    let result = try await temp.database.ingest(submission(key: "site:old"))
    guard case .created(let inquiryID, _) = result else {
      Issue.record("expected a created inquiry, got \(result)")
      return
    }
    try temp.database.migrate()
    #expect(try temp.database.appliedMigrations() == names)
    let inquiry = try #require(try await temp.database.inquiry(id: inquiryID))
    #expect(inquiry.sender.email == "lead@example.ru")
    #expect(inquiry.text == "Нужен счёт")
    // Migrating again is a no-op.
    try temp.database.migrate()
    #expect(try temp.database.appliedMigrations() == names)
  }

  @Test("migration names are unique and ordered")
  func names() {
    let names = Migrations.names
    #expect(Set(names).count == names.count)
    #expect(names == names.sorted())
  }

  @Test("the directory keeps the indexes its queries use and none that no query reads")
  func directoryIndexes() throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let indexes = try temp.database.readSync { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT name FROM sqlite_master WHERE type = 'index'
            AND tbl_name IN ('clients', 'contacts', 'interests', 'directory_keys')
            AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name
          """)
    }
    #expect(indexes == ["clients_on_inn", "interests_client_open"])
  }
}
