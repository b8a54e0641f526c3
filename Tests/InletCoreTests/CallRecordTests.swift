import Foundation
import Testing

@testable import InletCore

@Suite("Call state machine")
struct CallRecordTests {
  static let t0 = Date(timeIntervalSince1970: 1_714_550_400)

  static func event(
    _ state: CallState?, seq: Int64? = nil, answered: Bool? = nil, direction: String? = "in",
    duration: Int? = nil, at offset: Double = 0
  ) -> CallEvent {
    CallEvent(
      callID: "c1", state: state, seq: seq, answered: answered, direction: direction,
      callerPhone: "+79161234567", durationS: duration, receivedAt: t0.addingTimeInterval(offset))
  }

  static func replay(_ events: [CallEvent]) -> CallRecord {
    var record = CallRecord(first: events[0])
    for event in events.dropFirst() { record.apply(event) }
    return record
  }

  @Test(
    "any order of ringing, answered and ended ends as a conversation",
    arguments: [[0, 1, 2], [2, 1, 0], [1, 0, 2], [2, 0, 1], [0, 2, 1], [1, 2, 0]])
  func orderDoesNotMatter(order: [Int]) {
    let events = [
      Self.event(.ringing, seq: 1), Self.event(.answered, seq: 2),
      Self.event(.ended, seq: 3, duration: 42),
    ]
    let record = Self.replay(order.map { events[$0] })
    #expect(record.state == .ended)
    #expect(record.answered)
    #expect(record.inquiryKind == .call)
    #expect(record.durationS == 42)
  }

  @Test("a call that ends unanswered is missed; without a start event too")
  func missed() {
    let withStart = Self.replay([Self.event(.ringing), Self.event(.ended, answered: false)])
    #expect(withStart.inquiryKind == .missedCall)
    let withoutStart = Self.replay([Self.event(.ended, answered: false)])
    #expect(withoutStart.inquiryKind == .missedCall)
    let explicit = Self.replay([Self.event(.missed)])
    #expect(explicit.inquiryKind == .missedCall)
    #expect(explicit.state == .missed)
  }

  @Test("duplicates change nothing")
  func duplicates() {
    var record = CallRecord(first: Self.event(.ringing, seq: 1))
    let advanced = record.apply(Self.event(.answered, seq: 2))
    #expect(advanced)
    let before = record
    let repeated = record.apply(Self.event(.answered, seq: 2))
    let older = record.apply(Self.event(.ringing, seq: 1))
    #expect(!repeated)
    #expect(!older)
    #expect(record.state == before.state)
    #expect(record.answered == before.answered)
  }

  @Test("the final event's word on the conversation wins over an earlier 'answered'")
  func finalEventDecides() {
    // Mango: a Connected leg (an IVR) but talk_time 0 in the summary is a missed call.
    let record = Self.replay([
      Self.event(.answered, seq: 2), Self.event(.ended, answered: false),
    ])
    #expect(record.inquiryKind == .missedCall)
    // And a stale "answered" after the summary does not revive it.
    var late = record
    late.apply(Self.event(.answered, seq: 1))
    #expect(late.inquiryKind == .missedCall)
  }

  @Test("a lower seq fills missing facts but never moves the state")
  func staleSeq() {
    var record = CallRecord(first: Self.event(.ended, seq: 5, answered: true))
    record.apply(
      CallEvent(
        callID: "c1", state: .ringing, seq: 1, did: "+74951234567", employee: "101",
        receivedAt: Self.t0))
    #expect(record.state == .ended)
    #expect(record.did == "+74951234567")
    #expect(record.employee == "101")
    #expect(record.highestSeq == 5)
  }

  @Test("direction comes from the events that state it")
  func direction() {
    let outgoing = Self.replay([
      Self.event(.ringing, direction: "out"), Self.event(.ended, direction: nil),
    ])
    #expect(outgoing.direction == "out")
    let defaulted = Self.replay([Self.event(.ringing, direction: nil)])
    #expect(defaulted.direction == "in")
  }

  @Test("update writes the call into the inquiry; kind only while the inquiry is new")
  func updateInquiry() {
    let record = Self.replay([
      Self.event(.ringing), Self.event(.ended, answered: false, duration: 0),
    ])
    var inquiry = Inquiry(channel: "pbx", kind: .call, receivedAt: Self.t0)
    record.update(&inquiry)
    #expect(inquiry.kind == .missedCall)
    #expect(inquiry.call?.direction == "in")
    #expect(inquiry.call?.durationS == 0)
    #expect(inquiry.sender.phone == "+79161234567")
    #expect(inquiry.source.callID == "c1")
    var accepted = Inquiry(
      status: InquiryStatus.accepted.rawValue, channel: "pbx", kind: .call, receivedAt: Self.t0)
    record.update(&accepted)
    #expect(accepted.kind == .call)
  }

  /// The stored form is what `InquiryJSON.encoder()` writes, byte for byte, and reads back.
  @Test func storedFormIsTheEncoders() throws {
    var generator = SystemRandomNumberGenerator()
    let texts: [String?] = [nil, "", "+79161234567", "Иван \"Петров\"", "a/b\\c", "😀 ё"]
    for _ in 0..<500 {
      var record = CallRecord(
        first: CallEvent(
          callID: texts.compactMap { $0 }.randomElement(using: &generator)! + "-id",
          state: CallState.allCases.randomElement(using: &generator),
          seq: Bool.random(using: &generator)
            ? Int64.random(in: -5...1 << 40, using: &generator) : nil,
          answered: Bool.random(using: &generator),
          direction: texts.randomElement(using: &generator)!,
          callerPhone: texts.randomElement(using: &generator)!,
          durationS: Bool.random(using: &generator)
            ? Int.random(in: 0...100_000, using: &generator) : nil,
          receivedAt: Date(timeIntervalSince1970: Double.random(in: 0...4e9, using: &generator))))
      record.did = texts.randomElement(using: &generator)!
      record.employee = texts.randomElement(using: &generator)!
      record.recordingURL = texts.randomElement(using: &generator)!
      record.anonymous = Bool.random(using: &generator)
      record.events = Int.random(in: 0...50, using: &generator)
      let expected = try InquiryJSON.encoder().encode(record)
      #expect(
        String(decoding: record.jsonBytes, as: UTF8.self)
          == String(decoding: expected, as: UTF8.self))
      var whole = record
      whole.firstEventAt = Date(
        timeIntervalSince1970: record.firstEventAt.timeIntervalSince1970.rounded(.down))
      #expect(
        try InquiryJSON.decoder().decode(CallRecord.self, from: Data(record.jsonBytes)) == whole)
    }
  }
}
