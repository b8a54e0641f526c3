import Foundation

/// Everything known about one call, merged from its events in whatever order they came.
///
/// The rules: states only move forward; an event with a lower `seq` than one already applied
/// (of its leg, where events name one) may fill in facts still unknown but never changes the
/// state; the end of one leg is not the end of the call while another leg is live; a missing
/// start event is fine (the first event seen starts the record); facts, once known, are only
/// replaced by a later event's non-empty value; once a final event said the call was answered,
/// it stays answered.
public struct CallRecord: Sendable, Equatable, Codable {
  public var callID: String
  public var state: CallState
  public var answered: Bool
  /// Whether a final event already decided `answered`.
  public var outcomeDecided: Bool
  /// The highest `seq` applied of events that name no leg.
  public var highestSeq: Int64?
  /// The highest `seq` applied per leg (Mango numbers each `call_id`'s events on its own).
  public var legSeqs: [String: Int64]?
  /// Legs seen and not yet ended, sorted: the IVR's leg ending as the caller is put through
  /// to an employee does not end the call.
  public var liveLegs: [String]?
  /// Legs that ended, sorted: a leg's ringing delivered after its own end (webhooks overtake
  /// each other) does not bring it back and hold the call open.
  public var endedLegs: [String]?
  /// `in`, `out` or `internal`; `nil` until an event states it.
  public var direction: String?
  /// Set while the direction is only that of a leg an extension started
  /// (``CallEvent/fromExtension``): a leg from outside still decides it.
  public var directionFromExtension: Bool?
  public var callerPhone: String?
  public var anonymous: Bool
  public var did: String?
  /// The employee the latest event named (ringing, answering or hanging up).
  public var employee: String?
  /// The employee an event said answered (a leg answered, or a final word with a conversation):
  /// the call's employee, also when a phone that only rang is named after it (a ring group's
  /// other phone cancelled after the answer, a transfer's target that did not pick up).
  public var answeredBy: String?
  public var durationS: Int?
  public var recordingURL: String?
  public var firstEventAt: Date
  /// When the call started by the provider's clock: the earliest an event said.
  public var startedAt: Date?
  public var events: Int
  /// Set when the call was closed because no event ended it within the channel's
  /// `call_timeout` (a lost hangup, a summary switched off), not by the provider's word.
  public var timedOut: Bool?
  /// Set while no event stated the call's state: only facts came (a recording's link, for a
  /// call whose other events go elsewhere). Such a call is no lead of its own, also when it
  /// is closed by the timeout.
  public var stateless: Bool?

  /// Starts a record from the first event seen (not necessarily the provider's first).
  public init(first event: CallEvent) {
    callID = event.callID
    stateless = true
    state = .ringing
    answered = false
    outcomeDecided = false
    direction = nil
    anonymous = false
    firstEventAt = event.receivedAt
    events = 0
    apply(event)
  }

