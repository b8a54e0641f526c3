import Foundation
import GRDB
import InletCore
import InletStore
import NIOHTTP1
import Testing

/// Every telephony definition through the real daemon: real-format requests, correct and wrong
/// signatures, duplicates, shuffled order, missing fields; the exact replies providers expect.
@Suite("Telephony", .serialized)
struct TelephonyTests {
  static func mangoSummary(
    entry: String, from: String? = "79001234567", talk: Int, end: Int = 1_399_906_990
  )
    -> String
  {
    let fromPart = from.map { #""from":{"number":"\#($0)"},"# } ?? #""from":{},"#
    return
      #"{"entry_id":"\#(entry)","call_direction":1,\#(fromPart)"to":{"extension":"123","number":"74951234567"},"line_number":"74957654321","create_time":1399906976,"forward_time":1399906978,"talk_time":\#(talk),"end_time":\#(end),"entry_result":1,"disconnect_reason":1100}"#
  }

  static func mangoCall(
    entry: String, seq: Int, state: String, leg: String? = nil, location: String = "abonent"
  ) -> String {
    let leg = leg ?? "leg-" + entry
    return
      #"{"entry_id":"\#(entry)","call_id":"\#(leg)","timestamp":\#(1_558_422_128 + seq * 10),"seq":\#(seq),"call_state":"\#(state)","location":"\#(location)","from":{"number":"79001234567"},"to":{"extension":"29","line_number":"74957654321"}}"#
  }

  @Test("Mango: a call its legs showed incoming and its summary says outgoing is no lead")
  func mangoSummaryCorrectsTheDirection() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    // A click-to-call: the PBX first rings the employee, a leg that reads as incoming.
    let ring = try await pbx.mango(
      "/events/call", json: Self.mangoCall(entry: "CB1", seq: 1, state: "Appeared"))
    #expect(ring.status == 200, "\(ring.body)")
    let lead = try #require(try pbx.inquiries("mango").first { $0.source.callID == "CB1" })
    #expect(lead.status == "new")
    let summary = Self.mangoSummary(entry: "CB1", talk: 1_399_906_980)
      .replacingOccurrences(of: #""call_direction":1"#, with: #""call_direction":2"#)
    #expect(try await pbx.mango("/events/summary", json: summary).status == 200)
    let rejected = try #require(try pbx.inquiries("mango").first { $0.source.callID == "CB1" })
    #expect(rejected.status == "rejected")
    #expect(rejected.acceptance?.reason == "not_a_lead")
    #expect(rejected.acceptance?.by == "inlet")
    #expect(rejected.call?.direction == "out")
    // A call its summary confirms as incoming stays a lead.
    _ = try await pbx.mango(
      "/events/call", json: Self.mangoCall(entry: "IN1", seq: 1, state: "Appeared"))
    _ = try await pbx.mango(
      "/events/summary", json: Self.mangoSummary(entry: "IN1", talk: 1_399_906_980))
    #expect(try pbx.inquiries("mango").first { $0.source.callID == "IN1" }?.status == "new")
  }

  static func mangoOutgoingSummary(entry: String, to: String, talk: Bool) -> String {
    let start = Int(Date().timeIntervalSince1970)
    return """
      {"entry_id":"\(entry)","call_direction":2,"from":{"extension":"101","number":"74951112233"},\
      "to":{"number":"\(to)"},"line_number":"74951112233","create_time":\(start),\
      "forward_time":\(start + 1),"talk_time":\(talk ? start + 5 : 0),"end_time":\(start + 65),\
      "entry_result":1}
      """
  }

  @Test("an outgoing call to a caller's number is noted on their queued inquiries: called back")
  func calledBack() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    // A missed call and a «перезвоните мне» form from one number, a lead from another.
    let missed = try await pbx.mango(
      "/events/summary", json: Self.mangoSummary(entry: "M1", from: "79001234567", talk: 0))
    #expect(missed.status == 200)
    let form = try await pbx.daemon.postLead(
      #"{"name":"Ольга","phone":"8 (900) 123-45-67","message":"Перезвоните мне"}"#)
    let formID = try #require(form.json["id"] as? String)
    let other = try await pbx.daemon.postLead(#"{"name":"Пётр","phone":"+79009990000"}"#)
    let otherID = try #require(other.json["id"] as? String)

    // The manager calls back and gets through; the PBX retries its summary.
    let back = Self.mangoOutgoingSummary(entry: "OUT9", to: "79001234567", talk: true)
    #expect(try await pbx.mango("/events/summary", json: back).status == 200)
    #expect(try await pbx.mango("/events/summary", json: back).status == 200)
    let database = try pbx.database()
    let missedCall = try #require(try pbx.inquiries("mango").first { $0.source.callID == "M1" })
    #expect(missedCall.kind == .missedCall)
    for inquiry in [
      missedCall, try #require(try database.listSync(.all).first { $0.id == formID }),
    ] {
      let callbacks = try #require(inquiry.callbacks, "\(inquiry.id)")
      #expect(callbacks.count == 1)
      #expect(callbacks.first?.channel == "mango")
      #expect(callbacks.first?.callID == "OUT9")
      #expect(callbacks.first?.answered == true)
      #expect(callbacks.first?.employee == "101")
      #expect(callbacks.first?.durationS == 60)
    }
    #expect(try database.listSync(.all).first { $0.id == otherID }?.callbacks == nil)
    // The CRM hears of it: the form's inquiry as updated, with the callback in it.
    let events = try await pbx.daemon.api(.GET, "/events?after=0", token: pbx.daemon.readToken)
    let updates = try #require(events.json["items"] as? [[String: Any]]).filter {
      $0["type"] as? String == "inquiry.updated" && $0["inquiry_id"] as? String == formID
    }
    #expect(updates.count == 1)
    let sent = try #require(updates.first?["inquiry"] as? [String: Any])
    let sentCallbacks = try #require(sent["callbacks"] as? [[String: Any]])
    #expect(sentCallbacks.first?["call_id"] as? String == "OUT9")
    #expect(sentCallbacks.first?["answered"] as? Bool == true)

    // The form is decided; a second call back, unanswered, is noted on the missed call only.
    let rejected = try await pbx.daemon.api(
      .POST, "/inquiries/\(formID)/reject", json: #"{"reason":"duplicate"}"#)
    #expect(rejected.status == 200, "\(rejected.body)")
    // Its legs end first (noted at once); the summary after them adds the duration.
    let now = Int(Date().timeIntervalSince1970)
    for (seq, state) in [(1, "Appeared"), (2, "Disconnected")] {
      let leg = """
        {"entry_id":"OUT10","call_id":"c-out10","timestamp":\(now),"seq":\(seq),\
        "call_state":"\(state)","location":"abonent",\
        "from":{"extension":"101","number":"sip:ivanov@vpbx.mangosip.ru"},\
        "to":{"number":"79001234567"}}
        """
      #expect(try await pbx.mango("/events/call", json: leg).status == 200)
    }
    let noted = try #require(try pbx.inquiries("mango").first { $0.source.callID == "M1" })
    #expect(noted.callbacks?.map(\.callID) == ["OUT9", "OUT10"])
    #expect(noted.callbacks?.last?.durationS == nil)
    let again = Self.mangoOutgoingSummary(entry: "OUT10", to: "79001234567", talk: false)
    #expect(try await pbx.mango("/events/summary", json: again).status == 200)
    let after = try #require(try pbx.inquiries("mango").first { $0.source.callID == "M1" })
    #expect(after.callbacks?.map(\.callID) == ["OUT9", "OUT10"])
    #expect(after.callbacks?.map(\.answered) == [true, false])
    #expect(after.callbacks?.last?.durationS == 0)
    #expect(after.status == "new")
    // `inlet inquiries show` says it too.
    let shown = try pbx.daemon.cli(["inquiries", "show", after.id])
    #expect(shown.status == 0, "\(shown.error)")
    #expect(shown.output.contains("by 101, answered, 60 s"), "\(shown.output)")
    #expect(shown.output.contains("by 101, no answer"), "\(shown.output)")
    #expect(shown.output.contains("call: in, 0 s, employee 123"), "\(shown.output)")
    let decided = try #require(try database.listSync(.all).first { $0.id == formID })
    #expect(decided.callbacks?.count == 1)
    // An outgoing call is no lead of its own (`call_inquiries: [in]`).
    #expect(try pbx.inquiries("mango").count == 1)
  }

  @Test("Mango: summary makes one inquiry; wrong sign is 401 and stores nothing; retries dedupe")
  func mango() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()

    let missed = try await pbx.mango(
      "/events/summary", json: Self.mangoSummary(entry: "E1", talk: 0))
    #expect(missed.status == 200, "\(missed.body)")
    #expect(missed.body == "{}")
    let answered = try await pbx.mango(
      "/events/summary", json: Self.mangoSummary(entry: "E2", talk: 1_399_906_980))
    #expect(answered.status == 200)
    // A retry of the same event is acknowledged and creates nothing.
    let retry = try await pbx.mango(
      "/events/summary", json: Self.mangoSummary(entry: "E1", talk: 0))
    #expect(retry.status == 200)

    let forged = try await pbx.mango(
      "/events/summary", json: Self.mangoSummary(entry: "E3", talk: 0), salt: "wrong")
    #expect(forged.status == 401)
    #expect(forged.errorCode == "unauthorized")
    let wrongKey = try await pbx.mango(
      "/events/summary", json: Self.mangoSummary(entry: "E4", talk: 0), key: "other")
    #expect(wrongKey.status == 401)
    // A captured, correctly signed request with a forged event appended — as `json[#text]`
    // (which the form decoder would have read as `json`) or as a second `json` — is refused.
    let captured = Self.mangoSummary(entry: "E1", talk: 0)
    let capturedSign = MangoSignScheme.sign(
      apiKey: TelephonyHarness.mangoKey, json: captured, salt: TelephonyHarness.mangoSalt)
    for forgedName in ["json[#text]", "json", "json[]", "sign"] {
      let replayed = try await pbx.postForm(
        "/hooks/mango/events/summary",
        [
          ("vpbx_api_key", TelephonyHarness.mangoKey), ("sign", capturedSign), ("json", captured),
          (forgedName, Self.mangoSummary(entry: "FORGED-\(forgedName)", talk: 0)),
        ])
      #expect(replayed.status == 401, "\(forgedName): \(replayed.body)")
    }

    // A caller from Minsk: Mango sends international numbers without "+"; a Russian number
    // written as the default country reads it (`89…`) stays Russian.
    for (entry, from) in [("E5", "375291234567"), ("E6", "89161230000")] {
      let reply = try await pbx.mango(
        "/events/summary", json: Self.mangoSummary(entry: entry, from: from, talk: 0))
      #expect(reply.status == 200, "\(reply.body)")
    }
    var inquiries = try pbx.inquiries("mango")
    #expect(inquiries.first { $0.source.callID == "E5" }?.sender.phone == "+375291234567")
    #expect(inquiries.first { $0.source.callID == "E6" }?.sender.phone == "+79161230000")
    inquiries.removeAll { ["E5", "E6"].contains($0.source.callID) }
    #expect(inquiries.count == 2)
    let first = try #require(inquiries.first { $0.source.callID == "E1" })
    #expect(first.kind == .missedCall)
    #expect(first.sender.phone == "+79001234567")
    #expect(first.call?.did == "+74957654321")
    #expect(first.call?.employee == "123")
    #expect(first.call?.direction == "in")
    let second = try #require(inquiries.first { $0.source.callID == "E2" })
    #expect(second.kind == .call)
    #expect(second.call?.durationS == 10)
    // The provider's `create_time`, not when the event arrived (a retry after an outage).
    let api = try await pbx.daemon.api(
      .GET, "/inquiries/\(second.id)", token: pbx.daemon.readToken)
    let call = try #require(api.json["call"] as? [String: Any], "\(api.body)")
    #expect(call["started_at"] as? String == "2014-05-12T15:02:56Z")
    #expect(try pbx.rawCount("mango") == 4, "forged requests are never stored")
    // Calls count among the channel's leads (the retry adds nothing).
    let metrics = try await pbx.daemon.get("/metrics").1
    #expect(
      metrics.contains(#"inlet_inquiries_created_total{channel="mango",kind="call"} 4"#),
      "\(metrics)")
  }

  @Test("Mango: shuffled live events and a late summary give one correct inquiry")
  func mangoShuffled() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    for (seq, state) in [(3, "Disconnected"), (1, "Appeared"), (2, "Connected")] {
      let reply = try await pbx.mango(
        "/events/call", json: Self.mangoCall(entry: "S1", seq: seq, state: state))
      #expect(reply.status == 200, "\(reply.body)")
    }
    var inquiries = try pbx.inquiries("mango")
    #expect(inquiries.count == 1)
    #expect(inquiries.first?.kind == .call, "a Connected leg that ended is a conversation so far")
    #expect(inquiries.first?.call?.employee == "29")
    // Started when the earliest event says, whatever order they came in.
    #expect(inquiries.first?.call?.startedAt.map(Inquiry.timestamp) == "2019-05-21T07:02:18Z")

    // The summary is authoritative: no talk time means it was missed after all.
    _ = try await pbx.mango("/events/summary", json: Self.mangoSummary(entry: "S1", talk: 0))
    _ = try await pbx.mango(
      "/events/recording",
      json:
        #"{"entry_id":"S1","call_id":"leg-S1","recording_id":"R77","recording_state":"Completed","extension":"29","timestamp":1558422200}"#
    )
    inquiries = try pbx.inquiries("mango")
    #expect(inquiries.count == 1)
    #expect(inquiries.first?.kind == .missedCall)
    #expect(inquiries.first?.call?.recordingURL == "mango-recording:R77")
    let record = try #require(try pbx.database().callRecord(channel: "mango", callID: "S1"))
    #expect(record.events == 5)
    #expect(record.legSeqs == ["leg-S1": 3])
  }

