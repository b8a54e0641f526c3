import Foundation
import GRDB
import Testing

@testable import InletStore

/// The ingest path binds encoded JSON straight to SQLite: what lands must be the same TEXT a
/// `String` argument would have stored, a failing step must throw, and the cached statement must
/// stay usable by GRDB afterwards.
@Suite("Direct inserts")
struct DirectInsertTests {
  @Test("a new inquiry's JSON is written once, as its created event's text; reads see it")
  func storedAsText() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    guard case .created(let id, _) = try await temp.database.ingest(submission(key: "direct-1"))
    else {
      Issue.record("the submission makes an inquiry")
      return
    }
    let rows = try temp.database.readSync { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT i.document, typeof(e.payload) AS payloadType,
            json_extract(e.payload, '$.text') AS text, v.document AS viewed
          FROM inquiries i JOIN events e ON e.inquiry_id = i.id
            JOIN inquiry_documents v ON v.id = i.id
          """)
    }
    let row = try #require(rows.first)
    #expect(rows.count == 1)
    // The row stands for the event's payload instead of repeating it.
    #expect(row["document"] as String == "")
    #expect(row["payloadType"] as String == "text")
    #expect(row["text"] as String? == "Нужен счёт")
    #expect((row["viewed"] as String).contains("Нужен счёт"))
    let inquiry = try #require(try await temp.database.inquiry(id: id))
    #expect(inquiry.text == "Нужен счёт")
    #expect(inquiry.id == id)
    #expect(inquiry.status == "new")
  }

  @Test("a change writes the whole document; the created event keeps the inquiry as it was made")
  func changeKeepsCreatedSnapshot() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    guard case .created(let id, _) = try await temp.database.ingest(submission(key: "direct-2"))
    else {
      Issue.record("the submission makes an inquiry")
      return
    }
    _ = try await temp.database.apply(
      .accept(
        action: .newClient, clientID: "C-1", contactID: nil, interestID: "I-1", comment: nil),
      to: id, by: "crm")
    let accepted = try #require(try await temp.database.inquiry(id: id))
    #expect(accepted.status == "accepted")
    #expect(accepted.acceptance?.clientID == "C-1")
    #expect(accepted.text == "Нужен счёт")
    let (document, viewed) = try temp.database.readSync { db in
      (
        try String.fetchOne(db, sql: "SELECT document FROM inquiries") ?? "",
        try String.fetchOne(db, sql: "SELECT document FROM inquiry_documents") ?? ""
      )
    }
    #expect(document.contains("C-1") && document.contains("Нужен счёт"))
    #expect(viewed == document)
    let events = try await temp.database.events(after: 0)
    #expect(events.map(\.type) == [.created, .updated])
    let created = try JSONSerialization.jsonObject(with: Data(events[0].payload.utf8))
    let status = (created as? [String: Any])?["status"] as? String
    #expect(status == "new")
    #expect(!events[0].payload.contains("C-1"))
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