  /// Merges one event; returns whether anything changed.
  @discardableResult
  public mutating func apply(_ event: CallEvent) -> Bool {
    let before = self
    if event.state != nil { stateless = nil }
    let stale: Bool
    if let leg = event.leg {
      stale = event.seq.map { seq in legSeqs?[leg].map { seq < $0 } ?? false } ?? false
      if let seq = event.seq, !stale { legSeqs = (legSeqs ?? [:]).merging([leg: seq]) { $1 } }
    } else {
      stale = event.seq.map { seq in highestSeq.map { seq < $0 } ?? false } ?? false
      if let seq = event.seq, !stale { highestSeq = seq }
    }
    // A leg's end ends the call only when no other leg is live; until then it is a fact of
    // that leg, not a state of the call.
    var eventState = event.state
    if let leg = event.leg, !stale, let legState = event.state {
      var live = liveLegs ?? []
      if event.handedOver {
        // The leg's employee put the call through to someone else: the leg is over, the call
        // is not — it goes on with the leg rung next, which may come after this event.
        live.removeAll { $0 == leg }
        if endedLegs?.contains(leg) != true { endedLegs = ((endedLegs ?? []) + [leg]).sorted() }
      } else if legState.isFinal {
        live.removeAll { $0 == leg }
        if endedLegs?.contains(leg) != true { endedLegs = ((endedLegs ?? []) + [leg]).sorted() }
        if !live.isEmpty { eventState = nil }
      } else if !live.contains(leg), endedLegs?.contains(leg) != true {
        live.append(leg)
        live.sort()
      }
      liveLegs = live.isEmpty ? nil : live
    }

    // Whether anyone talked. A final event's word is authoritative over earlier ones (Mango:
    // talk_time 0 is a missed call even after a Connected leg), but a final "answered" is
    // never undone: a provider reports each leg of a ring group (Telphin: `Bridged=no` for
    // the extension that did not pick up, `yes` for the one that did), a secondary hangup
    // (Sipuni's event 4) or a late cancel (MegaFon) after the call was answered.
    // A leg that ended after a conversation (Telphin's `Bridged=yes` of the extension that
    // talked) decides that someone answered, also while another leg is still live: the leg
    // ending last may be one that only rang (a transfer's target, a ring group's other phone).
    if event.leg != nil, !stale, event.state?.isFinal == true, event.state != .missed,
      event.answered == true
    {
      answered = true
      outcomeDecided = true
    }
    let finalEvent = !stale && (eventState?.isFinal ?? false)
    // The provider's own end replaces a close by timeout.
    if finalEvent { timedOut = nil }
    let finalWord = finalEvent ? (eventState == .missed ? false : event.answered) : nil
    if finalWord == true {
      answered = true
      outcomeDecided = true
    } else if finalWord == false, !(outcomeDecided && answered) {
      // The last ringing phone giving up (a leg's end) is no word on the whole call: an
      // earlier leg's answer stands (a transfer's target that did not pick up), and the PBX
      // may ring the next phone (hunting), whose answer still counts.
      if event.leg == nil {
        answered = false
        outcomeDecided = true
      }
    } else if !outcomeDecided, eventState == .answered || event.answered == true {
      answered = true
    }
    if !stale, let newState = eventState, newState.rank > state.rank { state = newState }
    if state.isFinal {
      state = !answered && (outcomeDecided || state == .missed) ? .missed : .ended
    }

    // The first event that states the direction decides it; a later leg (a transfer from an
    // extension looks outgoing, also when it ends) does not, but a final event about the whole
    // call — one outside the legs' sequence (no seq, no leg: Mango's summary) — is
    // authoritative. A leg an extension started decides only until a leg from outside comes:
    // the transfer leg of an incoming call that overtook the caller's own events is not the
    // call's direction, and the number it named (a colleague's, a mobile it was forwarded to)
    // is not the caller's.
    if let direction = event.direction {
      let authoritative = finalEvent && event.seq == nil && event.leg == nil
      let overrules =
        directionFromExtension == true && !event.fromExtension && direction != self.direction
      if self.direction == nil || authoritative || overrules {
        if overrules {
          callerPhone = nil
          anonymous = false
        }
        self.direction = direction
        directionFromExtension = !authoritative && event.fromExtension ? true : nil
      }
    }
    // A stale event (a lower seq) only fills in what is still unknown. A leg going the other
    // way than the call (an incoming call transferred to an outside number: a leg from the
    // extension out) names someone else: its number is not the caller's, hidden or not.
    let sameWay = event.direction == nil || direction == nil || event.direction == direction
    if let phone = event.callerPhone, sameWay, !stale || callerPhone == nil { callerPhone = phone }
    if callerPhone != nil {
      anonymous = false
    } else if event.anonymous {
      anonymous = true
    }
    if let did = event.did, !stale || self.did == nil { self.did = did }
    if let employee = event.employee, !stale || self.employee == nil { self.employee = employee }
    if let employee = event.employee, event.state == .answered || event.answered == true,
      !stale || answeredBy == nil
    {
      answeredBy = employee
    }
    if let duration = event.durationS, !stale || durationS == nil { durationS = duration }
    if let url = event.recordingURL, !stale || recordingURL == nil { recordingURL = url }
    if let started = event.startedAt, started < (startedAt ?? .distantFuture) {
      startedAt = started
    }
    events += 1
    var comparable = self
    comparable.events = before.events
    return comparable != before
  }

