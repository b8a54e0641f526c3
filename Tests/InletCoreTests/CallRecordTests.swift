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

  @Test("a leg's ringing delivered after its own end does not hold the call open")
  func lateRingingOfAnEndedLeg() {
    func leg(_ state: CallState, _ leg: String, at offset: Double) -> CallEvent {
      CallEvent(
        callID: "c1", state: state, leg: leg, direction: "in", callerPhone: "+79161234567",
        receivedAt: Self.t0.addingTimeInterval(offset))
    }
    // MegaFon: Ivanov answers; Petrov's CANCELLED overtakes Petrov's INCOMING.
    var record = CallRecord(first: leg(.ringing, "ivanov", at: 0))
    record.apply(leg(.answered, "ivanov", at: 5))
    record.apply(leg(.missed, "petrov", at: 6))
    record.apply(leg(.ringing, "petrov", at: 7))
    #expect(record.liveLegs == ["ivanov"])
    record.apply(leg(.ended, "ivanov", at: 60))
    #expect(record.state == .ended)
    #expect(record.answered)
    #expect(record.endedLegs == ["ivanov", "petrov"])
    // Stored and read back as written.
    let decoded = try? InquiryJSON.decoder().decode(CallRecord.self, from: Data(record.jsonBytes))
    #expect(decoded?.endedLegs == ["ivanov", "petrov"])
  }

  @Test("a transfer to an outside number does not give a hidden caller that number")
  func transferLegKeepsTheCaller() {
    func leg(
      _ state: CallState, _ direction: String, phone: String?, anonymous: Bool = false,
      leg: String, seq: Int64, at offset: Double
    ) -> CallEvent {
      CallEvent(
        callID: "c1", state: state, seq: seq, leg: leg, direction: direction,
        callerPhone: phone, anonymous: anonymous, receivedAt: Self.t0.addingTimeInterval(offset))
    }
    // The caller's number is hidden; extension 29 answers, then forwards the call to a mobile.
    var hidden = CallRecord(
      first: leg(.ringing, "in", phone: nil, anonymous: true, leg: "a", seq: 1, at: 0))
    hidden.apply(leg(.answered, "in", phone: nil, anonymous: true, leg: "a", seq: 2, at: 5))
    hidden.apply(leg(.ringing, "out", phone: "+79035556677", leg: "b", seq: 1, at: 30))
    hidden.apply(leg(.answered, "out", phone: "+79035556677", leg: "b", seq: 2, at: 35))
    #expect(hidden.callerPhone == nil)
    #expect(hidden.anonymous)
    #expect(hidden.direction == "in")
    var inquiry = Inquiry(channel: "mango", kind: .call, receivedAt: Self.t0)
    hidden.update(&inquiry)
    #expect(inquiry.sender.phone == nil)
    #expect(inquiry.extra["anonymous_caller"] == .bool(true))
    // A visible caller keeps their own number.
    var visible = CallRecord(
      first: leg(.ringing, "in", phone: "+79161234567", leg: "a", seq: 1, at: 0))
    visible.apply(leg(.answered, "out", phone: "+79035556677", leg: "b", seq: 1, at: 30))
    #expect(visible.callerPhone == "+79161234567")
    // An outgoing call's number is the callee's, from its own legs.
    var outgoing = CallRecord(
      first: leg(.ringing, "out", phone: "+79035556677", leg: "b", seq: 1, at: 0))
    outgoing.apply(leg(.answered, "out", phone: "+79035556677", leg: "b", seq: 2, at: 3))
    #expect(outgoing.callerPhone == "+79035556677")
  }

  @Test("an incoming call's transfer leg that came first does not make it outgoing or internal")
  func transferLegInAnyOrder() {
    func leg(
      _ state: CallState, _ direction: String, phone: String?, anonymous: Bool = false,
      fromExtension: Bool = false, leg: String, seq: Int64
    ) -> CallEvent {
      CallEvent(
        callID: "c1", state: state, seq: seq, leg: leg, direction: direction,
        fromExtension: fromExtension, callerPhone: phone, anonymous: anonymous,
        receivedAt: Self.t0)
    }
    func orders(_ events: [CallEvent]) -> [[CallEvent]] {
      guard events.count > 1 else { return [events] }
      return events.indices.flatMap { index in
        var rest = events
        let first = rest.remove(at: index)
        return orders(rest).map { [first] + $0 }
      }
    }
    // A visible caller put through to extension 29, who transfers to 30 (internal) and to a
    // mobile (out); a hidden caller forwarded to a mobile.
    let visible = [
      leg(.ringing, "in", phone: "+79161234567", leg: "a", seq: 1),
      leg(.answered, "in", phone: "+79161234567", leg: "a", seq: 2),
      leg(.ringing, "internal", phone: nil, anonymous: true, fromExtension: true, leg: "b", seq: 1),
      leg(.answered, "out", phone: "+79035556677", fromExtension: true, leg: "c", seq: 1),
    ]
    let hidden = [
      leg(.ringing, "in", phone: nil, anonymous: true, leg: "a", seq: 1),
      leg(.answered, "in", phone: nil, anonymous: true, leg: "a", seq: 2),
      leg(.answered, "out", phone: "+79035556677", fromExtension: true, leg: "c", seq: 1),
    ]
    for order in orders(visible) {
      let record = Self.replay(order)
      #expect(record.direction == "in", "\(order.map(\.leg))")
      #expect(record.callerPhone == "+79161234567", "\(order.map(\.leg))")
      #expect(!record.anonymous)
    }
    for order in orders(hidden) {
      let record = Self.replay(order)
      #expect(record.direction == "in", "\(order.map(\.leg))")
      #expect(record.callerPhone == nil, "\(order.map(\.leg))")
      #expect(record.anonymous)
    }
    // An employee's own call out stays outgoing, also with a transfer of it to a colleague.
    let out = [
      leg(.ringing, "out", phone: "+79035556677", fromExtension: true, leg: "a", seq: 1),
      leg(.ringing, "internal", phone: nil, anonymous: true, fromExtension: true, leg: "b", seq: 1),
    ]
    var outgoing = Self.replay(out)
    #expect(outgoing.direction == "out")
    #expect(outgoing.callerPhone == "+79035556677")
    // Its inquiry (for an instance that queues outgoing calls) waits for the call's end: the
    // caller's own leg might still come and make it an incoming call of someone else's.
    #expect(!outgoing.makesInquiry(directions: ["in", "out"]))
    outgoing.apply(
      leg(.ended, "out", phone: "+79035556677", fromExtension: true, leg: "a", seq: 2))
    #expect(!outgoing.makesInquiry(directions: ["in", "out"]), "the colleague's leg is live")
    outgoing.apply(leg(.ended, "internal", phone: nil, fromExtension: true, leg: "b", seq: 2))
    #expect(outgoing.state.isFinal)
    #expect(outgoing.makesInquiry(directions: ["in", "out"]))
    // The summary's word stands against any leg.
    var summarised = Self.replay(out)
    summarised.apply(
      CallEvent(callID: "c1", state: .ended, direction: "out", receivedAt: Self.t0))
    summarised.apply(leg(.ringing, "in", phone: "+79161234567", leg: "z", seq: 1))
    #expect(summarised.direction == "out")
  }

  @Test("a leg handed on is over, the call is not; the employee is who answered, if anyone did")
  func handedOverAndEmployee() {
    func event(
      _ state: CallState, leg: String, handedOver: Bool = false, answered: Bool? = nil
    ) -> CallEvent {
      CallEvent(
        callID: "c1", state: state, leg: leg, answered: answered, direction: "in",
        handedOver: handedOver, callerPhone: "+79161234567", employee: leg, receivedAt: Self.t0)
    }
    // Ivanov talks and hands the call on before Petrov's phone is heard of.
    var call = Self.replay([
      event(.ringing, leg: "ivanov"), event(.answered, leg: "ivanov"),
      event(.answered, leg: "ivanov", handedOver: true),
    ])
    #expect(call.state == .answered)
    #expect(call.liveLegs == nil)
    call.apply(event(.ringing, leg: "petrov"))
    #expect(call.liveLegs == ["petrov"])
    // Petrov never answers; the customer hangs up: Ivanov's conversation stands.
    call.apply(event(.missed, leg: "petrov"))
    #expect(call.state == .ended)
    #expect(call.answered)
    var inquiry = Inquiry(channel: "megafon", kind: .call, receivedAt: Self.t0)
    call.update(&inquiry)
    #expect(inquiry.call?.employee == "ivanov")
    // A leg said answered, the final word says nobody talked: no one answered it.
    var missed = Self.replay([event(.ringing, leg: "ivanov"), event(.answered, leg: "ivanov")])
    missed.apply(
      CallEvent(
        callID: "c1", state: .ended, answered: false, employee: "queue", receivedAt: Self.t0))
    #expect(missed.inquiryKind == .missedCall)
    var missedInquiry = Inquiry(channel: "mango", kind: .call, receivedAt: Self.t0)
    missed.update(&missedInquiry)
    #expect(missedInquiry.call?.employee == "queue")
  }

  @Test("a call whose end never came is closed as it stands; the provider's late end decides")
  func closeUnended() {
    var ringing = Self.replay([Self.event(.ringing, seq: 1)])
    let closed = ringing.closeUnended()
    #expect(closed)
    #expect(ringing.state == .ended)
    #expect(ringing.timedOut == true)
    #expect(ringing.inquiryKind == .missedCall)
    let again = ringing.closeUnended()
    #expect(!again, "closed already")
    var inquiry = Inquiry(channel: "pbx", kind: .call, receivedAt: Self.t0)
    ringing.update(&inquiry)
    #expect(inquiry.kind == .missedCall)
    #expect(inquiry.extra["call_timed_out"] == .bool(true))
    // The hangup arrives after all, saying someone talked.
    ringing.apply(Self.event(.ended, seq: 3, answered: true, duration: 30))
    #expect(ringing.inquiryKind == .call)
    #expect(ringing.timedOut == nil)
    ringing.update(&inquiry)
    #expect(inquiry.kind == .call)
    #expect(inquiry.extra["call_timed_out"] == nil)

    // Answered, then silence: a conversation whose end was lost.
    var talking = Self.replay([Self.event(.ringing, seq: 1), Self.event(.answered, seq: 2)])
    _ = talking.closeUnended()
    #expect(talking.inquiryKind == .call)
    // A leg left live by the lost hangup does not hold the call open.
    var legged = Self.event(.ringing, seq: 1)
    legged.leg = "op"
    var record = CallRecord(first: legged)
    #expect(record.liveLegs == ["op"])
    _ = record.closeUnended()
    #expect(record.liveLegs == nil)
    // An ended call is left as the provider said.
    var ended = Self.replay([Self.event(.ringing, seq: 1), Self.event(.ended, seq: 2)])
    let endedClosed = ended.closeUnended()
    #expect(!endedClosed)
    #expect(ended.timedOut == nil)
  }

  @Test("a leg that talked decides the call was answered, whichever leg ends last")
  func answeredLegEndsFirst() {
    func leg(_ name: String, _ state: CallState, answered: Bool? = nil) -> CallEvent {
      var event = Self.event(state, answered: answered)
      event.leg = name
      return event
    }
    // A transfer: 101 talks and hands over, 102 rings and never picks up.
    var transfer = Self.replay([
      leg("s1", .ringing), leg("s1", .answered), leg("s2", .ringing),
      leg("s1", .ended, answered: true), leg("s2", .ended, answered: false),
    ])
    #expect(transfer.state == .ended)
    #expect(transfer.inquiryKind == .call)
    // A ring group: 102 talked and hung up before 101's unbridged end came.
    transfer = Self.replay([
      leg("101", .ringing), leg("102", .ringing), leg("102", .ended, answered: true),
      leg("101", .ended, answered: false),
    ])
    #expect(transfer.inquiryKind == .call)
    // Nobody talked on any leg: missed.
    transfer = Self.replay([
      leg("101", .ringing), leg("102", .ringing), leg("102", .ended, answered: false),
      leg("101", .ended, answered: false),
    ])
    #expect(transfer.inquiryKind == .missedCall)
  }

  @Test("legs keep their own order: a leg's late start after its end does not revive it")
  func legsInAnyOrder() {
    func leg(_ name: String, _ state: CallState, seq: Int64) -> CallEvent {
      var event = Self.event(state, seq: seq)
      event.leg = name
      return event
    }
    // The employee's leg: its end overtook its start. Then the IVR's leg ends: nothing live.
    var record = Self.replay([
      leg("ivr", .ringing, seq: 1), leg("op", .ended, seq: 2), leg("op", .ringing, seq: 1),
    ])
    #expect(record.liveLegs == ["ivr"])
    #expect(record.state == .ringing, "the IVR's leg is still live")
    record.apply(leg("ivr", .ended, seq: 2))
    #expect(record.liveLegs == nil)
    #expect(record.state.isFinal)
    #expect(record.inquiryKind == .missedCall)
    // An event without a leg (a summary) is about the whole call, whatever legs are live.
    record = Self.replay([leg("ivr", .ringing, seq: 1), Self.event(.ended, answered: true)])
    #expect(record.state == .ended)
    #expect(record.answered)
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
    // A transfer leg started by an extension does not turn an inbound call outgoing; the
    // final event (Mango's summary) has the last word.
    var transferred = Self.replay([
      Self.event(.ringing, seq: 1, direction: "in"),
      Self.event(.answered, seq: 2, direction: "out"),
    ])
    #expect(transferred.direction == "in")
    transferred.apply(Self.event(.ended, seq: 3, direction: "out"))  // the leg's end
    #expect(transferred.direction == "in")
    transferred.apply(Self.event(.ended, answered: true, direction: "internal"))
    #expect(transferred.direction == "internal")
    // Unknown until an event states it; a stale event may still fill it in.
    let unknown = Self.replay([Self.event(.ringing, direction: nil)])
    #expect(unknown.direction == nil)
    var filled = CallRecord(first: Self.event(.answered, seq: 5, direction: nil))
    filled.apply(Self.event(.ringing, seq: 1, direction: "out"))
    #expect(filled.direction == "out")
    #expect(filled.state == .answered)
  }

  @Test("a call makes an inquiry once its direction is known, or once it ended without one")
  func makesInquiry() {
    let inbound: Set<String> = ["in"]
    // A recording (no state, no direction) overtaking the start event waits.
    let recording = CallEvent(
      callID: "c1", recordingURL: "https://pbx.example/r.mp3", receivedAt: Self.t0)
    var record = CallRecord(first: recording)
    #expect(!record.makesInquiry(directions: inbound))
    record.apply(Self.event(.answered, direction: nil))
    #expect(!record.makesInquiry(directions: inbound))
    // The start event says it is outgoing: no inquiry, then or after the end.
    var outgoing = record
    outgoing.apply(Self.event(.ringing, direction: "out"))
    outgoing.apply(Self.event(.ended, answered: true, direction: nil))
    #expect(!outgoing.makesInquiry(directions: inbound))
    #expect(outgoing.makesInquiry(directions: ["in", "out"]))
    // Ended with no event ever naming the direction: taken as inbound, not dropped.
    record.apply(Self.event(.ended, answered: false, direction: nil))
    #expect(record.makesInquiry(directions: inbound))
    #expect(!record.makesInquiry(directions: ["out"]))
    var inquiry = Inquiry(channel: "pbx", kind: .call, receivedAt: Self.t0)
    record.update(&inquiry)
    #expect(inquiry.call?.direction == "in")
    // The end's "not answered" outweighs the earlier non-final "answered" (Mango's IVR leg).
    #expect(inquiry.kind == .missedCall)
  }

  @Test(
    "once a final event said answered, a final 'not answered' of another leg does not undo it",
    arguments: [[0, 1], [1, 0]])
  func answeredStaysAnswered(order: [Int]) {
    // Telphin ring group: extension 101 hangs up unbridged, 102 bridged; Sipuni: event 2 ANSWER
    // and the secondary end (4) NOANSWER; MegaFon: history Success and a late CANCELLED.
    let legs = [
      [Self.event(.ended, answered: false), Self.event(.ended, answered: true)],
      [Self.event(.missed), Self.event(.ended, answered: true)],
    ]
    for pair in legs {
      let record = Self.replay(order.map { pair[$0] })
      #expect(record.answered)
      #expect(record.state == .ended)
      #expect(record.inquiryKind == .call)
    }
    // Every leg unanswered: missed, in either order.
    let missed = Self.replay(
      order.map { [Self.event(.ended, answered: false), Self.event(.missed)][$0] })
    #expect(missed.inquiryKind == .missedCall)
  }

  @Test("a stale event fills in facts but does not replace known ones")
  func staleKeepsFacts() {
    var record = CallRecord(
      first: CallEvent(
        callID: "c1", state: .answered, seq: 5, did: "+74950000002", employee: "102",
        receivedAt: Self.t0))
    record.apply(
      CallEvent(
        callID: "c1", state: .ringing, seq: 2, callerPhone: "+79161234567", did: "+74950000001",
        employee: "101", recordingURL: "https://pbx.example/old.mp3", receivedAt: Self.t0))
    #expect(record.did == "+74950000002")
    #expect(record.employee == "102")
    #expect(record.callerPhone == "+79161234567")
    #expect(record.recordingURL == "https://pbx.example/old.mp3")
  }

  @Test("a withheld number is flagged until a number arrives")
  func anonymousClears() {
    var record = CallRecord(
      first: CallEvent(callID: "c1", state: .ringing, anonymous: true, receivedAt: Self.t0))
    var inquiry = Inquiry(channel: "pbx", kind: .call, receivedAt: Self.t0)
    record.update(&inquiry)
    #expect(inquiry.extra["anonymous_caller"] == .bool(true))
    record.apply(
      CallEvent(
        callID: "c1", state: .answered, callerPhone: "+79161234567", receivedAt: Self.t0))
    #expect(!record.anonymous)
    record.update(&inquiry)
    #expect(inquiry.sender.phone == "+79161234567")
    #expect(inquiry.extra["anonymous_caller"] == nil)
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
      record.startedAt =
        Bool.random(using: &generator)
        ? Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000))) : nil
      let legs = texts.compactMap { $0 }.shuffled(using: &generator)
        .prefix(Int.random(in: 0...3, using: &generator))
      record.legSeqs =
        legs.isEmpty
        ? nil
        : Dictionary(
          uniqueKeysWithValues: legs.map { ($0, Int64.random(in: 0...1 << 40, using: &generator)) })
      record.liveLegs = Bool.random(using: &generator) && !legs.isEmpty ? legs.sorted() : nil
      record.endedLegs = Bool.random(using: &generator) && !legs.isEmpty ? legs.sorted() : nil
      record.timedOut = Bool.random(using: &generator) ? true : nil
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

