import Foundation
import GRDB
import InletCore
import Testing

@testable import InletStore

@Suite("Event retention")
struct RetentionTests {
  static func count(_ table: String, in database: InletDatabase) async throws -> Int {
    try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") }
      ?? -1
  }

  @Test("old events go as a prefix; the inquiries keep their JSON; an owed delivery stops it")
  func prunePrefix() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let database = temp.database
    try await database.setDeliveryEnabled(true)
    // a: never changed (its JSON only in its created event); b: rejected (a document of its
    // own); c: its created event's delivery still owed to the CRM.
    let a = try createdID(try await database.ingest(submission(key: "a", email: "a@x.ru")))
    let b = try createdID(try await database.ingest(submission(key: "b", email: "b@x.ru")))
    _ = try await database.apply(.reject(reason: "spam", comment: nil), to: b, by: "crm")
    let c = try createdID(try await database.ingest(submission(key: "c", email: "c@x.ru")))
    let events = try await database.events(after: 0)
    #expect(events.count == 4)
    let aJSON = try #require(try await database.inquiry(id: a))
    // Every delivery but c's delivered.
    let owed = try #require(events.last?.id)
    try await database.write { db in
      try db.execute(
        sql: "UPDATE deliveries SET status = 'delivered' WHERE event_id < ?", arguments: [owed])
    }

    // Nothing is old enough yet.
    #expect(try await database.pruneEvents(before: Date().addingTimeInterval(-3600)) == 0)
    #expect(try await database.prunedEventsThrough() == 0)

    let later = Date().addingTimeInterval(3600)
    #expect(try await database.pruneEvents(before: later) == 3)
    #expect(try await database.prunedEventsThrough() == owed - 1)
    #expect(try await database.events(after: owed - 1).map(\.id) == [owed])
    // From before what was deleted: refused, not a silent gap.
    await #expect(throws: EventsPruned.self) { try await database.events(after: 0) }
    #expect(try await Self.count("deliveries", in: database) == 1)
    // The inquiries read as before: a's JSON moved into its row, b's and c's as they were.
    #expect(try await database.inquiry(id: a) == aJSON)
    #expect(try await database.inquiry(id: b)?.status == "rejected")
    #expect(try await database.inquiry(id: c)?.sender.email == "c@x.ru")
    let documents = try await database.read { db in
      try String.fetchAll(db, sql: "SELECT document FROM inquiry_documents ORDER BY id")
    }
    #expect(documents.count == 3)
    #expect(documents.allSatisfy { $0.contains(#""sender""#) })

