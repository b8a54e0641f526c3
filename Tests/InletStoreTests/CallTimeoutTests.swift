import Foundation
import GRDB
import InletCore
import Testing

@testable import InletStore

@Suite("calls whose end never came")
struct CallTimeoutTests {
  static let now = Date(timeIntervalSince1970: 1_800_000_000)

  /// A call event of channel `pbx`, `ago` seconds before ``now``.
  static func event(
    _ callID: String, _ state: CallState, answered: Bool? = nil, direction: String? = "in",
    ago: TimeInterval, channel: String = "pbx", phone: String = "+79161234567"
  ) -> RawSubmission {
    let at = now.addingTimeInterval(-ago)
    let call = CallEvent(
      callID: callID, state: state, answered: answered, direction: direction,
      callerPhone: phone, receivedAt: at)
    var inquiry = Inquiry(
      channel: channel, kind: .call, receivedAt: at, sender: .init(phone: phone))
    inquiry.source.callID = callID
    let base = submission()
    return RawSubmission(
      channel: channel, event: "call", idempotencyKey: "\(channel):\(callID):\(state)",
      receivedAt: at, transport: base.transport, body: base.body,
      disposition: .call(call, inquiry), files: [], context: base.context)
  }

  static func inquiry(_ db: InletDatabase, channel: String = "pbx", _ callID: String) throws
    -> Inquiry?
  {
    try db.listSync(.all).first { $0.channel == channel && $0.source.callID == callID }
  }

  @Test("a ringing call silent past its timeout becomes a missed call; a late end still decides")
  func closesSilentCalls() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let db = temp.database
    _ = try await db.ingest(Self.event("lost", .ringing, ago: 7200))
    _ = try await db.ingest(Self.event("talking", .ringing, ago: 7300))
    _ = try await db.ingest(Self.event("talking", .answered, ago: 7200))
    _ = try await db.ingest(Self.event("recent", .ringing, ago: 60))
    _ = try await db.ingest(Self.event("done", .ringing, ago: 7300))
    _ = try await db.ingest(Self.event("done", .ended, answered: false, ago: 7200))
    _ = try await db.ingest(Self.event("never", .ringing, ago: 7200, channel: "patient"))
    _ = try await db.ingest(
      Self.event("out", .ringing, direction: "out", ago: 7200, phone: "+79035550000"))
    #expect(try Self.inquiry(db, "lost")?.kind == .call)
    let before = try await db.lastEventID()

    // Two calls per transaction: the four silent ones (the patient channel's among them, left
    // open) take three, and none is missed between them.
    let closed = try await db.closeUnendedCalls(now: Self.now, shortest: 3600, batch: 2) {
      channel in channel == "patient" ? nil : 3600
    }
    #expect(Set(closed.map(\.callID)) == ["lost", "talking", "out"])

    let lost = try #require(try Self.inquiry(db, "lost"))
    #expect(lost.kind == .missedCall)
    #expect(lost.extra["call_state"] == .string("ended"))
    #expect(lost.extra["call_timed_out"] == .bool(true))
    let talking = try #require(try Self.inquiry(db, "talking"))
    #expect(talking.kind == .call, "someone answered: a conversation, not a missed call")
    #expect(talking.extra["call_timed_out"] == .bool(true))
    #expect(try Self.inquiry(db, "recent")?.extra["call_state"] == .string("ringing"))
    #expect(try Self.inquiry(db, "done")?.extra["call_timed_out"] == nil)
    #expect(try Self.inquiry(db, channel: "patient", "never")?.kind == .call)
    #expect(try Self.inquiry(db, "out") == nil, "an outgoing call still makes no inquiry")
    #expect(try db.callRecord(channel: "pbx", callID: "out")?.state == .ended)

    // The queue hears of each change, as of any other update.
    let events = try await db.events(after: before)
    #expect(Set(events.map(\.type)) == [.updated])
    #expect(events.count == 2)
    #expect(events.contains { $0.payload.contains("\"missed_call\"") })

    // A second sweep finds nothing: closed calls leave the open set.
    let again = try await db.closeUnendedCalls(now: Self.now, shortest: 3600) { channel in
      channel == "patient" ? nil : 3600
    }
    #expect(again.isEmpty)
    let open = try db.readSync {
      try Int.fetchOne($0, sql: "SELECT count(*) FROM calls WHERE open = 1")
    }
    #expect(open == 2, "the recent call and the patient channel's")

