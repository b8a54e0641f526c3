import Foundation
import GRDB
import Testing

@testable import InletStore

/// The ingest path binds encoded JSON straight to SQLite: what lands must be the same TEXT a
/// `String` argument would have stored, a failing step must throw, and the cached statement must
/// stay usable by GRDB afterwards.
@Suite("Direct inserts")
struct DirectInsertTests {
  @Test("documents and payloads are stored as text equal to their JSON")
  func storedAsText() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    _ = try await temp.database.ingest(submission(key: "direct-1"))
    let rows = try temp.database.readSync { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT typeof(i.document) AS documentType, typeof(e.payload) AS payloadType,
            i.document, e.payload, json_extract(e.payload, '$.text') AS text
          FROM inquiries i JOIN events e ON e.inquiry_id = i.id
          """)
    }
    let row = try #require(rows.first)
    #expect(rows.count == 1)
    #expect(row["documentType"] as String == "text")
    #expect(row["payloadType"] as String == "text")
    #expect(row["text"] as String? == "Нужен счёт")
    let document: String = row["document"]
    #expect(document.contains("Нужен счёт"))
  }

  @Test("a failing step throws with SQLite's error; the statement then works through GRDB")
  func failureAndReuse() throws {
    let queue = try DatabaseQueue()
    try queue.write { db in
      try db.execute(sql: "CREATE TABLE t (a TEXT NOT NULL UNIQUE, b INTEGER)")
      let statement = try db.cachedStatement(sql: "INSERT INTO t (a, b) VALUES (?, ?)")
      try db.executeDirect(statement) { bind in
        try bind.text(1, utf8: Array("один".utf8))
        try bind.integer(2, 1)
      }
      #expect(throws: DatabaseError.self) {
        try db.executeDirect(statement) { bind in
          try bind.text(1, nil)
          try bind.integer(2, 2)
        }
      }
      do {
        try db.executeDirect(statement) { bind in
          try bind.text(1, "один")
          try bind.integer(2, 3)
        }
        Issue.record("a duplicate was inserted")
      } catch let error as DatabaseError {
        #expect(error.resultCode == .SQLITE_CONSTRAINT)
      }
      try statement.execute(arguments: ["два", 4])
      let rows = try Row.fetchAll(db, sql: "SELECT a, b FROM t ORDER BY b")
      #expect(rows.map { $0["a"] as String } == ["один", "два"])
    }
  }
}