  @Test("a repeated or older call event that changes nothing records no inquiry.updated")
  func unchangedCallRecordsNoChange() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    for (seq, state) in [(1, "Appeared"), (2, "Connected")] {
      let reply = try await pbx.mango(
        "/events/call", json: Self.mangoCall(entry: "U1", seq: seq, state: state))
      #expect(reply.status == 200, "\(reply.body)")
    }
    let database = try pbx.database()
    let before = try await database.events(after: 0)
    #expect(before.map(\.type) == [.created, .updated])
    // The same state again under another key (a second later), and the older one.
    let again = Self.mangoCall(entry: "U1", seq: 2, state: "Connected")
      .replacingOccurrences(of: #""timestamp":1558422148"#, with: #""timestamp":1558422149"#)
    #expect(again.contains("1558422149"))
    #expect(try await pbx.mango("/events/call", json: again).status == 200)
    let older = Self.mangoCall(entry: "U1", seq: 1, state: "Appeared")
      .replacingOccurrences(of: #""timestamp":1558422138"#, with: #""timestamp":1558422139"#)
    #expect(try await pbx.mango("/events/call", json: older).status == 200)
    #expect(try pbx.rawCount("mango") == 4)
    #expect(try await database.events(after: 0).count == before.count)
    // A change is still one.
    let ended = try await pbx.mango(
      "/events/call", json: Self.mangoCall(entry: "U1", seq: 3, state: "Disconnected"))
    #expect(ended.status == 200)
    #expect(try await database.events(after: 0).count == before.count + 1)
  }

  @Test("Mango: legs of one entry keep their own seq; the IVR's end is not the call's")
  func mangoLegs() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    // The caller's leg meets the IVR (its seq reaches 2), an employee's leg is rung (its own
    // seq from 1), the IVR's leg ends (3) while the employee's is live, then the employee
    // answers (2 of that leg: not older than the IVR's 3, another count).
    let events: [(String, Int, String, String)] = [
      ("ivr-M1", 1, "Appeared", "ivr"), ("ivr-M1", 2, "Connected", "ivr"),
      ("op-M1", 1, "Appeared", "abonent"), ("ivr-M1", 3, "Disconnected", "ivr"),
      ("op-M1", 2, "Connected", "abonent"),
    ]
    for (leg, seq, state, location) in events {
      let reply = try await pbx.mango(
        "/events/call",
        json: Self.mangoCall(entry: "M1", seq: seq, state: state, leg: leg, location: location))
      #expect(reply.status == 200, "\(reply.body)")
    }
    var inquiry = try #require(try pbx.inquiries("mango").first)
    #expect(inquiry.kind == .call)
    #expect(inquiry.extra["call_state"] == .string("answered"), "\(inquiry.extra)")
    // The employee's leg ends: so does the call, a conversation.
    _ = try await pbx.mango(
      "/events/call", json: Self.mangoCall(entry: "M1", seq: 3, state: "Disconnected", leg: "op-M1")
    )
    inquiry = try #require(try pbx.inquiries("mango").first)
    #expect(inquiry.kind == .call)
    #expect(inquiry.extra["call_state"] == .string("ended"), "\(inquiry.extra)")
    let record = try #require(try pbx.database().callRecord(channel: "mango", callID: "M1"))
    #expect(record.legSeqs == ["ivr-M1": 3, "op-M1": 3])
    #expect(record.liveLegs == nil)

    // Nobody answers: the IVR's leg and the employee's ring out; the last end is a missed call.
    let missed: [(String, Int, String, String)] = [
      ("ivr-M2", 1, "Appeared", "ivr"), ("op-M2", 1, "Appeared", "abonent"),
      ("ivr-M2", 2, "Disconnected", "ivr"),
    ]
    for (leg, seq, state, location) in missed {
      _ = try await pbx.mango(
        "/events/call",
        json: Self.mangoCall(entry: "M2", seq: seq, state: state, leg: leg, location: location))
    }
    #expect(try pbx.inquiries("mango").last?.extra["call_state"] == .string("ringing"))
    _ = try await pbx.mango(
      "/events/call", json: Self.mangoCall(entry: "M2", seq: 2, state: "Disconnected", leg: "op-M2")
    )
    let second = try #require(try pbx.inquiries("mango").last)
    #expect(second.kind == .missedCall)
    #expect(second.source.callID == "M2")
  }

  @Test("Mango: a call whose hangup never came is a missed call after call_timeout")
  func mangoLostHangup() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    // The caller's leg appears; its Disconnected is lost and the summary is off.
    for channel in ["mango-short", "mango"] {
      let reply = try await pbx.mango(
        "/events/call", json: Self.mangoCall(entry: "L1", seq: 1, state: "Appeared"),
        channel: channel)
      #expect(reply.status == 200, "\(reply.body)")
    }
    let closed = try await eventually {
      try pbx.inquiries("mango-short").first?.kind == .missedCall
    }
    #expect(closed, "the silent call became a missed call")
    let missed = try #require(try pbx.inquiries("mango-short").first)
    #expect(missed.extra["call_state"] == .string("ended"))
    #expect(missed.extra["call_timed_out"] == .bool(true))
    #expect(missed.sender.phone == "+79001234567")
    // The default timeout is an hour: the other channel's call is still ringing.
    let waiting = try #require(try pbx.inquiries("mango").first)
    #expect(waiting.kind == .call)
    #expect(waiting.extra["call_state"] == .string("ringing"))