    // The provider's own end, late: answered after all.
    _ = try await db.ingest(Self.event("lost", .ended, answered: true, ago: 10))
    let decided = try #require(try Self.inquiry(db, "lost"))
    #expect(decided.kind == .call)
    #expect(decided.extra["call_timed_out"] == nil)
  }

  @Test("an outgoing call whose hangup was lost still notes the call back on the missed call")
  func timedOutCallback() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let db = temp.database
    _ = try await db.ingest(Self.event("missed", .ringing, ago: 7400))
    _ = try await db.ingest(Self.event("missed", .ended, answered: false, ago: 7300))
    _ = try await db.ingest(Self.event("back", .ringing, direction: "out", ago: 7200))
    #expect(try Self.inquiry(db, "missed")?.callbacks == nil)
    let closed = try await db.closeUnendedCalls(now: Self.now, shortest: 3600) { _ in 3600 }
    #expect(closed.map(\.callID) == ["back"])
    #expect(closed.first?.created == false, "an outgoing call makes no inquiry")
    let missed = try #require(try Self.inquiry(db, "missed"))
    #expect(missed.callbacks?.map(\.callID) == ["back"])
    #expect(missed.callbacks?.first?.answered == false)
  }

  @Test("a silent call whose direction no event stated makes its inquiry as an inbound one")
  func unknownDirection() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let db = temp.database
    // An answer that overtook a start event lost for good, and no end: no inquiry yet.
    _ = try await db.ingest(Self.event("nodir", .answered, direction: nil, ago: 7200))
    _ = try await db.ingest(Self.event("nodir-out", .ringing, direction: nil, ago: 7200))
    #expect(try Self.inquiry(db, "nodir") == nil)
    let closed = try await db.closeUnendedCalls(
      now: Self.now, shortest: 3600, directions: { _ in ["in"] }, timeout: { _ in 3600 })
    #expect(Set(closed.map(\.callID)) == ["nodir", "nodir-out"])
    // Their inquiries are made by the sweep: said, so the daemon counts them as created.
    #expect(closed.filter(\.created).count == 2)
    let answered = try #require(try Self.inquiry(db, "nodir"))
    #expect(answered.kind == .call)
    #expect(answered.call?.direction == "in")
    #expect(answered.sender.phone == "+79161234567")
    #expect(answered.extra["call_timed_out"] == .bool(true))
    #expect(try Self.inquiry(db, "nodir-out")?.kind == .missedCall)
    // Linked both ways: the raw item to its inquiry, the call to it.
    let rawID = try #require(answered.source.rawID)
    #expect(try db.inquirySync(id: "r\(rawID)")?.id == answered.id)
    let linked = try db.readSync { db in
      try Int64.fetchOne(db, sql: "SELECT inquiry_id FROM calls WHERE call_id = 'nodir'")
    }
    #expect(linked.map(String.init) == answered.id)
    // A late event updates that inquiry, not a second one.
    _ = try await db.ingest(Self.event("nodir", .ended, answered: true, ago: 10))
    #expect(try db.listSync(.all).filter { $0.source.callID == "nodir" }.count == 1)
    #expect(try Self.inquiry(db, "nodir")?.extra["call_timed_out"] == nil)
    // A late event that says the other one was outgoing: the lead the timeout made of it is
    // rejected by inlet as no lead, as when the direction comes after an end.
    _ = try await db.ingest(Self.event("nodir-out", .ended, direction: "out", ago: 5))
    let outgoing = try #require(try Self.inquiry(db, "nodir-out"))
    #expect(outgoing.status == "rejected")
    #expect(outgoing.acceptance?.reason == "not_a_lead")
  }

  @Test("a call of which only a recording's event came is closed by the timeout, with no lead")
  func recordingOnly() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let db = temp.database
    let at = Self.now.addingTimeInterval(-7200)
    let call = CallEvent(
      callID: "rec-only", recordingURL: "https://pbx.example/rec/1.mp3", receivedAt: at)
    var draft = Inquiry(channel: "pbx", kind: .call, receivedAt: at, sender: .init())
    draft.source.callID = "rec-only"
    let base = submission()
    _ = try await db.ingest(
      RawSubmission(
        channel: "pbx", event: "recording", idempotencyKey: "pbx:rec-only:recording",
        receivedAt: at, transport: base.transport, body: base.body,
        disposition: .call(call, draft), files: [], context: base.context))
    let closed = try await db.closeUnendedCalls(
      now: Self.now, shortest: 3600, directions: { _ in ["in"] }, timeout: { _ in 3600 })
    #expect(closed.map(\.callID) == ["rec-only"])
    #expect(try Self.inquiry(db, "rec-only") == nil, "no false missed call")
    // Its state stated later (the call's events came after all): a lead as any call.
    _ = try await db.ingest(Self.event("rec-only", .ended, answered: false, ago: 10))
    #expect(try Self.inquiry(db, "rec-only")?.kind == .missedCall)
  }

  @Test("calls open before the open column existed are swept too")
  func migratedOpenCalls() async throws {
    let temp = try TempDatabase(migrate: false)
    defer { temp.remove() }
    let db = temp.database
    try db.migrate(upTo: "2026-12-01-1-conversation-latest")
    // Rows as the older schema wrote them: no `open` column.
    var done = CallRecord(
      first: CallEvent(callID: "old-done", state: .ringing, receivedAt: Self.now))
    done.apply(CallEvent(callID: "old-done", state: .ended, answered: true, receivedAt: Self.now))
    let ended = done
    let ringing = CallRecord(
      first: CallEvent(callID: "old-open", state: .ringing, receivedAt: Self.now))
    try await db.write { db in
      for record in [ringing, ended] {
        try db.execute(
          sql: "INSERT INTO calls (channel, call_id, record, updated_at) VALUES ('pbx', ?, ?, ?)",
          arguments: [
            record.callID, String(decoding: record.jsonBytes, as: UTF8.self),
            Self.now.timeIntervalSince1970 - 7200,
          ])
      }
    }
    try db.migrate()
    let open = try db.readSync {
      try String.fetchAll($0, sql: "SELECT call_id FROM calls WHERE open = 1")
    }
    #expect(open == ["old-open"])
    let closed = try await db.closeUnendedCalls(now: Self.now, shortest: 3600) { _ in 3600 }
    #expect(closed.map(\.callID) == ["old-open"])
    #expect(try db.callRecord(channel: "pbx", callID: "old-open")?.timedOut == true)
  }
}
