import Foundation

/// Everything known about one call, merged from its events in whatever order they came.
///
/// The rules: states only move forward; an event with a lower `seq` than one already applied
/// may fill in facts still unknown but never changes the state; a missing start event is fine
/// (the first event seen starts the record); facts, once known, are only replaced by a later
/// event's non-empty value.
public struct CallRecord: Sendable, Equatable, Codable {
  public var callID: String
  public var state: CallState
  public var answered: Bool
  /// Whether a final event already decided `answered`.
  public var outcomeDecided: Bool
  public var highestSeq: Int64?
  public var direction: String
  public var callerPhone: String?
  public var anonymous: Bool
  public var did: String?
  public var employee: String?
  public var durationS: Int?
  public var recordingURL: String?
  public var firstEventAt: Date
  public var events: Int

  /// Starts a record from the first event seen (not necessarily the provider's first).
  public init(first event: CallEvent) {
    callID = event.callID
    state = .ringing
    answered = false
    outcomeDecided = false
    direction = event.direction ?? "in"
    anonymous = false
    firstEventAt = event.receivedAt
    events = 0
    apply(event)
  }

  /// Merges one event; returns whether anything changed.
  @discardableResult
  public mutating func apply(_ event: CallEvent) -> Bool {
    let before = self
    let stale = event.seq.map { seq in highestSeq.map { seq < $0 } ?? false } ?? false
    if let seq = event.seq, !stale { highestSeq = seq }

    if !stale, let newState = event.state, newState.rank >= state.rank {
      if newState.rank > state.rank || newState == .missed { state = newState }
    }
    // A final event's word on whether anyone talked is authoritative (Mango: talk_time 0 is a
    // missed call even after a Connected leg); earlier events can only say "answered".
    let finalEvent = !stale && (event.state?.isFinal ?? false)
    if finalEvent, event.state == .missed {
      answered = false
      outcomeDecided = true
    } else if finalEvent, let said = event.answered {
      answered = said
      outcomeDecided = true
    } else if !outcomeDecided, event.state == .answered || event.answered == true {
      answered = true
    }
    if state == .ended && outcomeDecided && !answered { state = .missed }

    if let direction = event.direction, events == 0 || !stale { self.direction = direction }
    if let phone = event.callerPhone { callerPhone = phone }
    if event.anonymous && callerPhone == nil { anonymous = true }
    if let did = event.did { self.did = did }
    if let employee = event.employee { self.employee = employee }
    if let duration = event.durationS, !stale || durationS == nil { durationS = duration }
    if let url = event.recordingURL { recordingURL = url }
    events += 1
    var comparable = self
    comparable.events = before.events
    return comparable != before
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
    call.direction = direction
    call.durationS = durationS ?? call.durationS
    call.recordingURL = recordingURL ?? call.recordingURL
    call.employee = employee ?? call.employee
    call.did = did ?? call.did
    inquiry.call = call
    if inquiry.sender.phone == nil { inquiry.sender.phone = callerPhone }
    if anonymous && callerPhone == nil { inquiry.extra["anonymous_caller"] = .bool(true) }
    inquiry.extra["call_state"] = .string(state.rawValue)
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
    writer.string("callID", callID)
    writer.string("callerPhone", callerPhone)
    writer.string("did", did)
    writer.string("direction", direction)
    writer.integer("durationS", durationS)
    writer.string("employee", employee)
    writer.integer("events", events)
    writer.string("firstEventAt", Inquiry.timestamp(firstEventAt))
    writer.integer("highestSeq", highestSeq)
    writer.bool("outcomeDecided", outcomeDecided)
    writer.string("recordingURL", recordingURL)
    writer.string("state", state.rawValue)
    return writer.finish()
  }
}