    // Delivered at last: c's event goes too; ids go on after it.
    try await database.write { db in
      try db.execute(sql: "UPDATE deliveries SET status = 'delivered'")
    }
    #expect(try await database.pruneEvents(before: later) == 1)
    #expect(try await database.prunedEventsThrough() == owed)
    #expect(try await database.events(after: owed).isEmpty)
    #expect(try await database.lastEventID() == owed)
    let d = try createdID(try await database.ingest(submission(key: "d", email: "d@x.ru")))
    #expect(try await database.events(after: owed).map(\.inquiryID) == [Int64(d)!])
    #expect(try await database.inquiry(id: c)?.sender.email == "c@x.ru")
  }

  @Test("a large backlog goes in chunks; a dead delivery holds it until retried or discarded")
  func chunksAndDeadDeliveries() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let database = temp.database
    for index in 0..<2500 {
      _ = try await database.ingest(submission(key: "k\(index)", email: "l\(index)@x.ru"))
    }
    try await database.setDeliveryEnabled(true)
    let held = try createdID(try await database.ingest(submission(key: "h", email: "h@x.ru")))
    let after = try createdID(try await database.ingest(submission(key: "z", email: "z@x.ru")))
    let dead = try #require(try await database.deliveries(status: nil, after: 0, limit: 10).first)
    try await database.markFailed(dead.id, error: "HTTP 500", retryAt: nil)
    try await database.markDelivered(
      try #require(try await database.deliveries(status: .pending, after: 0, limit: 10).first).id,
      at: Date())

    let later = Date().addingTimeInterval(60)
    // A shutdown cancels the sweep: it stops after the chunk it is in, the rest left for later.
    let cancelled = Task { try await database.pruneEvents(before: later) }
    cancelled.cancel()
    let first = try await cancelled.value
    #expect(first == 1000)
    #expect(try await database.pruneEvents(before: later) == 1500)
    #expect(try await database.prunedEventsThrough() == 2500)
    #expect(try await Self.count("events", in: database) == 2)
    #expect(try await database.inquiry(id: "1")?.sender.email == "l0@x.ru")
    #expect(try await database.inquiry(id: "2500")?.sender.email == "l2499@x.ru")

    _ = try await database.discardDelivery(dead.id)
    #expect(try await database.pruneEvents(before: later) == 2)
    #expect(try await database.inquiry(id: held)?.sender.email == "h@x.ru")
    #expect(try await database.inquiry(id: after)?.sender.email == "z@x.ru")
    #expect(try await Self.count("deliveries", in: database) == 0)
  }

  @Test("push switched off owes nothing: its pending deliveries no longer hold retention")
  func pushOffDoesNotHoldRetention() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let database = temp.database
    try await database.setDeliveryEnabled(true)
    _ = try await database.ingest(submission(key: "a", email: "a@x.ru"))
    _ = try await database.ingest(submission(key: "b", email: "b@x.ru"))
    let later = Date().addingTimeInterval(60)
    // The CRM was failing: both still pending. On, they hold every event.
    #expect(try await database.retentionHeld(before: later) != nil)
    #expect(try await database.pruneEvents(before: later) == 0)
    try await database.setDeliveryEnabled(false)
    #expect(try await database.retentionHeld(before: later) == nil)
    #expect(try await database.pruneEvents(before: later) == 2)
    #expect(try await Self.count("deliveries", in: database) == 0)
    // Switched on again, push catches up with what changed while it was off.
    let c = try createdID(try await database.ingest(submission(key: "c", email: "c@x.ru")))
    #expect(try await database.setDeliveryEnabled(true) == 1)
    let owed = try await database.deliveries(status: .pending, after: 0, limit: 10)
    #expect(owed.map(\.inquiryID) == [c])
  }

  @Test("a pending delivery can be discarded; an answer for it in flight does not revive it")
  func discardPending() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let database = temp.database
    try await database.setDeliveryEnabled(true)
    _ = try await database.ingest(submission(key: "a", email: "a@x.ru"))
    let pending = try #require(
      try await database.deliveries(status: .pending, after: 0, limit: 10).first)
    guard case .changed(let discarded) = try await database.discardDelivery(pending.id) else {
      Issue.record("a pending delivery was not discarded")
      return
    }
    #expect(discarded.status == .discarded)
    // The attempt that was in flight fails (a 503 with Retry-After): it stays discarded.
    try await database.markFailed(pending.id, error: "HTTP 503", retryAt: Date(), counted: false)
    #expect(try await database.deliveries(status: .discarded, after: 0, limit: 10).count == 1)
    #expect(try await database.retentionHeld(before: Date().addingTimeInterval(60)) == nil)
    // Answered 2xx after all: it did reach the CRM.
    try await database.markDelivered(pending.id, at: Date())
    #expect(try await database.deliveries(status: .delivered, after: 0, limit: 10).count == 1)
  }
}

@Suite("Change events")
struct ChangeEventTests {
  @Test("a merge again after a reopen brings nothing new: no inquiry.updated for the target")
  func mergeAgainRecordsNoChange() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let database = temp.database
    let target = try createdID(try await database.ingest(submission(key: "t", email: "a@x.ru")))
    let other = try createdID(try await database.ingest(submission(key: "o", email: "a@x.ru")))
    func targetEvents() async throws -> Int {
      try await database.events(after: 0).filter { $0.inquiryID == Int64(target)! }.count
    }
    _ = try await database.apply(.merge(into: target), to: other, by: "crm")
    let afterMerge = try await targetEvents()
    #expect(afterMerge == 2, "created, then updated by the merge")
    _ = try await database.reopen(other)
    _ = try await database.apply(.merge(into: target), to: other, by: "crm")
    #expect(try await targetEvents() == afterMerge)
    #expect(try await database.inquiry(id: target)?.messages.count == 1)
  }
}
