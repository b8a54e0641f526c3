import Foundation
import GRDB
import InletCore
import Testing

@testable import InletStore

@Suite("Push delivery switched off and on")
struct DeliverySwitchTests {
  static func created(_ result: IngestResult) throws -> String {
    guard case .created(let id, _) = result else {
      throw StoreTestError("expected created, got \(result)")
    }
    return id
  }

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
    let a = try Self.created(try await database.ingest(submission(key: "a", email: "a@x.ru")))
    #expect(try await database.setDeliveryEnabled(false) == 0)
    // Off: b and c arrive, a is rejected, c is rejected: nothing goes to the outbox.
    let b = try Self.created(try await database.ingest(submission(key: "b", email: "b@x.ru")))
    _ = try await database.apply(.reject(reason: "spam", comment: nil), to: a, by: "crm")
    let c = try Self.created(try await database.ingest(submission(key: "c", email: "c@x.ru")))
    _ = try await database.apply(.reject(reason: "duplicate", comment: nil), to: c, by: "crm")
    #expect(try await Self.outbox(database) == ["\(a) inquiry.created"])
    #expect(try await database.setDeliveryEnabled(false) == 0)

    // On again: a's, b's and c's newest events, one each, after what was already queued.
    #expect(try await database.setDeliveryEnabled(true) == 3)
    #expect(
      try await Self.outbox(database) == [
        "\(a) inquiry.created", "\(b) inquiry.created", "\(a) inquiry.updated",
        "\(c) inquiry.updated",
      ])
    let due = try await database.dueDeliveries(now: Date().addingTimeInterval(1), limit: 10)
    // a's older change goes first; c's delivery carries its rejection.
    #expect(due.map(\.delivery.inquiryID) == [a, b, c])
    #expect(due.last?.payload.contains(#""status":"rejected""#) == true)
    // Already on: nothing more; a change now is queued as usual.
    #expect(try await database.setDeliveryEnabled(true) == 0)
    _ = try await database.ingest(submission(key: "d", email: "d@x.ru"))
    #expect(try await Self.outbox(database).count == 5)
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