@Suite("call start times as providers write them")
struct CallTimeTests {
  static let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15

  @Test(arguments: [
    ("1399906976", "2014-05-12T15:02:56Z"),  // Mango, Sipuni: Unix seconds
    ("1700000000000", "2023-11-14T22:13:20Z"),  // Beeline: milliseconds
    ("20261129T100000Z", "2026-11-29T10:00:00Z"),  // MegaFon: UTC
    ("2026-11-29 10:00:00", "2026-11-29T07:00:00Z"),  // Zadarma, UIS: Moscow time
    ("2026-11-29T10:00:00+05:00", "2026-11-29T05:00:00Z"),
    ("2026-11-29T10:00:00.250Z", "2026-11-29T10:00:00Z"),
    (" 2026-11-29T10:00:00 ", "2026-11-29T07:00:00Z"),  // local, trimmed
  ])
  func parses(_ text: String, _ expected: String) throws {
    let date = try #require(CallTime.parse(text, now: Self.now))
    #expect(Inquiry.timestamp(date) == expected)
  }

  @Test func localTimeInTheChannelsZone() throws {
    let zone = try #require(CallTime.zone("+05:00"))
    let date = try #require(CallTime.parse("2026-11-29 10:00:00", zone: zone, now: Self.now))
    #expect(Inquiry.timestamp(date) == "2026-11-29T05:00:00Z")
    #expect(CallTime.zone("Asia/Yekaterinburg")?.secondsFromGMT(for: date) == 5 * 3600)
    // A zone with summer time: the offset of that day, either side of the change.
    let berlin = try #require(CallTime.zone("Europe/Berlin"))
    let summer = CallTime.parse("2026-07-01 12:00:00", zone: berlin, now: Self.now)
    #expect(summer.map(Inquiry.timestamp) == "2026-07-01T10:00:00Z")
    let winter = CallTime.parse("2026-03-29 01:30:00", zone: berlin, now: Self.now)
    #expect(winter.map(Inquiry.timestamp) == "2026-03-29T00:30:00Z")
    let changed = CallTime.parse("2026-03-29 03:30:00", zone: berlin, now: Self.now)
    #expect(changed.map(Inquiry.timestamp) == "2026-03-29T01:30:00Z")
    #expect(CallTime.zone("-03:30")?.secondsFromGMT() == -(3 * 3600 + 1800))
    for bad in ["Moscow", "+15", "+05:60", "", "5"] { #expect(CallTime.zone(bad) == nil, "\(bad)") }
  }

  @Test(arguments: [
    "0", "", "yesterday", "2026-13-01 10:00:00", "2026-11-29", "1900000000",
    "2026-11-29 10:00:0²", "٢0261129T100000Z", "2026-02-29 10:00:00", "2026-11-29 24:00:00",
    "2026/11/29 10:00:00", "20261129X100000Z",
  ])
  func refuses(_ text: String) {
    // (1900000000 is 2030: more than a day ahead of `now`.)
    #expect(CallTime.parse(text, now: Self.now) == nil)
  }

  @Test func earliestEventWins() {
    let start = Date(timeIntervalSince1970: 1_700_000_000)
    var record = CallRecord(
      first: CallEvent(callID: "c", state: .ringing, receivedAt: start, startedAt: start + 5))
    record.apply(CallEvent(callID: "c", state: .ended, receivedAt: start, startedAt: start))
    record.apply(CallEvent(callID: "c", state: .ended, receivedAt: start, startedAt: start + 9))
    #expect(record.startedAt == start)
    var inquiry = Inquiry(channel: "pbx", kind: .call, receivedAt: start + 60)
    record.update(&inquiry)
    #expect(inquiry.call?.startedAt == start)
  }
}