    // The summary comes late after all, with a conversation: it decides.
    let summary = try await pbx.mango(
      "/events/summary", json: Self.mangoSummary(entry: "L1", talk: 1_399_906_980),
      channel: "mango-short")
    #expect(summary.status == 200, "\(summary.body)")
    let decided = try #require(try pbx.inquiries("mango-short").first)
    #expect(decided.kind == .call)
    #expect(decided.extra["call_timed_out"] == nil)
    #expect(try pbx.inquiries("mango-short").count == 1)
  }

  @Test("Mango: a hidden number, an unknown event, a body without a call id")
  func mangoEdges() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let hidden = try await pbx.mango(
      "/events/summary", json: Self.mangoSummary(entry: "H1", from: nil, talk: 0))
    #expect(hidden.status == 200)
    let inquiry = try #require(try pbx.inquiries("mango").first)
    #expect(inquiry.sender.phone == nil)
    #expect(inquiry.extra["anonymous_caller"] == .bool(true))

    let sms = try await pbx.mango("/events/sms", json: #"{"command_id":"x","text":"hi"}"#)
    #expect(sms.status == 200)
    // A second SMS event is its own delivery, not a duplicate of the first.
    let sms2 = try await pbx.mango("/events/sms", json: #"{"command_id":"y","text":"hi"}"#)
    #expect(sms2.status == 200)
    // Connected to the IVR, gone from the queue, no summary: no conversation took place.
    for (seq, state, location) in [
      (1, "Appeared", "ivr"), (2, "Connected", "ivr"), (3, "Disconnected", "queue"),
    ] {
      let leg = Self.mangoCall(entry: "IVR1", seq: seq, state: state)
        .replacingOccurrences(of: #""location":"abonent""#, with: #""location":"\#(location)""#)
      #expect(try await pbx.mango("/events/call", json: leg).status == 200)
    }
    let ivr = try #require(try pbx.inquiries("mango").first { $0.source.callID == "IVR1" })
    #expect(ivr.kind == .missedCall, "an IVR's answer is no conversation")
    let noID = try await pbx.mango("/events/summary", json: #"{"call_direction":1,"talk_time":0}"#)
    #expect(noID.status == 400)
    #expect(noID.errorCode == "missing_fields")
    // Correctly signed, but its json does not parse: authenticated, so kept quarantined.
    let broken = try await pbx.mango("/events/summary", json: #"{"entry_id":"#)
    #expect(broken.status == 400, "\(broken.body)")
    // Signed wrong and unparseable: refused, nothing kept.
    let forged = try await pbx.mango("/events/summary", json: #"{"entry_id":"#, salt: "wrong")
    #expect(forged.status == 401)
    let counts = try pbx.database().countsSync()
    #expect(counts.rawItems["ignored"] == 2)
    #expect(counts.rawItems["quarantined"] == 2)
    // Listed as the PBX's calls, also those nothing could be read from — never as web forms.
    let kept = try pbx.database().listSync(.all).filter { $0.id.hasPrefix("r") }
    #expect(kept.count == 4)
    #expect(kept.allSatisfy { $0.kind == .call }, "\(kept.map(\.kind))")
    func listed(_ query: String) async throws -> Int {
      let reply = try await pbx.daemon.api(
        .GET, "/inquiries?\(query)", token: pbx.daemon.readToken)
      return (reply.json["items"] as? [[String: Any]])?.count ?? -1
    }
    #expect(try await listed("status=ignored&kind=call") == 2)
    #expect(try await listed("status=quarantined&kind=call") == 2)
    #expect(try await listed("status=all&kind=form") == 0)
  }

  @Test("Zadarma and legacy Novofon: zd_echo, signatures, missing start, caller_name reply")
  func zadarma() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    for channel in ["zadarma", "novofon"] {
      let echo = try await pbx.daemon.request(.GET, "/hooks/\(channel)?zd_echo=abc123")
      #expect(echo.status == 200)
      #expect(echo.body == "abc123")
    }
    let start: [(String, String)] = [
      ("event", "NOTIFY_START"), ("call_start", "2026-11-29 10:00:00"), ("pbx_call_id", "in_1"),
      ("caller_id", "79161234567"), ("called_did", "74951112233"),
    ]
    let started = try await pbx.zadarma(start)
    #expect(started.status == 200, "\(started.body)")
    #expect(started.body == "{}", "an unknown caller gets no caller_name")
    let end: [(String, String)] = [
      ("event", "NOTIFY_END"), ("call_start", "2026-11-29 10:00:00"), ("pbx_call_id", "in_1"),
      ("caller_id", "79161234567"), ("called_did", "74951112233"), ("internal", "101"),
      ("duration", "0"), ("disposition", "no answer"), ("status_code", "19"),
      ("is_recorded", "0"),
    ]
    #expect(try await pbx.zadarma(end).status == 200)
    #expect(try await pbx.zadarma(end).status == 200)  // a retry
    // A call whose NOTIFY_START never arrived.
    var lonely = end
    lonely[2] = ("pbx_call_id", "in_2")
    lonely[7] = ("disposition", "answered")
    lonely[6] = ("duration", "73")
    // Recorded: its end names the recording, where NOTIFY_RECORD is not subscribed too.
    lonely[9] = ("is_recorded", "1")
    lonely.append(("call_id_with_rec", "1764410400.2345"))
    #expect(try await pbx.zadarma(lonely, channel: "novofon").status == 200)

    var forged = end
    forged[2] = ("pbx_call_id", "in_3")
    #expect(try await pbx.zadarma(forged, secret: "wrong").status == 401)
    let unsigned = try await pbx.postForm("/hooks/zadarma", forged)
    #expect(unsigned.status == 401)
    // Events Zadarma signs no string for are acknowledged, not stored, not failures.
    for channel in ["zadarma", "novofon"] {
      for event in ["SPEECH_RECOGNITION", "NUMBER_LOOKUP", "CALL_TRACKING"] {
        let unsignedEvent = try await pbx.postForm(
          "/hooks/\(channel)", [("event", event), ("pbx_call_id", "in_1")])
        #expect(unsignedEvent.status == 200, "\(channel) \(event): \(unsignedEvent.body)")
      }
    }

    let zadarmaInquiries = try pbx.inquiries("zadarma")
    #expect(zadarmaInquiries.count == 1)
    #expect(zadarmaInquiries.first?.kind == .missedCall)
    #expect(zadarmaInquiries.first?.sender.phone == "+79161234567")
    #expect(zadarmaInquiries.first?.call?.did == "+74951112233")
    #expect(zadarmaInquiries.first?.call?.employee == "101")
    #expect(
      zadarmaInquiries.first?.call?.recordingURL == nil, "not recorded: no `zadarma-recording:`")
    // `call_start` is the account's local time: Moscow by default, the channel's `time_zone`.
    let calledAt = try #require(zadarmaInquiries.first?.call?.startedAt)
    #expect(Inquiry.timestamp(calledAt) == "2026-11-29T07:00:00Z")
    let novofon = try pbx.inquiries("novofon")
    #expect(novofon.count == 1)
    #expect(novofon.first?.kind == .call)
    #expect(novofon.first?.call?.durationS == 73)
    #expect(novofon.first?.call?.recordingURL == "novofon-recording:1764410400.2345")
    #expect(novofon.first?.call?.startedAt.map(Inquiry.timestamp) == "2026-11-29T05:00:00Z")
    #expect(try pbx.rawCount("zadarma") == 2)
  }

  @Test("allow_from: a correctly signed request from another address is 403 and not stored")
  func allowFrom() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let start: [(String, String)] = [
      ("event", "NOTIFY_START"), ("call_start", "2026-11-29 10:00:00"), ("pbx_call_id", "ip_1"),
      ("caller_id", "79161234567"), ("called_did", "74951234567"),
    ]
    // Zadarma calls from its own addresses: the test's 127.0.0.1 is not one of them.
    let foreign = try await pbx.zadarma(start, channel: "zadarma-pinned")
    #expect(foreign.status == 403, "\(foreign.body)")
    #expect(foreign.errorCode == "source_not_allowed")
    #expect(try pbx.rawCount("zadarma-pinned") == 0)
    // A stranger's request is refused before its body is measured: a 2 MiB body is 403, not
    // the 413 that a listed address would get.
    let flood = try await pbx.daemon.request(
      .POST, "/hooks/zadarma-pinned",
      headers: [("Content-Type", "application/x-www-form-urlencoded")],
      body: Array(repeating: UInt8(ascii: "a"), count: 2 << 20))
    #expect(flood.status == 403, "\(flood.body)")
    #expect(flood.errorCode == "source_not_allowed")
    let metrics = try await pbx.daemon.get("/metrics").1
    #expect(metrics.contains(#"inlet_auth_failures_total{channel="zadarma-pinned"} 2"#))
    // Listed, the same request is taken.
    let local = try await pbx.zadarma(start, channel: "zadarma-local")
    #expect(local.status == 200, "\(local.body)")
    #expect(try pbx.inquiries("zadarma-local").count == 1)
    // Every request of the provider refused (its addresses changed): the channel is failing
    // after the fifth, in /health and `inlet status`.
    for _ in 0..<3 { _ = try await pbx.zadarma(start, channel: "zadarma-pinned") }
    let status = try pbx.daemon.cli(["status"])
    #expect(status.status != 0)
    #expect(status.output.contains("zadarma-pinned [zadarma]: failing since"), "\(status.output)")
    #expect(status.output.contains("not from an address in allow_from"), "\(status.output)")
  }

  @Test("outgoing calls are recorded without an inquiry unless the instance asks for them")
  func outgoing() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let out: [(String, String)] = [
      ("event", "NOTIFY_OUT_END"), ("call_start", "2026-11-29 11:00:00"),
      ("pbx_call_id", "out_1"), ("internal", "101"), ("destination", "79035556677"),
      ("duration", "30"), ("disposition", "answered"),
    ]
    #expect(try await pbx.zadarma(out).status == 200)
    #expect(try await pbx.zadarma(out, channel: "zadarma-all").status == 200)
    #expect(try pbx.inquiries("zadarma").isEmpty)
    let record = try #require(try pbx.database().callRecord(channel: "zadarma", callID: "out_1"))
    #expect(record.direction == "out")
    #expect(record.durationS == 30)
    let configured = try pbx.inquiries("zadarma-all")
    #expect(configured.count == 1)
    #expect(configured.first?.call?.direction == "out")
  }

  @Test(
    "Mango outgoing and internal calls: the customer is the callee, a transfer leg changes no caller"
  )
  func mangoOutgoing() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    // An employee (extension 101) calls a customer: legs from the extension, then the summary.
    let legs = [(1, "Appeared"), (2, "Connected"), (3, "Disconnected")].map { seq, state in
      """
      {"entry_id":"OUT1","call_id":"c-out-\(seq)","timestamp":1764410000,"seq":\(seq),\
      "call_state":"\(state)","location":"abonent",\
      "from":{"extension":"101","number":"sip:ivanov@vpbx.mangosip.ru"},\
      "to":{"number":"79035556677"}}
      """
    }
    let summary = """
      {"entry_id":"OUT1","call_direction":2,"from":{"extension":"101","number":"74951112233"},\
      "to":{"number":"79035556677"},"line_number":"74951112233","create_time":1764410000,\
      "forward_time":1764410001,"talk_time":1764410005,"end_time":1764410065,"entry_result":1}
      """
    for channel in ["mango", "mango-all"] {
      for leg in legs {
        #expect(try await pbx.mango("/events/call", json: leg, channel: channel).status == 200)
      }
      #expect(try await pbx.mango("/events/summary", json: summary, channel: channel).status == 200)
    }
    #expect(try pbx.inquiries("mango").isEmpty)
    let record = try #require(try pbx.database().callRecord(channel: "mango", callID: "OUT1"))
    #expect(record.direction == "out")
    #expect(record.callerPhone == "+79035556677")
    #expect(record.employee == "101")
    #expect(record.durationS == 60)
    let configured = try pbx.inquiries("mango-all")
    #expect(configured.count == 1)
    #expect(configured.first?.sender.phone == "+79035556677")
    #expect(configured.first?.call?.direction == "out")
    #expect(configured.first?.call?.employee == "101")
    #expect(configured.first?.kind == .call)

    // An incoming call transferred from extension 29 to extension 30: the transfer leg is
    // internal; the inquiry stays the caller's, inbound.
    let incoming = [
      """
      {"entry_id":"IN1","call_id":"c1","timestamp":1764410100,"seq":1,"call_state":"Appeared",\
      "location":"abonent","from":{"number":"79001234567"},"to":{"extension":"29","number":"74950000029"}}
      """,
      """
      {"entry_id":"IN1","call_id":"c2","timestamp":1764410110,"seq":2,"call_state":"Appeared",\
      "location":"abonent","from":{"extension":"29","number":"74950000029"},\
      "to":{"extension":"30","number":"74950000030"}}
      """,
    ]
    for event in incoming {
      #expect(try await pbx.mango("/events/call", json: event).status == 200)
    }
    let inbound = try #require(try pbx.database().callRecord(channel: "mango", callID: "IN1"))
    #expect(inbound.direction == "in")
    #expect(inbound.callerPhone == "+79001234567")
    let queued = try pbx.inquiries("mango")
    #expect(queued.count == 1)
    #expect(queued.first?.sender.phone == "+79001234567")

    // The same, the transfer leg delivered first (a retry overtaking the caller's events) and
    // no summary: still the caller's inbound call, with the caller's number.
    for event in incoming.reversed() {
      let later = event.replacingOccurrences(of: "IN1", with: "IN2")
      #expect(try await pbx.mango("/events/call", json: later).status == 200)
    }
    let reordered = try #require(try pbx.database().callRecord(channel: "mango", callID: "IN2"))
    #expect(reordered.direction == "in")
    #expect(reordered.callerPhone == "+79001234567")
    let both = try pbx.inquiries("mango")
    #expect(both.count == 2, "\(both.map(\.source.callID))")
    #expect(both.last?.sender.phone == "+79001234567")
    #expect(both.last?.call?.direction == "in")
  }

  @Test("Sipuni, generic CTI and Twilio outgoing calls: the customer is the number dialled")
  func outgoingCallee() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let token = TelephonyHarness.urlToken
    for channel in ["sipuni", "sipuni-all"] {
      for event in ["1", "2"] {
        let reply = try await pbx.postForm(
          "/hooks/\(channel)?token=\(token)",
          [
            ("event", event), ("call_id", "so1"), ("src_num", "201"), ("src_type", "2"),
            ("short_src_num", "201"), ("dst_num", "79035556677"), ("dst_type", "1"),
            ("status", "ANSWER"), ("call_answer_timestamp", "1764410005"),
            ("timestamp", "1764410065"),
          ])
        #expect(reply.status == 200, "\(reply.body)")
      }
      let cti = [
        #"{"event":"newCall","from":"74951112233","to":"79261112233","direction":"out","callId":"co1","user":["Анна"]}"#,
        #"{"event":"hangup","from":"74951112233","to":"79261112233","direction":"out","callId":"co1","cause":"normalClearing"}"#,
      ]
      for body in cti {
        let reply = try await pbx.daemon.request(
          .POST, "/hooks/\(channel == "sipuni" ? "cti" : "cti-all")/\(token)",
          headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        #expect(reply.status == 200, "\(reply.body)")
      }
      let twilio = channel == "sipuni" ? "twilio" : "twilio-all"
      let placed: [(String, String)] = [
        ("AccountSid", "AC1"), ("CallSid", "CAOUT"), ("From", "+14155550100"),
        ("To", "+14155550177"), ("Direction", "outbound-api"), ("CallStatus", "completed"),
        ("CallDuration", "42"),
      ]
      #expect(try await pbx.twilio(placed, channel: twilio).status == 200)
      // A click-to-call placed through the API whose TwiML dials the employee: its <Dial
      // action> comes before the status callback, and the customer is still `To`.
      let api: [(String, String)] = [
        ("AccountSid", "AC1"), ("CallSid", "CAAPI"), ("From", "+14155550100"),
        ("To", "+14155550166"), ("Direction", "outbound-api"),
      ]
      #expect(
        try await pbx.twilio(
          api + [("DialCallStatus", "completed"), ("DialCallDuration", "20")], channel: twilio
        ).status == 200)
      #expect(
        try await pbx.twilio(
          api + [("CallStatus", "completed"), ("CallDuration", "25")], channel: twilio
        ).status == 200)
      // A <Dial> leg ringing an employee for an incoming call is part of that call.
      let leg: [(String, String)] = [
        ("AccountSid", "AC1"), ("CallSid", "CALEG"), ("ParentCallSid", "CAIN"),
        ("From", "+14155550123"), ("To", "+14155550150"), ("Direction", "outbound-dial"),
        ("CallStatus", "completed"), ("CallDuration", "30"),
      ]
      #expect(try await pbx.twilio(leg, channel: twilio).status == 200)
      // A call from the browser (Voice SDK): an inbound leg from client:anna dialling the
      // customer; its <Dial action> says the customer answered.
      let sdk: [(String, String)] = [
        ("AccountSid", "AC1"), ("CallSid", "CASDK"), ("From", "client:anna"),
        ("To", "+14155550188"), ("Direction", "inbound"),
      ]
      #expect(
        try await pbx.twilio(
          sdk + [("DialCallStatus", "completed"), ("DialCallDuration", "33")], channel: twilio
        ).status == 200)
      #expect(
        try await pbx.twilio(
          sdk + [("CallStatus", "completed"), ("CallDuration", "40")], channel: twilio
        ).status == 200)
    }
    for channel in ["sipuni", "cti", "twilio"] {
      #expect(try pbx.inquiries(channel).isEmpty, "\(channel)")
    }
    let database = try pbx.database()
    #expect(
      try database.callRecord(channel: "sipuni", callID: "so1")?.callerPhone == "+79035556677")
    #expect(try database.callRecord(channel: "cti", callID: "co1")?.callerPhone == "+79261112233")
    #expect(
      try database.callRecord(channel: "twilio", callID: "CAOUT")?.callerPhone == "+14155550177")
    #expect(try database.callRecord(channel: "twilio", callID: "CALEG")?.direction == "internal")
    let sdkRecord = try #require(try database.callRecord(channel: "twilio", callID: "CASDK"))
    #expect(sdkRecord.direction == "out")
    #expect(sdkRecord.callerPhone == "+14155550188")
    #expect(sdkRecord.employee == "client:anna")
    #expect(sdkRecord.answered)

    let sipuni = try pbx.inquiries("sipuni-all")
    #expect(sipuni.count == 1)
    #expect(sipuni.first?.sender.phone == "+79035556677")
    #expect(sipuni.first?.call?.direction == "out")
    #expect(sipuni.first?.call?.employee == "201")
    #expect(sipuni.first?.call?.durationS == 60)
    let cti = try pbx.inquiries("cti-all")
    #expect(cti.count == 1)
    #expect(cti.first?.sender.phone == "+79261112233")
    #expect(cti.first?.call?.did == "+74951112233")
    let twilio = try pbx.inquiries("twilio-all")
    #expect(twilio.count == 3, "the <Dial> leg is no call of its own")
    #expect(twilio.first?.sender.phone == "+14155550177")
    #expect(twilio.first?.call?.durationS == 42)
    let clickToCall = try #require(twilio.first { $0.source.callID == "CAAPI" })
    #expect(clickToCall.sender.phone == "+14155550166", "the customer, not the company's number")
    #expect(clickToCall.call?.did == "+14155550100")
    #expect(clickToCall.call?.direction == "out")
    #expect(
      try database.callRecord(channel: "twilio", callID: "CAAPI")?.callerPhone == "+14155550166")
    #expect(twilio.last?.sender.phone == "+14155550188")
    #expect(twilio.last?.kind == .call)
  }

  @Test(
    "Telphin, UIS, MegaFon and Zadarma outgoing and internal calls keep the customer and the direction"
  )
  func outgoingMore() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let token = TelephonyHarness.urlToken
    for (telphin, uis) in [("telphin", "uis"), ("telphin-all", "uis-all")] {
      // Extension 101 calls a customer; the hangup comes before the dial-out.
      let out: [[(String, String)]] = [
        [
          ("EventType", "hangup"), ("CallID", "t5"), ("SubCallID", "a"),
          ("CallerIDNum", "74951112233"), ("CallerExtension", "0001*101"), ("Bridged", "yes"),
          ("Duration", "70000000"),
        ],
        [
          ("EventType", "dial-out"), ("CallID", "t5"), ("SubCallID", "a"),
          ("CallerIDNum", "74951112233"), ("CallerExtension", "0001*101"),
          ("CalledNumber", "79035556677"),
        ],
        // 101 calls 102: both extensions' subscriptions report it.
        [
          ("EventType", "dial-in"), ("CallID", "t6"), ("CallerIDNum", "101"),
          ("CallerExtension", "0001*101"), ("CalledExtension", "0001*102"),
        ],
        [
          ("EventType", "hangup"), ("CallID", "t6"), ("CallerExtension", "0001*101"),
          ("CalledExtension", "0001*102"), ("Bridged", "yes"),
        ],
        // 102 calls 103 and only the hangup arrives: still an internal call, no lead from an
        // "anonymous caller".
        [
          ("EventType", "hangup"), ("CallID", "t7"), ("SubCallID", "b"),
          ("CallerExtension", "0001*102"), ("CalledExtension", "0001*103"), ("Bridged", "yes"),
        ],
      ]
      for pairs in out {
        let reply = try await pbx.postForm("/hooks/\(telphin)?token=\(token)", pairs)
        #expect(reply.status == 200, "\(reply.body)")
      }
      let body =
        #"{"call_session_id":"u9","direction":"out","event":"end","calling_phone_number":"74951112233","called_phone_number":"79261112233","employee_full_name":"Анна","talk_time_duration":"50"}"#
      let reply = try await pbx.daemon.request(
        .POST, "/hooks/\(uis)?token=\(token)", headers: [("Content-Type", "application/json")],
        body: Array(body.utf8))
      #expect(reply.status == 200, "\(reply.body)")
    }
    // MegaFon: an outgoing call's states, the final one without `direction`.
    for type in ["OUTGOING", "COMPLETED"] {
      let reply = try await pbx.postForm(
        "/hooks/megafon",
        [
          ("cmd", "event"), ("type", type), ("callid", "mo1"), ("phone", "79035556677"),
          ("user", "ivanov"), ("crm_token", TelephonyHarness.megafonKey),
        ])
      #expect(reply.status == 200, "\(reply.body)")
    }
    // MegaFon, delivered out of order: the final state (no `direction`) before OUTGOING. It is
    // taken as an inbound missed call at first; when OUTGOING says otherwise, inlet rejects the
    // inquiry nobody decided yet as no lead.
    for type in ["CANCELLED", "OUTGOING"] {
      let reply = try await pbx.postForm(
        "/hooks/megafon",
        [
          ("cmd", "event"), ("type", type), ("callid", "mo2"), ("phone", "79035550000"),
          ("user", "ivanov"), ("crm_token", TelephonyHarness.megafonKey),
        ])
      #expect(reply.status == 200, "\(reply.body)")
    }
    // Zadarma: the outside number answers an outgoing call, then its end.
    for event in [
      [
        ("event", "NOTIFY_ANSWER"), ("call_start", "2026-11-29 11:00:00"),
        ("pbx_call_id", "zo1"), ("caller_id", "74951112233"), ("destination", "79035556677"),
        ("internal", "101"),
      ],
      [
        ("event", "NOTIFY_OUT_END"), ("call_start", "2026-11-29 11:00:00"),
        ("pbx_call_id", "zo1"), ("internal", "101"), ("destination", "79035556677"),
        ("duration", "30"), ("disposition", "answered"),
      ],
    ] {
      #expect(try await pbx.zadarma(event).status == 200)
    }
    let database = try pbx.database()
    #expect(try pbx.inquiries("telphin").isEmpty)
    #expect(try pbx.inquiries("uis").isEmpty)
    #expect(try pbx.inquiries("zadarma").isEmpty)
    let megafon = try pbx.inquiries("megafon")
    #expect(megafon.map(\.source.callID) == ["mo2"], "mo1 made none")
    #expect(megafon.first?.status == "rejected")
    #expect(megafon.first?.acceptance?.reason == "not_a_lead")
    #expect(megafon.first?.call?.direction == "out")
    #expect(try database.callRecord(channel: "megafon", callID: "mo1")?.direction == "out")
    // The same, but a manager accepted the call in between: it stays as the manager decided.
    let cancelled = try await pbx.postForm(
      "/hooks/megafon",
      [
        ("cmd", "event"), ("type", "CANCELLED"), ("callid", "mo3"), ("phone", "79035550001"),
        ("user", "ivanov"), ("crm_token", TelephonyHarness.megafonKey),
      ])
    #expect(cancelled.status == 200, "\(cancelled.body)")
    let taken = try #require(try pbx.inquiries("megafon").first { $0.source.callID == "mo3" })
    let accepted = try await pbx.daemon.api(
      .POST, "/inquiries/\(taken.id)/accept", json: #"{"action":"new_client"}"#)
    #expect(accepted.status == 200, "\(accepted.body)")
    let outgoing = try await pbx.postForm(
      "/hooks/megafon",
      [
        ("cmd", "event"), ("type", "OUTGOING"), ("callid", "mo3"), ("phone", "79035550001"),
        ("user", "ivanov"), ("crm_token", TelephonyHarness.megafonKey),
      ])
    #expect(outgoing.status == 200, "\(outgoing.body)")
    let decided = try #require(try pbx.inquiries("megafon").first { $0.source.callID == "mo3" })
    #expect(decided.status == "accepted", "a decided call stays as the manager decided")
    #expect(decided.call?.direction == "out")
    let t5 = try #require(try database.callRecord(channel: "telphin", callID: "t5"))
    #expect(t5.direction == "out")
    #expect(t5.callerPhone == "+79035556677")
    #expect(try database.callRecord(channel: "telphin", callID: "t6")?.direction == "internal")
    #expect(try database.callRecord(channel: "telphin", callID: "t7")?.direction == "internal")
    #expect(try database.callRecord(channel: "telphin-all", callID: "t7")?.direction == "internal")
    #expect(try database.callRecord(channel: "uis", callID: "u9")?.callerPhone == "+79261112233")
    let zo1 = try #require(try database.callRecord(channel: "zadarma", callID: "zo1"))
    #expect(zo1.direction == "out")
    #expect(zo1.callerPhone == "+79035556677")
    let telphin = try pbx.inquiries("telphin-all")
    #expect(telphin.count == 1, "the internal call makes none")
    #expect(telphin.first?.sender.phone == "+79035556677")
    #expect(telphin.first?.call?.direction == "out")
    #expect(telphin.first?.kind == .call)
    let uis = try pbx.inquiries("uis-all")
    #expect(uis.count == 1)
    #expect(uis.first?.sender.phone == "+79261112233")
    #expect(uis.first?.call?.employee == "Анна")
  }

  @Test("MegaFon: history, live events, contact lookup, crm_token")
  func megafon() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let token = ("crm_token", TelephonyHarness.megafonKey)
    let contact = try await pbx.postForm(
      "/hooks/megafon", [("cmd", "contact"), ("phone", "79161234567"), token])
    #expect(contact.status == 200)
    #expect(contact.body == "{}")
    let events: [[(String, String)]] = [
      [
        ("cmd", "event"), ("type", "INCOMING"), ("direction", "in"), ("callid", "m1"),
        ("phone", "79161234567"), ("user", "ivanov"), ("diversion", "74951112233"), token,
      ],
      [
        ("cmd", "event"), ("type", "COMPLETED"), ("direction", "in"), ("callid", "m1"),
        ("phone", "79161234567"), token,
      ],
      [
        ("cmd", "history"), ("type", "in"), ("status", "Missed"), ("callid", "m1"),
        ("phone", "79161234567"), ("start", "20261129T100000Z"), ("duration", "12"),
        ("user", "ivanov"), ("diversion", "74951112233"), token,
      ],
    ]
    for pairs in events {
      let reply = try await pbx.postForm("/hooks/megafon", pairs)
      #expect(reply.status == 200, "\(reply.body)")
    }
    let wrong = try await pbx.postForm(
      "/hooks/megafon", [("cmd", "history"), ("callid", "m2"), ("crm_token", "nope")])
    #expect(wrong.status == 401)
    // A command this definition does not know: acknowledged and kept, not a 400 to retry.
    let unknown = try await pbx.postForm("/hooks/megafon", [("cmd", "transcription"), token])
    #expect(unknown.status == 200, "\(unknown.body)")
    let inquiries = try pbx.inquiries("megafon")
    #expect(inquiries.count == 1)
    #expect(inquiries.first?.kind == .missedCall)
    #expect(inquiries.first?.call?.employee == "ivanov")
    #expect(inquiries.first?.call?.did == "+74951112233")
    #expect(try pbx.rawCount("megafon") == 4, "the contact lookup stores nothing")
  }

  @Test("MegaFon ring group: a colleague's phone stops ringing; the call is as the customer had it")
  func megafonRingGroup() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    func send(_ call: String, _ type: String, _ user: String) async throws {
      let reply = try await pbx.postForm(
        "/hooks/megafon",
        [
          ("cmd", "event"), ("type", type), ("direction", type == "INCOMING" ? "in" : ""),
          ("callid", call), ("phone", "79161234567"), ("user", user),
          ("crm_token", TelephonyHarness.megafonKey),
        ])
      #expect(reply.status == 200, "\(reply.body)")
    }
    func lead(_ call: String) throws -> Inquiry? {
      try pbx.inquiries("megafon").first { $0.source.callID == call }
    }
    // Two phones ring, Ivanov answers, Petrov's stops ringing: an answered call in progress.
    try await send("rg1", "INCOMING", "ivanov")
    try await send("rg1", "INCOMING", "petrov")
    try await send("rg1", "ACCEPTED", "ivanov")
    try await send("rg1", "CANCELLED", "petrov")
    #expect(try lead("rg1")?.kind == .call)
    #expect(try lead("rg1")?.call?.employee == "ivanov", "who answered, not who stopped ringing")
    #expect(try pbx.database().callRecord(channel: "megafon", callID: "rg1")?.state == .answered)
    try await send("rg1", "COMPLETED", "ivanov")
    let answered = try #require(try pbx.database().callRecord(channel: "megafon", callID: "rg1"))
    #expect(answered.state == .ended)
    #expect(answered.answered)
    #expect(try lead("rg1")?.kind == .call)
    // Hunting: the first phone gives up, the second answers.
    try await send("rg2", "INCOMING", "ivanov")
    try await send("rg2", "CANCELLED", "ivanov")
    try await send("rg2", "INCOMING", "petrov")
    try await send("rg2", "ACCEPTED", "petrov")
    try await send("rg2", "COMPLETED", "petrov")
    #expect(try lead("rg2")?.kind == .call)
    #expect(try lead("rg2")?.call?.employee == "petrov")
    // The customer hangs up while both ring: missed.
    try await send("rg3", "INCOMING", "ivanov")
    try await send("rg3", "INCOMING", "petrov")
    try await send("rg3", "CANCELLED", "ivanov")
    #expect(try lead("rg3")?.kind == .call, "still ringing at Petrov's")
    try await send("rg3", "CANCELLED", "petrov")
    #expect(try lead("rg3")?.kind == .missedCall)
    // A transfer: Ivanov talked and passed the call to Petrov, who did not pick up.
    try await send("rg4", "INCOMING", "ivanov")
    try await send("rg4", "ACCEPTED", "ivanov")
    try await send("rg4", "INCOMING", "petrov")
    try await send("rg4", "COMPLETED", "ivanov")
    try await send("rg4", "CANCELLED", "petrov")
    #expect(try lead("rg4")?.kind == .call, "Ivanov's conversation stands")
    #expect(try lead("rg4")?.call?.employee == "ivanov")
    // Nobody answered: the employee is the last phone named.
    #expect(try lead("rg3")?.call?.employee == "petrov")
    // A transfer MegaFon reports as such (no `history` configured): Ivanov's leg is over, the
    // call goes on with Petrov's and ends with it — not an hour later at call_timeout.
    for (call, petrovFirst) in [("rg5", false), ("rg6", true)] {
      try await send(call, "INCOMING", "ivanov")
      try await send(call, "ACCEPTED", "ivanov")
      if petrovFirst { try await send(call, "INCOMING", "petrov") }
      try await send(call, "TRANSFERRED", "ivanov")
      if !petrovFirst { try await send(call, "INCOMING", "petrov") }
      try await send(call, "ACCEPTED", "petrov")
      // The customer is still on the line: not ended by the transfer, whatever the order.
      #expect(
        try pbx.database().callRecord(channel: "megafon", callID: call)?.state == .answered,
        "\(call): Petrov still talks")
      try await send(call, "COMPLETED", "petrov")
      let record = try #require(try pbx.database().callRecord(channel: "megafon", callID: call))
      #expect(record.state == .ended, "\(call)")
      #expect(record.answered)
      #expect(try lead(call)?.kind == .call)
      #expect(try lead(call)?.call?.employee == "petrov", "\(call)")
    }
  }

  @Test("Sipuni (GET and POST), Telphin, UIS and generic CTI")
  func urlTokenProviders() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let token = TelephonyHarness.urlToken

    let sipuniStart = TelephonyHarness.form([
      ("event", "1"), ("call_id", "s1"), ("src_num", "79991234567"), ("src_type", "1"),
      ("dst_num", "018315201"), ("dst_type", "2"), ("timestamp", "1710000000"),
    ])
    let viaGet = try await pbx.daemon.request(.GET, "/hooks/sipuni?token=\(token)&\(sipuniStart)")
    #expect(viaGet.status == 200)
    #expect(viaGet.json["success"] as? Bool == true)
    let hangup = try await pbx.postForm(
      "/hooks/sipuni?token=\(token)",
      [
        ("event", "2"), ("call_id", "s1"), ("src_num", "79991234567"), ("src_type", "1"),
        ("dst_type", "2"), ("status", "NOANSWER"), ("call_start_timestamp", "1710000000"),
        ("timestamp", "1710000030"), ("treeName", "Входящая"),
      ])
    #expect(hangup.status == 200)
    #expect(
      try await pbx.postForm("/hooks/sipuni", [("event", "2"), ("call_id", "s2")]).status == 401)
    // A caller from Belarus, as Sipuni sends every number: bare digits.
    let foreign = try await pbx.postForm(
      "/hooks/sipuni?token=\(token)",
      [
        ("event", "2"), ("call_id", "s4"), ("src_num", "375291234567"), ("src_type", "1"),
        ("dst_type", "2"), ("status", "NOANSWER"), ("timestamp", "1710000100"),
      ])
    #expect(foreign.status == 200)
    // Two colleagues (internal → internal): recorded as internal, no inquiry.
    let colleagues = try await pbx.postForm(
      "/hooks/sipuni?token=\(token)",
      [
        ("event", "2"), ("call_id", "s3"), ("src_num", "201"), ("src_type", "2"),
        ("dst_num", "202"), ("dst_type", "2"), ("status", "ANSWER"),
        ("timestamp", "1710000090"), ("call_answer_timestamp", "1710000060"),
      ])
    #expect(colleagues.status == 200)
    #expect(try pbx.database().callRecord(channel: "sipuni", callID: "s3")?.direction == "internal")

    for pairs in [
      [
        ("EventType", "dial-in"), ("CallID", "t1"), ("SubCallID", "a"),
        ("CallerIDNum", "+79167654321"), ("CalledDID", "74951112233"), ("CalledExtension", "201"),
      ],
      [("EventType", "answer"), ("CallID", "t1"), ("SubCallID", "a")],
      [
        ("EventType", "hangup"), ("CallID", "t1"), ("SubCallID", "a"), ("Bridged", "yes"),
        ("Duration", "95000000"),
      ],
      // Put through IVR 099 to extension 101: both extensions named, `CallFlow=in`; no one
      // answered (its hangup's CallStatus says so, without Bridged).
      [
        ("EventType", "dial-in"), ("CallID", "t20"), ("SubCallID", "b"), ("CallFlow", "in"),
        ("CallerIDNum", "+78123351127"), ("CallerExtension", "3515*099@sipproxy.telphin.ru"),
        ("CalledExtension", "3515*101@sipproxy.telphin.ru"), ("CalledNumber", "3515*101"),
        ("CalledDID", "78123092854"), ("CallStatus", "CALLING"),
      ],
      [
        ("EventType", "hangup"), ("CallID", "t20"), ("SubCallID", "b"), ("CallFlow", "in"),
        ("CallerIDNum", "+78123351127"), ("CallerExtension", "3515*099@sipproxy.telphin.ru"),
        ("CalledExtension", "3515*101@sipproxy.telphin.ru"), ("CallStatus", "NOANSWER"),
        ("Duration", "0"),
      ],
      // Put through the IVR too, the caller withheld (t23) or written as 11 digits without
      // "+" (t24): still an outside caller's missed call, not a colleague's.
      [
        ("EventType", "dial-in"), ("CallID", "t23"), ("SubCallID", "f"), ("CallFlow", "in"),
        ("CallerIDNum", "anonymous"), ("CallerExtension", "3515*099@sipproxy.telphin.ru"),
        ("CalledExtension", "3515*101@sipproxy.telphin.ru"), ("CallStatus", "CALLING"),
      ],
      [
        ("EventType", "hangup"), ("CallID", "t23"), ("SubCallID", "f"), ("CallFlow", "in"),
        ("CallerIDNum", "anonymous"), ("CallerExtension", "3515*099@sipproxy.telphin.ru"),
        ("CalledExtension", "3515*101@sipproxy.telphin.ru"), ("CallStatus", "NOANSWER"),
      ],
      [
        ("EventType", "hangup"), ("CallID", "t24"), ("SubCallID", "g"), ("CallFlow", "in"),
        ("CallerIDNum", "84951234567"), ("CallerExtension", "3515*099@sipproxy.telphin.ru"),
        ("CalledExtension", "3515*101@sipproxy.telphin.ru"), ("CallStatus", "NOANSWER"),
      ],
      // Through the IVR from Belarus, bare digits: an outside caller too.
      [
        ("EventType", "hangup"), ("CallID", "t26"), ("SubCallID", "i"), ("CallFlow", "in"),
        ("CallerIDNum", "375291234567"), ("CallerExtension", "3515*099@sipproxy.telphin.ru"),
        ("CalledExtension", "3515*101@sipproxy.telphin.ru"), ("CallStatus", "NOANSWER"),
      ],
      // A caller from Belarus, its number bare digits: read as international.
      [
        ("EventType", "hangup"), ("CallID", "t25"), ("SubCallID", "h"), ("CallFlow", "in"),
        ("CallerIDNum", "375291234567"), ("CalledExtension", "3515*101"),
        ("CallStatus", "NOANSWER"),
      ],
      // A colleague's call, seen from the callee's subscription with CallFlow=in: internal.
      [
        ("EventType", "dial-in"), ("CallID", "t22"), ("SubCallID", "e"), ("CallFlow", "in"),
        ("CallerIDNum", "3515*104"), ("CallerExtension", "3515*104"),
        ("CalledExtension", "3515*101"), ("CallStatus", "CALLING"),
      ],
      [
        ("EventType", "hangup"), ("CallID", "t22"), ("SubCallID", "e"), ("CallFlow", "in"),
        ("CallerIDNum", "3515*104"), ("CallerExtension", "3515*104"),
        ("CalledExtension", "3515*101"), ("CallStatus", "NOANSWER"),
      ],
      // An incoming call forwarded to an employee's mobile: its forwarded leg (CallFlow=out,
      // Transfered=yes) comes first; the customer is the caller, not the mobile.
      [
        ("EventType", "dial-out"), ("CallID", "t21"), ("SubCallID", "c"), ("CallFlow", "out"),
        ("Transfered", "yes"), ("CallerExtension", "3515*101"), ("CallerIDNum", "3515*101"),
        ("CalledNumber", "79990001122"), ("CallStatus", "CALLING"),
      ],
      [
        ("EventType", "dial-in"), ("CallID", "t21"), ("SubCallID", "d"), ("CallFlow", "in"),
        ("CallerIDNum", "+79161112299"), ("CalledExtension", "3515*101"),
        ("CallStatus", "CALLING"),
      ],
      [
        ("EventType", "hangup"), ("CallID", "t21"), ("SubCallID", "c"), ("CallFlow", "out"),
        ("Transfered", "yes"), ("CallerExtension", "3515*101"), ("CalledNumber", "79990001122"),
        ("CallStatus", "ANSWER"), ("Duration", "42000000"),
      ],
      [
        ("EventType", "hangup"), ("CallID", "t21"), ("SubCallID", "d"), ("CallFlow", "in"),
        ("CallerIDNum", "+79161112299"), ("CallStatus", "ANSWER"),
      ],
    ] {
      #expect(try await pbx.postForm("/hooks/telphin?token=\(token)", pairs).status == 200)
    }

    let uis =
      #"{"event":"lost","call_session_id":"u1","direction":"in","contact_phone_number":"79031112233","virtual_phone_number":"74953334455","employee_full_name":"","talk_time_duration":"0","notification_time":"2026-11-29 10:00:00"}"#
    let uisReply = try await pbx.daemon.request(
      .POST, "/hooks/uis?token=\(token)", headers: [("Content-Type", "application/json")],
      body: Array(uis.utf8))
    #expect(uisReply.status == 200, "\(uisReply.body)")
    // The recommended template as UIS fills it: each variable a JSON value (ids and durations
    // numbers, the rest texts), an empty one `null`.
    let filled =
      #"{"event": "end", "call_session_id": 3019874561, "direction": "in", "contact_phone_number": "79031112244", "virtual_phone_number": "74953334455", "employee_full_name": "Анна", "talk_time_duration": 50, "notification_time": "2026-11-29 10:05:00", "contact_full_name": null}"#
    let filledReply = try await pbx.daemon.request(
      .POST, "/hooks/uis?token=\(token)", headers: [("Content-Type", "application/json")],
      body: Array(filled.utf8))
    #expect(filledReply.status == 200, "\(filledReply.body)")
    let uisForeign =
      #"{"event":"lost","call_session_id":"u9","direction":"in","contact_phone_number":"375291234567","virtual_phone_number":"74953334455","talk_time_duration":"0","notification_time":"2026-11-29 10:10:00"}"#
    let uisForeignReply = try await pbx.daemon.request(
      .POST, "/hooks/uis?token=\(token)", headers: [("Content-Type", "application/json")],
      body: Array(uisForeign.utf8))
    #expect(uisForeignReply.status == 200, "\(uisForeignReply.body)")

    for body in [
      #"{"event":"newCall","from":"79163125741","to":"492214710334","direction":"in","callId":"z1","user":["Emma Taylor"]}"#,
      #"{"event":"hangup","from":"79163125741","to":"492214710334","direction":"in","callId":"z1","cause":"cancel"}"#,
    ] {
      let reply = try await pbx.daemon.request(
        .POST, "/hooks/cti/\(token)", headers: [("Content-Type", "application/json")],
        body: Array(body.utf8))
      #expect(reply.status == 200, "\(reply.body)")
    }
    // Zammad's rule: answered when an `answer` came (not the voicemail's) or the hangup says
    // `forwarded`; a hangup's `normalClearing` alone (the caller gave up) is a missed call, and
    // `cancel` after an answer is not. Zammad also takes `call_id`, as a form here.
    let ctiCalls: [(id: String, events: [String])] = [
      ("z3", ["newCall", "hangup&cause=normalClearing"]),
      ("z4", ["newCall", "answer&user=Anna", "hangup&cause=cancel"]),
      ("z5", ["newCall", "answer&user=voicemail", "hangup&cause=normalClearing"]),
      ("z6", ["newCall", "hangup&cause=forwarded"]),
      ("z7", ["hangup&cause=noAnswer", "answer&user=Anna", "newCall"]),
      // The voicemail picked up first, then a person: someone talked.
      (
        "z8",
        ["newCall", "answer&user=voicemail", "answer&user=Anna", "hangup&cause=normalClearing"]
      ),
      // Zammad's own form sends the user as a list (`user[]=`): the voicemail's answer is
      // still the voicemail's, and a person's after it is another event, not its repeat.
      ("z10", ["newCall", "answer&user[]=voicemail", "hangup&cause=normalClearing"]),
      (
        "z11",
        ["newCall", "answer&user[]=voicemail", "answer&user[]=Anna", "hangup&cause=normalClearing"]
      ),
    ]
    for (index, call) in ctiCalls.enumerated() {
      for event in call.events {
        var pairs: [(String, String)] = [("call_id", call.id)]
        for pair in event.split(separator: "&") {
          let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
          pairs.append(parts.count == 2 ? (parts[0], parts[1]) : ("event", parts[0]))
        }
        pairs += [("from", "7916312570\(index)"), ("to", "74951234567"), ("direction", "in")]
        let reply = try await pbx.postForm("/hooks/cti/\(token)", pairs)
        #expect(reply.status == 200, "\(call.id) \(event): \(reply.body)")
      }
    }
    let wrongPath = try await pbx.daemon.request(
      .POST, "/hooks/cti/not-the-token", headers: [("Content-Type", "application/json")],
      body: Array(#"{"event":"newCall","callId":"z2"}"#.utf8))
    #expect(wrongPath.status == 401)
    let sipuni = try pbx.inquiries("sipuni")
    #expect(sipuni.count == 2)
    #expect(sipuni.first { $0.source.callID == "s1" }?.kind == .missedCall)
    #expect(sipuni.first { $0.source.callID == "s1" }?.sender.phone == "+79991234567")
    #expect(sipuni.first { $0.source.callID == "s4" }?.sender.phone == "+375291234567")
    let telphin = try pbx.inquiries("telphin")
    #expect(telphin.first?.kind == .call)
    #expect(telphin.first?.call?.durationS == 95, "Duration is in microseconds")
    #expect(telphin.first?.call?.employee == "201")
    let ivr = try #require(telphin.first { $0.source.callID == "t20" }, "an IVR's call is a lead")
    #expect(ivr.kind == .missedCall)
    #expect(ivr.sender.phone == "+78123351127")
    #expect(ivr.call?.direction == "in")
    let forwarded = try #require(telphin.first { $0.source.callID == "t21" })
    #expect(forwarded.kind == .call)
    #expect(forwarded.sender.phone == "+79161112299", "the caller, not the employee's mobile")
    #expect(forwarded.call?.direction == "in")
    #expect(!telphin.contains { $0.source.callID == "t22" }, "a colleague's call is no lead")
    let withheld = try #require(telphin.first { $0.source.callID == "t23" }, "(failed before)")
    #expect(withheld.kind == .missedCall)
    #expect(withheld.sender.phone == nil)
    #expect(withheld.extra["anonymous_caller"] != nil)
    let national = try #require(telphin.first { $0.source.callID == "t24" }, "(failed before)")
    #expect(national.kind == .missedCall)
    #expect(national.sender.phone == "+74951234567")
    #expect(telphin.first { $0.source.callID == "t25" }?.sender.phone == "+375291234567")
    let foreignIVR = telphin.first { $0.source.callID == "t26" }
    #expect(foreignIVR?.kind == .missedCall)
    #expect(foreignIVR?.sender.phone == "+375291234567")
    #expect(
      try pbx.database().callRecord(channel: "telphin", callID: "t22")?.direction == "internal")
    let uisInquiries = try pbx.inquiries("uis")
    #expect(uisInquiries.first?.kind == .missedCall)
    #expect(uisInquiries.first?.sender.phone == "+79031112233")
    let templated = try #require(uisInquiries.first { $0.source.callID == "3019874561" })
    #expect(templated.kind == .call)
    #expect(templated.sender.phone == "+79031112244")
    #expect(templated.call?.durationS == 50)
    #expect(templated.call?.employee == "Анна")
    #expect(uisInquiries.first { $0.source.callID == "u9" }?.sender.phone == "+375291234567")
    // Zammad's own example: a German caller as bare digits.
    let german = try await pbx.postForm(
      "/hooks/cti/\(token)",
      [
        ("event", "hangup"), ("callId", "z12"), ("from", "493023125741"),
        ("to", "74951234567"), ("direction", "in"), ("cause", "normalClearing"),
      ])
    #expect(german.status == 200)
    let cti = try pbx.inquiries("cti")
    #expect(cti.count == 10)
    #expect(cti.first { $0.source.callID == "z12" }?.sender.phone == "+493023125741")
    let z1 = try #require(cti.first { $0.source.callID == "z1" })
    #expect(z1.kind == .missedCall)
    #expect(z1.sender.phone == "+79163125741")
    #expect(z1.call?.employee == "Emma Taylor")
    let kinds = Dictionary(
      cti.compactMap { inquiry in inquiry.source.callID.map { ($0, inquiry.kind) } },
      uniquingKeysWith: { a, _ in a })
    #expect(kinds["z3"] == .missedCall)
    #expect(kinds["z4"] == .call)
    #expect(kinds["z5"] == .missedCall)
    #expect(kinds["z6"] == .call)
    #expect(kinds["z7"] == .call)
    #expect(kinds["z8"] == .call)
    #expect(kinds["z10"] == .missedCall)
    #expect(kinds["z11"] == .call)

    // A query with a broken escape and windows-1251 bytes is still read (the token beside them
    // was lost with the whole query: a false 401).
    // (Over a plain socket: the HTTP client would re-encode the `%`.)
    let oddQuery = DaemonHarness.probe(
      port: pbx.daemon.port, seconds: 10,
      path: "/hooks/telphin?token=\(token)&EventType=dial-in&CallID=t9&CallerIDNum=89161112233"
        + "&CallerIDName=%C8%E2%E0%ED&Note=100%zz")
    #expect(oddQuery == 200)

    // The URL token is not kept in the raw journal, in the path (cti) or the query (telphin).
    let transports = try pbx.database().readSync { db in
      try String.fetchAll(
        db, sql: "SELECT transport FROM raw_items WHERE channel IN ('cti', 'telphin')")
    }
    #expect(transports.count >= 5)
    #expect(!transports.contains { $0.contains(token) })
    #expect(transports.contains { $0.contains(#""path":"/[redacted]""#) })
    #expect(transports.contains { $0.contains(#""Note":"100%zz""#) })
  }

  @Test("a signed form the decoder refuses is kept quarantined; a forged one is refused, unstored")
  func signedButUnreadable() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let pairs: [(String, String)] = [
      ("event", "NOTIFY_START"), ("call_start", "2026-11-29 10:00:00"), ("pbx_call_id", "u_1"),
      ("caller_id", "79161234567"), ("called_did", "74951234567"),
    ]
    let string = ["79161234567", "74951234567", "2026-11-29 10:00:00"].joined()
    let signature = ZadarmaSignatureScheme.signature(
      string, secret: TelephonyHarness.zadarmaSecret)
    // No Content-Type at all: the decoder cannot tell it is a form.
    let body = Array(TelephonyHarness.form(pairs).utf8)
    let signed = try await pbx.daemon.request(
      .POST, "/hooks/zadarma", headers: [("Signature", signature)], body: body)
    #expect(signed.status == 415, "\(signed.body)")
    #expect(try pbx.rawCount("zadarma") == 1, "kept, quarantined")
    let forged = try await pbx.daemon.request(
      .POST, "/hooks/zadarma", headers: [("Signature", "Zm9yZ2Vk")], body: body)
    #expect(forged.status == 401, "\(forged.body)")
    #expect(try pbx.rawCount("zadarma") == 1)
    // JSON sent to a form channel is the wrong format, not a forgery: 415 as before.
    let json = try await pbx.daemon.request(
      .POST, "/hooks/zadarma", headers: [("Content-Type", "application/json")],
      body: Array(#"{"event":"NOTIFY_START"}"#.utf8))
    #expect(json.status == 415, "\(json.body)")
    // MegaFon's token beside a value in another charset (no legacy_charset): kept too.
    let megafon = try await pbx.daemon.request(
      .POST, "/hooks/megafon",
      headers: [("Content-Type", "application/x-www-form-urlencoded")],
      body: Array(
        "cmd=history&crm_token=\(TelephonyHarness.megafonKey)&callid=mf-8&type=in&status=Success&phone=79161234567&telnum_name=%CE%F4%E8%F1"
          .utf8))
    #expect(megafon.status == 200 || megafon.status == 400, "\(megafon.body)")
    #expect(try pbx.rawCount("megafon") == 1)
    // Twilio's signed form with a stray escape: recognised as Twilio's, kept.
    let twilioPairs: [(String, String)] = [
      ("CallSid", "CA-odd"), ("CallStatus", "ringing"), ("From", "+79161234567"),
      ("Direction", "inbound"), ("Note", "100%zz"),
    ]
    let twilioSignature = TwilioSignatureScheme.signature(
      url: TelephonyHarness.publicURL + "/hooks/twilio", parameters: twilioPairs,
      token: TelephonyHarness.twilioToken)
    let twilio = try await pbx.daemon.request(
      .POST, "/hooks/twilio",
      headers: [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("X-Twilio-Signature", twilioSignature),
      ],
      body: Array(
        "CallSid=CA-odd&CallStatus=ringing&From=%2B79161234567&Direction=inbound&Note=100%zz".utf8))
    #expect(twilio.status != 401, "\(twilio.body)")
    #expect(try pbx.rawCount("twilio") == 1)
    let metrics = try await pbx.daemon.get("/metrics").1
    #expect(metrics.contains(#"inlet_auth_failures_total{channel="zadarma"} 1"#), "\(metrics)")
  }

  @Test("an event whose call cannot be stored is kept quarantined, not refused 503 for ever")
  func storeFailureIsKept() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let start = try await pbx.mango(
      "/events/call", json: Self.mangoCall(entry: "B1", seq: 1, state: "Appeared"))
    #expect(start.status == 200)
    // The call's stored record no longer reads (a bug, a hand edit): every retry would fail.
    let queue = try DatabaseQueue(path: pbx.daemon.databasePath)
    try await queue.write { db in
      try db.execute(sql: "UPDATE calls SET record = 'not json' WHERE call_id = 'B1'")
    }
    try queue.close()
    let next = try await pbx.mango(
      "/events/call", json: Self.mangoCall(entry: "B1", seq: 2, state: "Connected"))
    #expect(next.status == 500, "\(next.body)")
    #expect(next.errorCode == "store_failed", "\(next.body)")
    let kept = try pbx.database().readSync { db in
      try Int.fetchOne(
        db, sql: "SELECT COUNT(*) FROM raw_items WHERE channel = 'mango' AND status = 'quarantined'"
      )
    }
    #expect(kept == 1)
    // The retry is a repeat of the kept item; other calls go on.
    let retry = try await pbx.mango(
      "/events/call", json: Self.mangoCall(entry: "B1", seq: 2, state: "Connected"))
    #expect(retry.status == 500)
    #expect(try pbx.rawCount("mango") == 2)
    let health = try await pbx.daemon.get("/health").1
    #expect(health.contains("store_failed"), "\(health)")
    let other = try await pbx.mango(
      "/events/summary", json: Self.mangoSummary(entry: "B2", talk: 0))
    #expect(other.status == 200)
  }

  @Test("a hook URL entered with a trailing slash: Mango's `//events/…` still reaches its event")
  func doubledSlash() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let summary = try await pbx.mango(
      "//events/summary", json: Self.mangoSummary(entry: "S1", talk: 0))
    #expect(summary.status == 200, "\(summary.body)")
    let call = try await pbx.mango(
      "//events/call", json: Self.mangoCall(entry: "S2", seq: 1, state: "Appeared"))
    #expect(call.status == 200, "\(call.body)")
    let inquiries = try pbx.inquiries("mango")
    #expect(
      Set(inquiries.compactMap(\.source.callID)) == ["S1", "S2"],
      "both are calls, not ignored as another path (failed before)")
    #expect(inquiries.first { $0.source.callID == "S1" }?.kind == .missedCall)
  }

  @Test("events without a call id are each kept, not taken for each other's repeats")
  func keysNeedACallID() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let token = TelephonyHarness.urlToken
    // Two hangups of a PBX that sends no call id: both kept (quarantined), each its own item.
    for from in ["79161234567", "79167654321"] {
      let reply = try await pbx.daemon.request(
        .POST, "/hooks/cti/\(token)", headers: [("Content-Type", "application/json")],
        body: Array(#"{"event":"hangup","from":"\#(from)","direction":"in"}"#.utf8))
      #expect(reply.status == 400, "\(reply.body)")
      #expect(reply.errorCode == "missing_fields", "\(reply.body)")
    }
    let kept = try pbx.database().readSync { db in
      try Int.fetchOne(
        db, sql: "SELECT COUNT(*) FROM raw_items WHERE channel = 'cti' AND status = 'quarantined'")
    }
    #expect(kept == 2)
    // UIS calls named by communication_id (a customer's own body template): two calls, two leads.
    for (id, phone) in [("c1", "79031112233"), ("c2", "79034445566")] {
      let body =
        #"{"event":"lost","communication_id":"\#(id)","direction":"in","contact_phone_number":"\#(phone)"}"#
      let reply = try await pbx.daemon.request(
        .POST, "/hooks/uis?token=\(token)", headers: [("Content-Type", "application/json")],
        body: Array(body.utf8))
      #expect(reply.status == 200, "\(reply.body)")
    }
    #expect(
      try pbx.inquiries("uis").compactMap(\.sender.phone).sorted() == [
        "+79031112233", "+79034445566",
      ])
    // MegaFon: a call transferred is ACCEPTED again, by another employee: not a repeat.
    let megafonToken = TelephonyHarness.megafonKey
    for (type, user) in [
      ("INCOMING", ""), ("ACCEPTED", "ivanov"), ("TRANSFERRED", "ivanov"), ("ACCEPTED", "petrov"),
    ] {
      let reply = try await pbx.postForm(
        "/hooks/megafon",
        [
          ("cmd", "event"), ("type", type), ("callid", "mf-t1"), ("phone", "79161112233"),
          ("user", user), ("direction", "in"), ("crm_token", megafonToken),
        ])
      #expect(reply.status == 200, "\(reply.body)")
    }
    #expect(try pbx.rawCount("megafon") == 4)
    #expect(try pbx.inquiries("megafon").first?.call?.employee == "petrov")
  }

  @Test("Legs of one call: an answered ring group or a secondary end stays a conversation")
  func legsOfOneCall() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let token = TelephonyHarness.urlToken
    func telphin(_ pairs: [(String, String)]) async throws {
      #expect(try await pbx.postForm("/hooks/telphin?token=\(token)", pairs).status == 200)
    }
    // Telphin ring group: both extensions ring, 102 picks up; the hangups of the two legs come
    // in either order (g1: unbridged leg last, g2: first).
    for (call, order) in [("g1", [0, 1]), ("g2", [1, 0])] {
      try await telphin([
        ("EventType", "dial-in"), ("CallID", call), ("CallerIDNum", "+79167654321"),
        ("CalledExtension", "101"),
      ])
      let legs = [
        [("EventType", "hangup"), ("CallID", call), ("SubCallID", "102"), ("Bridged", "yes")],
        [("EventType", "hangup"), ("CallID", call), ("SubCallID", "101"), ("Bridged", "no")],
      ]
      for index in order { try await telphin(legs[index]) }
    }
    // g4: the group rings 101 and 102 (legs named by SubCallID); 102 answers; Telphin stops
    // ringing 101 at once. 101's unbridged end is not the call's: no missed call while 102
    // talks, and none for good once a manager decided it meanwhile.
    for leg in ["101", "102"] {
      try await telphin([
        ("EventType", "dial-in"), ("CallID", "g4"), ("SubCallID", leg),
        ("CallerIDNum", "+79164440000"), ("CalledExtension", leg),
      ])
    }
    try await telphin([("EventType", "answer"), ("CallID", "g4"), ("SubCallID", "102")])
    try await telphin([
      ("EventType", "hangup"), ("CallID", "g4"), ("SubCallID", "101"), ("Bridged", "no"),
    ])
    let talking = try #require(try pbx.inquiries("telphin").first { $0.source.callID == "g4" })
    #expect(talking.kind == .call)
    #expect(talking.extra["call_state"] == .string("answered"), "\(talking.extra)")
    try await telphin([
      ("EventType", "hangup"), ("CallID", "g4"), ("SubCallID", "102"), ("Bridged", "yes"),
      ("Duration", "95000000"),
    ])
    let ended = try #require(try pbx.inquiries("telphin").first { $0.source.callID == "g4" })
    #expect(ended.kind == .call)
    #expect(ended.extra["call_state"] == .string("ended"))
    #expect(ended.call?.durationS == 95)
    // g6: 102 talked and hung up before 101's unbridged end came (a retry, or a transfer's
    // target that never picked up): a conversation all the same.
    for leg in ["101", "102"] {
      try await telphin([
        ("EventType", "dial-in"), ("CallID", "g6"), ("SubCallID", leg),
        ("CallerIDNum", "+79164440002"), ("CalledExtension", leg),
      ])
    }
    try await telphin([("EventType", "answer"), ("CallID", "g6"), ("SubCallID", "102")])
    try await telphin([
      ("EventType", "hangup"), ("CallID", "g6"), ("SubCallID", "102"), ("Bridged", "yes"),
      ("Duration", "95000000"),
    ])
    try await telphin([
      ("EventType", "hangup"), ("CallID", "g6"), ("SubCallID", "101"), ("Bridged", "no"),
    ])
    let g6 = try #require(try pbx.inquiries("telphin").first { $0.source.callID == "g6" })
    #expect(g6.kind == .call)
    #expect(g6.extra["call_state"] == .string("ended"))
    // A ring group nobody answers: the last leg's end makes the missed call.
    for leg in ["101", "102"] {
      try await telphin([
        ("EventType", "dial-in"), ("CallID", "g5"), ("SubCallID", leg),
        ("CallerIDNum", "+79164440001"), ("CalledExtension", leg),
      ])
    }
    try await telphin([
      ("EventType", "hangup"), ("CallID", "g5"), ("SubCallID", "101"), ("Bridged", "no"),
    ])
    #expect(
      try pbx.inquiries("telphin").first { $0.source.callID == "g5" }?.extra["call_state"]
        == .string("ringing"))
    try await telphin([
      ("EventType", "hangup"), ("CallID", "g5"), ("SubCallID", "102"), ("Bridged", "no"),
    ])
    #expect(try pbx.inquiries("telphin").first { $0.source.callID == "g5" }?.kind == .missedCall)
    // A hangup that overtook the answer of a call whose start never came, then the number.
    try await telphin([("EventType", "answer"), ("CallID", "g3"), ("SubCallID", "a")])
    #expect(try pbx.inquiries("telphin").count == 5)  // g3: direction unknown, not ended yet
    try await telphin([
      ("EventType", "dial-in"), ("CallID", "g3"), ("CallerIDNum", "+79165550000"),
    ])
    // Sipuni: event 2 ANSWER, then the secondary end (4) NOANSWER.
    for (event, status) in [("2", "ANSWER"), ("4", "NOANSWER")] {
      let reply = try await pbx.postForm(
        "/hooks/sipuni?token=\(token)",
        [
          ("event", event), ("call_id", "s7"), ("src_num", "79991230000"), ("src_type", "1"),
          ("dst_type", "2"), ("status", status), ("call_start_timestamp", "1710000000"),
          ("call_answer_timestamp", "1710000005"), ("timestamp", "1710000060"),
        ])
      #expect(reply.status == 200)
    }
    let telphinByCall = Dictionary(
      try pbx.inquiries("telphin").map { ($0.source.callID ?? "", $0) },
      uniquingKeysWith: { first, _ in first })
    #expect(telphinByCall.count == 6)
    #expect(telphinByCall["g1"]?.kind == .call)
    #expect(telphinByCall["g2"]?.kind == .call)
    #expect(telphinByCall["g3"]?.kind == .call)
    #expect(telphinByCall["g3"]?.sender.phone == "+79165550000")
    #expect(telphinByCall["g3"]?.call?.direction == "in")
    let sipuni = try pbx.inquiries("sipuni")
    #expect(sipuni.count == 1)
    #expect(sipuni.first?.kind == .call)
  }

  @Test("Beeline: the daemon subscribes at start with the API token and the public hook URL")
  func beelineSubscription() async throws {
    let portal = try DeliveryReceiver { number in number == 1 ? .fail(503) : .accept }
    try await portal.serving {
      let pbx = try TelephonyHarness(beelineSubscription: portal.url)
      defer { pbx.daemon.remove() }
      try await pbx.daemon.start()
      // The first attempt fails (503): retried, and the channel shows it meanwhile.
      #expect(try await eventually(seconds: 90) { portal.received.count >= 2 })
      let put = try #require(portal.received.last)
      #expect(put.method == "PUT")
      #expect(put.headers["x-mpbx-api-auth-token"] == TelephonyHarness.beelineAPIToken)
      #expect(put.json["subscriptionType"] as? String == "BASIC_CALL")
      #expect(put.json["expires"] as? Int == 90000)
      #expect(
        put.json["url"] as? String
          == "\(TelephonyHarness.publicURL)/hooks/beeline?token=\(TelephonyHarness.urlToken)")

      // The portal's API token is rotated and the daemon reloaded: it subscribes again at
      // once with the new one, not 12 hours later when the old subscription is due.
      let before = portal.received.count
      try "rotated-api-token".write(
        to: pbx.daemon.folder.appendingPathComponent("credentials/beeline-api"),
        atomically: true, encoding: .utf8)
      kill(try #require(pbx.daemon.process?.processIdentifier), SIGHUP)
      #expect(try await eventually(seconds: 60) { portal.received.count > before })
      #expect(portal.received.last?.headers["x-mpbx-api-auth-token"] == "rotated-api-token")
    }
  }

  @Test("Beeline XSI XML events")
  func beeline() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    func event(
      _ id: String, _ seq: Int, _ type: String, answer: String? = nil, release: String? = nil,
      call: String = "b1", personality: String = "Terminator", callType: String = "Network",
      half: String = "callhalf-1", target: String = "manager@pbx"
    )
      -> String
    {
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <xsi:Event xmlns:xsi="http://schema.broadsoft.com/xsi" xmlns:xsi1="http://www.w3.org/2001/XMLSchema-instance">
        <xsi:eventID>\(id)</xsi:eventID><xsi:sequenceNumber>\(seq)</xsi:sequenceNumber>
        <xsi:userId>manager@pbx</xsi:userId><xsi:subscriptionId>sub-1</xsi:subscriptionId>
        <xsi:targetId>\(target)</xsi:targetId>
        <xsi:eventData xsi1:type="xsi:\(type)">
          <xsi:call><xsi:callId>\(half)</xsi:callId><xsi:extTrackingId>\(call)</xsi:extTrackingId>
            <xsi:personality>\(personality)</xsi:personality><xsi:state>Alerting</xsi:state>
            <xsi:remoteParty><xsi:name>Пётр</xsi:name><xsi:address countryCode="7">tel:+79165554433</xsi:address>
              <xsi:callType>\(callType)</xsi:callType></xsi:remoteParty>
            <xsi:startTime>1714550400000</xsi:startTime>
            \(answer.map { "<xsi:answerTime>\($0)</xsi:answerTime>" } ?? "")
            \(release.map { "<xsi:releaseTime>\($0)</xsi:releaseTime>" } ?? "")
          </xsi:call>
        </xsi:eventData>
      </xsi:Event>
      """
    }
    let path = "/hooks/beeline?token=\(TelephonyHarness.urlToken)"
    let headers = [("Content-Type", "application/xml; charset=UTF-8")]
    for body in [
      event("e1", 1, "CallReceivedEvent"),
      event("e2", 2, "CallAnsweredEvent", answer: "1714550405000"),
      event("e3", 3, "CallReleasedEvent", answer: "1714550405000", release: "1714550465000"),
      event("e4", 4, "HookStatusEvent"),
      // A colleague calling: both legs, the receiving one too, are internal — no inquiry.
      event(
        "e5", 5, "CallOriginatedEvent", call: "b2", personality: "Originator", callType: "Group"),
      event("e6", 6, "CallReceivedEvent", call: "b2", callType: "Group"),
      event(
        "e7", 7, "CallReleasedEvent", release: "1714550465000", call: "b2", callType: "Group"),
    ] {
      let reply = try await pbx.daemon.request(
        .POST, path, headers: headers, body: Array(body.utf8))
      #expect(reply.status == 200, "\(reply.body)")
    }
    // A ring group: each member's phone is a call half of its own (callId) under the call's
    // extTrackingId. Anna's phone stops ringing while Boris's still rings, and he answers.
    for body in [
      event("g1", 1, "CallReceivedEvent", call: "b3", half: "half-anna", target: "anna@pbx"),
      event("g2", 2, "CallReceivedEvent", call: "b3", half: "half-boris", target: "boris@pbx"),
      event(
        "g3", 3, "CallReleasedEvent", release: "1714550420000", call: "b3", half: "half-anna",
        target: "anna@pbx"),
    ] {
      let reply = try await pbx.daemon.request(
        .POST, path, headers: headers, body: Array(body.utf8))
      #expect(reply.status == 200, "\(reply.body)")
    }
    let ringing = try pbx.inquiries("beeline").first { $0.source.callID == "b3" }
    #expect(ringing?.kind != .missedCall, "one member's phone giving up is no missed call")
    for body in [
      event(
        "g4", 4, "CallAnsweredEvent", answer: "1714550425000", call: "b3", half: "half-boris",
        target: "boris@pbx"),
      event(
        "g5", 5, "CallReleasedEvent", answer: "1714550425000", release: "1714550485000",
        call: "b3", half: "half-boris", target: "boris@pbx"),
    ] {
      let reply = try await pbx.daemon.request(
        .POST, path, headers: headers, body: Array(body.utf8))
      #expect(reply.status == 200, "\(reply.body)")
    }
    let broken = try await pbx.daemon.request(
      .POST, path, headers: headers, body: Array("<xsi:Event><unclosed>".utf8))
    #expect(broken.status == 400)
    #expect(broken.errorCode == "malformed_body")
    let all = try pbx.inquiries("beeline")
    let group = try #require(all.first { $0.source.callID == "b3" })
    #expect(group.kind == .call, "Boris answered (failed before)")
    #expect(group.call?.employee == "boris@pbx")
    #expect(group.call?.durationS == 60)
    let inquiries = all.filter { $0.source.callID != "b3" }
    #expect(inquiries.count == 1)
    #expect(inquiries.first?.kind == .call)
    #expect(inquiries.first?.sender.name == "Пётр")
    #expect(inquiries.first?.sender.phone == "+79165554433")
    #expect(inquiries.first?.call?.durationS == 60)
    #expect(
      try pbx.rawCount("beeline") == 12,
      "11 call events kept, 1 quarantined, hook status dropped")
    #expect(
      try pbx.database().callRecord(channel: "beeline", callID: "b2")?.direction == "internal")
  }

  @Test("Twilio: signature over the public URL; completed and no-answer calls")
  func twilio() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let base: [(String, String)] = [
      ("AccountSid", "AC1"), ("From", "+14155550100"), ("To", "+14155550199"),
      ("Direction", "inbound"),
    ]
    // Answered by a person: the <Dial action> says so, then the parent leg completes.
    let dialed = try await pbx.twilio(
      base + [("CallSid", "CA1"), ("DialCallStatus", "completed"), ("DialCallDuration", "55")])
    #expect(dialed.status == 200, "\(dialed.body)")
    let completed = try await pbx.twilio(
      base + [("CallSid", "CA1"), ("CallStatus", "completed"), ("CallDuration", "61")])
    #expect(completed.status == 200, "\(completed.body)")
    // Nobody picked up the <Dial>: Twilio still calls the inbound leg "completed".
    #expect(
      try await pbx.twilio(
        base + [("CallSid", "CA4"), ("DialCallStatus", "no-answer"), ("DialCallDuration", "0")]
      ).status == 200)
    #expect(
      try await pbx.twilio(
        base + [("CallSid", "CA4"), ("CallStatus", "completed"), ("CallDuration", "25")]
      ).status == 200)
    #expect(completed.body == "<Response></Response>")
    #expect(
      try await pbx.twilio(base + [("CallSid", "CA2"), ("CallStatus", "no-answer")]).status == 200)
    let forged = try await pbx.twilio(
      base + [("CallSid", "CA3"), ("CallStatus", "completed")], token: "x")
    #expect(forged.status == 401)
    // A GET callback's signature covers its URL alone: the same signature on a PUT (or GET)
    // carrying a body must not vouch for that body.
    let urlOnly = TwilioSignatureScheme.signature(
      url: TelephonyHarness.publicURL + "/hooks/twilio", parameters: [],
      token: TelephonyHarness.twilioToken)
    for method in [HTTPMethod.PUT, .GET] {
      let smuggled = try await pbx.daemon.request(
        method, "/hooks/twilio",
        headers: [
          ("Content-Type", "application/x-www-form-urlencoded"),
          ("X-Twilio-Signature", urlOnly),
        ],
        body: Array(
          TelephonyHarness.form(
            base + [("CallSid", "CA9"), ("CallStatus", "no-answer")]
          ).utf8))
      #expect(smuggled.status == 401, "\(method): \(smuggled.body)")
    }
    #expect(try pbx.rawCount("twilio") == 5)
    let inquiries = try pbx.inquiries("twilio")
    #expect(inquiries.count == 3)
    #expect(inquiries.first { $0.source.callID == "CA4" }?.kind == .missedCall)
    #expect(inquiries.first { $0.source.callID == "CA1" }?.kind == .call)
    #expect(inquiries.first { $0.source.callID == "CA1" }?.call?.durationS == 61)
    #expect(inquiries.first { $0.source.callID == "CA1" }?.sender.phone == "+14155550100")
    #expect(inquiries.first { $0.source.callID == "CA2" }?.kind == .missedCall)
  }
}