  /// Closes a call whose end never came (``timedOut``): it ended, as a conversation when an
  /// event said someone answered, as a missed call otherwise. A late final event still
  /// decides the outcome. Returns false for a call that had ended already.
  @discardableResult
  public mutating func closeUnended() -> Bool {
    guard !state.isFinal else { return false }
    state = .ended
    liveLegs = nil
    timedOut = true
    return true
  }

  /// Whether the call makes an inquiry now, for an instance that queues `directions`. A call
  /// whose direction no event stated yet (a recording or hangup that overtook the start event)
  /// waits for it; once the call ended with the direction still unknown, it is taken as
  /// inbound — a missed call is never dropped for want of a direction.
  public func makesInquiry(directions: Set<String>) -> Bool {
    if stateless == true { return false }
    // Only a leg an extension started said the direction yet: the caller's own leg may still
    // come and say otherwise (and name the caller); the inquiry waits for it or for the end.
    if directionFromExtension == true, !state.isFinal { return false }
    if let direction { return directions.contains(direction) }
    return state.isFinal && directions.contains("in")
  }

  /// `call` for a conversation (or one still in progress), `missed_call` once it ended without.
  public var inquiryKind: InquiryKind {
    if state == .missed || (state == .ended && !answered) { return .missedCall }
    return .call
  }

  /// Writes the call's facts into an inquiry.
  public func update(_ inquiry: inout Inquiry) {
    if inquiry.status == InquiryStatus.new.rawValue { inquiry.kind = inquiryKind }
    var call = inquiry.call ?? Inquiry.Call()
    call.direction = direction ?? "in"
    call.durationS = durationS ?? call.durationS
    call.recordingURL = recordingURL ?? call.recordingURL
    call.employee = (answered ? answeredBy : nil) ?? employee ?? call.employee
    call.did = did ?? call.did
    call.startedAt = startedAt ?? call.startedAt
    inquiry.call = call
    if inquiry.sender.phone == nil { inquiry.sender.phone = callerPhone }
    if inquiry.sender.phone != nil {
      inquiry.extra["anonymous_caller"] = nil
    } else if anonymous {
      inquiry.extra["anonymous_caller"] = .bool(true)
    }
    inquiry.extra["call_state"] = .string(state.rawValue)
    inquiry.extra["call_timed_out"] = timedOut == true ? .bool(true) : nil
    inquiry.source.callID = callID
  }
}

extension CallRecord {
  /// The record as `InquiryJSON.encoder()` writes it (the synthesized `Codable` keys, sorted;
  /// absent optionals left out; dates in whole seconds), written directly: a call event is
  /// stored on the writer thread every webhook waits on.
  public var jsonBytes: [UInt8] {
    var writer = JSONObjectWriter(capacity: 320)
    writer.bool("anonymous", anonymous)
    writer.bool("answered", answered)
    writer.string("answeredBy", answeredBy)
    writer.string("callID", callID)
    writer.string("callerPhone", callerPhone)
    writer.string("did", did)
    writer.string("direction", direction)
    if let directionFromExtension { writer.bool("directionFromExtension", directionFromExtension) }
    writer.integer("durationS", durationS)
    writer.string("employee", employee)
    if let endedLegs { writer.strings("endedLegs", endedLegs) }
    writer.integer("events", events)
    writer.string("firstEventAt", Inquiry.timestamp(firstEventAt))
    writer.integer("highestSeq", highestSeq)
    if let legSeqs {
      writer.nested("legSeqs") { object in
        for (leg, seq) in legSeqs.sorted(by: { $0.key < $1.key }) { object.integer(leg, seq) }
      }
    }
    if let liveLegs { writer.strings("liveLegs", liveLegs) }
    writer.bool("outcomeDecided", outcomeDecided)
    writer.string("recordingURL", recordingURL)
    writer.string("startedAt", startedAt.map(Inquiry.timestamp))
    writer.string("state", state.rawValue)
    if stateless == true { writer.bool("stateless", true) }
    if timedOut == true { writer.bool("timedOut", true) }
    return writer.finish()
  }
}
