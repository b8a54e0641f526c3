import Foundation
import GRDB
import InletCore
import Testing

@testable import InletStore

@Suite("Push delivery switched off and on")
struct DeliverySwitchTests {
  /// (inquiry id, event type) of every delivery, in the outbox's order.
  static func outbox(_ database: InletDatabase) async throws -> [String] {
    try await database.deliveries(status: nil, after: 0, limit: 100).map {
      "\($0.inquiryID) \($0.event.rawValue)"
    }
  }

  @Test("back on, each inquiry changed while it was off is pushed once, in its latest state")
  func catchUp() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let database = temp.database
    #expect(try await database.setDeliveryEnabled(true) == 0)
    let a = try createdID(try await database.ingest(submission(key: "a", email: "a@x.ru")))
    #expect(try await database.setDeliveryEnabled(false) == 0)
    // Off: b and c arrive, a is rejected, c is rejected: nothing goes to the outbox.
    let b = try createdID(try await database.ingest(submission(key: "b", email: "b@x.ru")))
    _ = try await database.apply(.reject(reason: "spam", comment: nil), to: a, by: "crm")
    let c = try createdID(try await database.ingest(submission(key: "c", email: "c@x.ru")))
    _ = try await database.apply(.reject(reason: "duplicate", comment: nil), to: c, by: "crm")
    #expect(try await Self.outbox(database) == ["\(a) inquiry.created"])
    #expect(try await database.setDeliveryEnabled(false) == 0)

    // On again: the leads that arrived meanwhile as created, and each changed inquiry's
    // newest state, after what was already queued.
    #expect(try await database.setDeliveryEnabled(true) == 4)
    #expect(
      try await Self.outbox(database) == [
        "\(a) inquiry.created", "\(b) inquiry.created", "\(a) inquiry.updated",
        "\(c) inquiry.created", "\(c) inquiry.updated",
      ])
    let due = try await database.dueDeliveries(now: Date().addingTimeInterval(1), limit: 10)
    // Each inquiry's oldest first.
    #expect(
      due.map { "\($0.delivery.inquiryID) \($0.delivery.event.rawValue)" } == [
        "\(a) inquiry.created", "\(b) inquiry.created", "\(c) inquiry.created",
      ])
    // Already on: nothing more; a change now is queued as usual.
    #expect(try await database.setDeliveryEnabled(true) == 0)
    _ = try await database.ingest(submission(key: "d", email: "d@x.ru"))
    #expect(try await Self.outbox(database).count == 6)
  }

  @Test("where retention deleted the pause's events, the inquiries changed since are found")
  func catchUpAfterRetention() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let database = temp.database
    #expect(try await database.setDeliveryEnabled(true) == 0)
    let a = try createdID(try await database.ingest(submission(key: "a", email: "a@x.ru")))
    let old = try createdID(try await database.ingest(submission(key: "o", email: "o@x.ru")))
    try await database.write { db in
      try db.execute(sql: "UPDATE deliveries SET status = 'delivered'")
    }
    #expect(try await database.setDeliveryEnabled(false) == 0)
    let b = try createdID(try await database.ingest(submission(key: "b", email: "b@x.ru")))
    _ = try await database.apply(.reject(reason: "spam", comment: nil), to: a, by: "crm")
    #expect(try await database.pruneEvents(before: Date().addingTimeInterval(60)) == 4)

    // a (changed) as updated, b (arrived) as created; the untouched one not at all.
    #expect(try await database.setDeliveryEnabled(true) == 2)
    #expect(try await Self.outbox(database) == ["\(a) inquiry.updated", "\(b) inquiry.created"])
    let due = try await database.dueDeliveries(now: Date().addingTimeInterval(1), limit: 10)
    #expect(due.first?.payload.contains(#""status":"rejected""#) == true)
    #expect(!(try await Self.outbox(database)).contains { $0.hasPrefix("\(old) ") })
  }

  @Test("a first `delivery:` on a database with history pushes none of it")
  func firstSwitchOn() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let database = temp.database
    #expect(try await database.setDeliveryEnabled(false) == 0)
    _ = try await database.ingest(submission(key: "a", email: "a@x.ru"))
    #expect(try await database.setDeliveryEnabled(true) == 0)
    #expect(try await Self.outbox(database).isEmpty)
  }
}
